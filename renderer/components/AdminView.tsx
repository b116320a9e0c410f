// renderer/ — the admin screen (issue 14): the admin's whole job, one section at a time. Terminals with the targets and
// the data exchange (the first section, as it always was), operator accounts, units and their tokens, schools, guard
// posts and police rooms, and the station's settings (renderer/components/admin/). The core checks the role; this
// screen is only shown to admins.
import { useState } from 'react';
import type { DeviceHealth } from '../../shared/consoleApi';
import type { ReferenceData } from '../../shared/model';
import { DEFAULT_TARGETS } from '../../shared/response';
import { useI18n, type I18n } from '../i18n';
import { useConsole } from '../store';
import { OperatorsSection } from './admin/OperatorsSection';
import { RecordsSection } from './admin/RecordsSection';
import { TargetsEditor } from './admin/TargetsEditor';
import { TerminalsSection } from './admin/TerminalsSection';
import { UnitsSection } from './admin/UnitsSection';
import { DataExchangeView } from './DataExchangeView';
import { SettingsPanel } from './admin/SettingsPanel';

const SECTIONS = [
  ['terminals', 'admSecTerminals'],
  ['operators', 'admSecOperators'],
  ['units', 'admSecUnits'],
  ['schools', 'admSecSchools'],
  ['posts', 'admSecPosts'],
  ['rooms', 'admSecRooms'],
  ['settings', 'admSecSettings'],
] as const satisfies readonly (readonly [string, Parameters<I18n['t']>[0]])[];
type Section = (typeof SECTIONS)[number][0];

export function AdminView({ reference, health }: { reference: ReferenceData | undefined; health: DeviceHealth[] }) {
  const { t } = useI18n();
  const me = useConsole().operator?.username;
  const [section, setSection] = useState<Section>('terminals');
  return (
    <section className="admin" data-testid="admin">
      <nav className="adm-nav" aria-label={t('tabAdmin')}>
        {SECTIONS.map(([id, label]) => (
          <button
            key={id}
            type="button"
            className={section === id ? 'active' : ''}
            aria-pressed={section === id}
            data-testid={`admin-sec-${id}`}
            onClick={() => setSection(id)}
          >
            {t(label)}
          </button>
        ))}
      </nav>
      {section === 'terminals' && (
        <>
          <TargetsEditor targets={reference?.targets ?? DEFAULT_TARGETS} />
          <DataExchangeView />
          <TerminalsSection reference={reference} health={health} />
        </>
      )}
      {section === 'operators' && <OperatorsSection me={me} stations={reference?.stations} />}
      {section === 'units' && <UnitsSection reference={reference} />}
      {section === 'schools' && <RecordsSection key="schools" kind="schools" reference={reference} />}
      {section === 'posts' && <RecordsSection key="posts" kind="guardPosts" reference={reference} />}
      {section === 'rooms' && <RecordsSection key="rooms" kind="policeRooms" reference={reference} />}
      {section === 'settings' && <SettingsPanel reference={reference} />}
    </section>
  );
}
