// renderer/ — the period and class pickers the statistics and the history share: this month, last month, the last
// 7 days or two dates on the station's calendar, and real alarms, drills or tests (never mixed). Test ids are
// `${prefix}-period`, `-from`, `-to` and `-class`.
import type { IncidentClass } from '../../shared/responseStats';
import { useI18n } from '../i18n';
import type { PeriodChoice } from './statsRows';

export const PERIOD_CHOICES: readonly PeriodChoice[] = ['thisMonth', 'lastMonth', 'last7', 'custom'];
export const INCIDENT_CLASSES: readonly IncidentClass[] = ['real', 'drill', 'test'];

export interface PeriodControlsProps {
  prefix: string;
  choice: PeriodChoice;
  onChoice: (c: PeriodChoice) => void;
  custom: { from: string; to: string };
  onCustom: (c: { from: string; to: string }) => void;
  cls: IncidentClass;
  onClass: (c: IncidentClass) => void;
}

export function PeriodControls({ prefix, choice, onChoice, custom, onCustom, cls, onClass }: PeriodControlsProps) {
  const { t, c } = useI18n();
  const label = (p: PeriodChoice): string =>
    t(p === 'thisMonth' ? 'statsThisMonth' : p === 'lastMonth' ? 'statsLastMonth' : p === 'last7' ? 'statsLast7' : 'statsCustom');
  return (
    <>
      <label>
        {t('statsPeriod')}
        <select data-testid={`${prefix}-period`} value={choice} onChange={(e) => onChoice(e.target.value as PeriodChoice)}>
          {PERIOD_CHOICES.map((p) => (
            <option key={p} value={p}>
              {label(p)}
            </option>
          ))}
        </select>
      </label>
      {choice === 'custom' && (
        <>
          <label>
            {t('statsFrom')}
            <input
              data-testid={`${prefix}-from`}
              value={custom.from}
              size={10}
              maxLength={10}
              onChange={(e) => onCustom({ ...custom, from: e.target.value })}
            />
          </label>
          <label>
            {t('statsTo')}
            <input data-testid={`${prefix}-to`} value={custom.to} size={10} maxLength={10} onChange={(e) => onCustom({ ...custom, to: e.target.value })} />
          </label>
        </>
      )}
      <label>
        {t('statsClass')}
        <select data-testid={`${prefix}-class`} value={cls} onChange={(e) => onClass(e.target.value as IncidentClass)}>
          {INCIDENT_CLASSES.map((k) => (
            <option key={k} value={k}>
              {c.statsClasses[k]}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
