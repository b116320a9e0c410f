// renderer/ — stations on the console (issue 15, shared/stations.ts): whether this console sees several stations (the
// county command view), each school's station name for its column, and the county's station filter applied to a list.
import { useMemo } from 'react';
import type { ReferenceData, School } from '../../shared/model';
import { referenceOfStation, stationName, stationOf } from '../../shared/stations';
import { useI18n } from '../i18n';
import type { Names } from './statsRows';

/** Whether the console sees more than one station: the county view, with a station column and filter everywhere. */
export function seesStations(reference: ReferenceData | undefined): boolean {
  return (reference?.stations?.length ?? 0) > 1;
}

/**
 * A school's station name, by school id, when the console sees several stations; undefined otherwise (a station's
 * console needs no column of its one station).
 */
export function stationNamer(reference: ReferenceData | undefined, en: boolean): ((schoolId: string) => string) | undefined {
  if (!seesStations(reference)) return undefined;
  const schools = new Map((reference?.schools ?? []).map((s) => [s.id, s]));
  return (schoolId) => {
    const s = schools.get(schoolId);
    return s ? stationName(reference?.stations, stationOf(s), en) : '—';
  };
}

/** A station's name by its id ('' the default station: `fallback`), for the statistics grouped by station. */
export function stationNameOf(reference: ReferenceData | undefined, en: boolean, fallback: string): (stationId: string) => string {
  return (id) => (id === '' ? fallback : stationName(reference?.stations, id, en));
}

/** Whether a school passes the county's station filter (absent: every school). */
export function inStationFilter(school: School | undefined, filter: string | undefined): boolean {
  return filter === undefined || (school !== undefined && stationOf(school) === filter);
}

/**
 * The reference data under the county view's station filter (absent: all of it): that station's schools, terminals,
 * posts, rooms and units, as its own console has them (shared/stations.ts referenceOfStation) — for the board and the
 * map.
 */
export function filterReference(reference: ReferenceData | undefined, filter: string | undefined): ReferenceData | undefined {
  return !reference || filter === undefined ? reference : referenceOfStation(reference, filter);
}

/** The names a report shows — schools, units, each school's station, a station by id — in the interface language (History and Statistics alike). */
export function useReportNames(reference: ReferenceData | undefined): Names {
  const { t, name, lang } = useI18n();
  return useMemo(() => {
    const schools = new Map((reference?.schools ?? []).map((s) => [s.id, s]));
    const units = new Map((reference?.units ?? []).map((u) => [u.id, u]));
    return {
      school: (id) => name(schools.get(id), id),
      unit: (id) => name(units.get(id), id),
      station: stationNamer(reference, lang === 'en'),
      stationName: stationNameOf(reference, lang === 'en', t('admDefaultStation')),
    };
  }, [reference, name, lang, t]);
}

/**
 * Whose figures an exported file holds, for its name: `-<station id>` on a station's console or under the county's
 * station filter, `-county` for the whole county, '' for a single station (no stations). The id is the admin's: any
 * character that is not a letter, a digit, `_` or `-` becomes `_`, and it is cut at 40.
 */
export function stationFilePart(reference: ReferenceData | undefined, stationFilter: string | undefined): string {
  const id = stationFilter ?? reference?.stationId;
  if (id !== undefined) return `-${[...id.replace(/[^\p{L}\p{N}_-]/gu, '_')].slice(0, 40).join('') || '_'}`;
  return seesStations(reference) ? '-county' : '';
}
