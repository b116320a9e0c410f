// renderer/ — open device faults (offline terminal, tamper) above the alarm queue, each acknowledgeable.
import { useState } from 'react';
import type { OpenFault } from '../../shared/incidents';
import type { School, Terminal } from '../../shared/model';
import { useI18n } from '../i18n';
import { getStore } from '../store';
import { clockTime } from '../time';

function FaultItem({ fault, school, terminal }: { fault: OpenFault; school?: School; terminal?: Terminal }) {
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const acked = fault.acknowledgedAt !== undefined;
  return (
    <li className={`fault ${fault.kind} ${acked ? 'acked' : 'open'}`} data-testid="fault" data-device-id={fault.deviceId} data-fault={fault.kind}>
      <div className="fault-head">
        <strong>{fault.kind === 'offline' ? t('faultOffline') : t('faultTamper')}</strong>
        <span>{t('faultSince', { time: clockTime(fault.openedAt) })}</span>
      </div>
      <div className="fault-school">{school?.name ?? fault.deviceId}</div>
      <div className="fault-device">{terminal?.label ?? fault.deviceId}</div>
      {acked ? (
        <div className="acked-by">
          {t('faultAckedBy', { who: fault.acknowledgedBy?.displayName ?? '?' })} {clockTime(fault.acknowledgedAt!)}
        </div>
      ) : (
        <button className="fault-ack" data-testid="fault-ack" onClick={() => void getStore().acknowledgeFault(fault.deviceId, fault.kind).then(setError)}>
          {t('faultAck')}
        </button>
      )}
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </li>
  );
}

export function FaultList({ faults, schools, terminals }: { faults: OpenFault[]; schools: Map<string, School>; terminals: Map<string, Terminal> }) {
  const { t } = useI18n();
  if (faults.length === 0) return null;
  return (
    <div className="faults">
      <h2>
        {t('faultsTitle')} <span className="count">{faults.length}</span>
      </h2>
      <ul>
        {faults.map((f) => {
          const term = terminals.get(f.deviceId);
          return <FaultItem key={`${f.deviceId}/${f.kind}`} fault={f} terminal={term} school={term ? schools.get(term.schoolId) : undefined} />;
        })}
      </ul>
    </div>
  );
}
