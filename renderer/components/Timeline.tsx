// renderer/ — an incident's timeline as recorded: each moment at the station's clock, seconds after receipt, what
// happened (recorded codes in the reader's language), the unit and who did it. The live panel and the history's
// read-only view show the same list.
import type { Incident } from '../../shared/incidents';
import type { ReferenceData } from '../../shared/model';
import { useI18n } from '../i18n';
import { clockTime, stationDate } from '../time';

export function Timeline({ inc, reference, withDate = false }: { inc: Incident; reference: ReferenceData | undefined; withDate?: boolean }) {
  const { c, name } = useI18n();
  /** Recorded codes (kind, disposition, unit state, dispatch mode) in the reader's language. */
  const detailOf = (type: string, detail: string): string => {
    const table: Record<string, Record<string, string>> = {
      'alarm.received': c.kinds,
      'incident.resolved': c.dispositions,
      'dispatch.progress': c.dispatchStates,
      'incident.dispatched': c.dispatchModes,
    };
    return table[type]?.[detail] ?? detail;
  };
  return (
    <ol className="timeline" data-testid="timeline">
      {inc.timeline.map((e, i) => (
        <li key={i} data-type={e.type}>
          <span className="t">{withDate ? `${stationDate(e.at)} ${clockTime(e.at)}` : clockTime(e.at)}</span>
          <span className="plus">+{((e.at - inc.receivedAt) / 1000).toFixed(1)} s</span>
          <span className="what">
            {c.events[e.type]}
            {e.unitId &&
              ` · ${name(
                reference?.units.find((u) => u.id === e.unitId),
                e.unitId,
              )}`}
            {e.detail && ` · ${detailOf(e.type, e.detail)}`}
          </span>
          {e.by && <span className="by">{e.by}</span>}
        </li>
      ))}
    </ol>
  );
}
