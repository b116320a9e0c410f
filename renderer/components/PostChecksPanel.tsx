// renderer/ — guard posts (护学岗) checked in and out on the console: each post with its schedule, whether it is
// staffed now (checked in by an officer here, or by the post's own device over /unit) and since when, and this
// semester's share of its scheduled peak windows actually staffed. An officer or the chief checks a post in or out;
// each check is a journal record with their name (main/core/stationPlan.ts).
import { useMemo, useState } from 'react';
import type { GuardPost, ReferenceData } from '../../shared/model';
import type { PeakCoverage } from '../../shared/planBoard';
import type { PostShift } from '../../shared/planRecords';
import { format, useI18n } from '../i18n';
import { getStore } from '../store';
import { stationParts } from '../time';
import { SchoolSelect } from './SchoolSelect';

const hhmm = (ms: number): string => {
  const p = stationParts(ms);
  return `${String(p.month).padStart(2, '0')}-${String(p.day).padStart(2, '0')} ${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
};

export function PostChecksPanel({
  reference,
  shifts,
  coverage,
  onChanged,
}: {
  reference: ReferenceData | undefined;
  shifts: readonly PostShift[];
  /** This semester's coverage of each post's own windows, by post id. */
  coverage: ReadonlyMap<string, PeakCoverage>;
  onChanged: () => void;
}) {
  const { t, c, name } = useI18n();
  const canRecord = getStore().canRecordPlan();
  const [schoolId, setSchoolId] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const schools = useMemo(() => new Map((reference?.schools ?? []).map((s) => [s.id, s])), [reference]);
  const open = useMemo(() => {
    const m = new Map<string, PostShift>();
    for (const s of shifts) if (s.to === undefined) m.set(s.postId, s);
    return m;
  }, [shifts]);
  const posts: GuardPost[] = (reference?.guardPosts ?? []).filter((p) => schoolId === '' || p.schoolId === schoolId);
  // Staffed posts first (an officer checks them out at the end of the peak), then by school.
  posts.sort((a, b) => Number(open.has(b.id)) - Number(open.has(a.id)) || a.schoolId.localeCompare(b.schoolId) || a.id.localeCompare(b.id));
  const shown = posts.slice(0, 200);

  const check = async (postId: string, state: 'in' | 'out'): Promise<void> => {
    setBusy(postId);
    const err = await getStore().checkPost({ postId, state });
    setBusy(undefined);
    setError(err);
    if (!err) onChanged();
  };

  return (
    <section className="inspections" data-testid="post-checks">
      <h3>{t('postTitle')}</h3>
      <p className="muted small">{t('postNote')}</p>
      <div className="stats-controls">
        <label>
          {t('boardSchool')}
          <SchoolSelect schools={reference?.schools} value={schoolId} onChange={setSchoolId} empty={t('postAllSchools')} testId="post-school" />
        </label>
        <span className="muted">{format(c.postStaffedNow, { n: open.size })}</span>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table data-testid="post-rows">
        <thead>
          <tr>
            <th>{t('postName')}</th>
            <th>{t('boardSchool')}</th>
            <th>{t('postTimes')}</th>
            <th>{t('postNow')}</th>
            <th>{t('postSemester')}</th>
            {canRecord && <th />}
          </tr>
        </thead>
        <tbody>
          {shown.map((p) => {
            const shift = open.get(p.id);
            const cov = coverage.get(p.id);
            return (
              <tr key={p.id} data-testid="post-row" data-post-id={p.id} data-staffed={shift ? 'yes' : 'no'}>
                <td>{p.name}</td>
                <td>{name(schools.get(p.schoolId), p.schoolId)}</td>
                <td>{p.windows.map((w) => `${w.start}–${w.end}`).join(' · ')}</td>
                <td className={shift ? 'ok' : undefined}>{shift ? format(c.postInSince, { at: hhmm(shift.from), by: shift.inBy }) : t('postOff')}</td>
                <td className={cov && cov.windows > 0 && cov.staffed < cov.windows ? 'below' : undefined}>
                  {cov && cov.windows > 0 ? `${cov.staffed}/${cov.windows}` : '—'}
                </td>
                {canRecord && (
                  <td>
                    <button
                      type="button"
                      data-testid={shift ? 'post-out' : 'post-in'}
                      disabled={busy === p.id}
                      onClick={() => void check(p.id, shift ? 'out' : 'in')}
                    >
                      {shift ? t('postCheckOut') : t('postCheckIn')}
                    </button>
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
      {posts.length > shown.length && <p className="muted small">{format(c.postMore, { n: posts.length - shown.length })}</p>}
    </section>
  );
}
