// renderer/ — device faults (offline terminal, tamper) in their own compact section below the alarm queue: a count,
// the newest few, the rest one click away, and "acknowledge all". Alarms come first: a county of offline terminals
// must never push an alarm's 接警 off the screen. An acknowledged fault leaves the list (the health screen keeps it).
import { useState } from 'react';
import type { OpenFault } from '../../shared/incidents';
import type { School, Terminal } from '../../shared/model';
import { useI18n } from '../i18n';
import { getStore } from '../store';
import { clockTime } from '../time';

/** How many faults the collapsed section shows. */
const FAULTS_SHOWN = 3;

function FaultItem({ fault, school, terminal }: { fault: OpenFault; school?: School; terminal?: Terminal }) {
  const { t, name } = useI18n();
  const [error, setError] = useState<string>();
  return (
    <li className={`fault ${fault.kind} open`} data-testid="fault" data-device-id={fault.deviceId} data-fault={fault.kind}>
      <div className="fault-line">
        <strong>{fault.kind === 'offline' ? t('faultOffline') : fault.kind === 'test_overdue' ? t('faultTestOverdue') : t('faultTamper')}</strong>
        <span className="fault-school">{name(school, fault.deviceId)}</span>
        <span className="fault-device">{terminal?.label ?? fault.deviceId}</span>
        <span className="fault-time">{t('faultSince', { time: clockTime(fault.openedAt) })}</span>
        <button className="fault-ack" data-testid="fault-ack" onClick={() => void getStore().acknowledgeFault(fault.deviceId, fault.kind).then(setError)}>
          {t('faultAck')}
        </button>
      </div>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </li>
  );
}

/** `faults`: the unacknowledged ones, in the order to list them (shared/consoleView.ts faultsToList). */
export function FaultList({ faults, schools, terminals }: { faults: OpenFault[]; schools: Map<string, School>; terminals: Map<string, Terminal> }) {
  const { t } = useI18n();
  const [expanded, setExpanded] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  if (faults.length === 0) return null;
  const shown = expanded ? faults : faults.slice(0, FAULTS_SHOWN);
  // One command per fault: each is journalled on its own, with the officer's name, as if acknowledged by hand.
  const acknowledgeAll = async (): Promise<void> => {
    setBusy(true);
    const errors: string[] = [];
    for (const f of faults) {
      const e = await getStore().acknowledgeFault(f.deviceId, f.kind);
      if (e) errors.push(e);
    }
    setBusy(false);
    setError(errors[0] && (errors.length > 1 ? `${errors[0]} (+${errors.length - 1})` : errors[0]));
  };
  return (
    <section className={`faults ${expanded ? 'expanded' : 'collapsed'}`} data-testid="faults" data-count={faults.length} aria-label={t('faultsTitle')}>
      <h2>
        <span>
          {t('faultsTitle')} <span className="count">{faults.length}</span>
        </span>
        <span className="fault-actions">
          {faults.length > FAULTS_SHOWN && (
            <button className="plain" data-testid="faults-toggle" aria-expanded={expanded} onClick={() => setExpanded((x) => !x)}>
              {expanded ? t('faultsCollapse') : t('faultsExpand', { n: faults.length })}
            </button>
          )}
          <button className="fault-ack-all" data-testid="faults-ack-all" disabled={busy} onClick={() => void acknowledgeAll()}>
            {t('faultsAckAll', { n: faults.length })}
          </button>
        </span>
      </h2>
      <ul>
        {shown.map((f) => {
          const term = terminals.get(f.deviceId);
          return <FaultItem key={`${f.deviceId}/${f.kind}`} fault={f} terminal={term} school={term ? schools.get(term.schoolId) : undefined} />;
        })}
      </ul>
      {error && (
        <div className="error" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
