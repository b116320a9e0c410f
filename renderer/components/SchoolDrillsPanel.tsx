// renderer/ — the plan board's register of drills schools held without pressing their alarm (学校自行组织的应急演练):
// an officer or the chief registers one (school, day, kind, a note); each counts towards the school's drills this
// semester beside its drill alarms. Every registration is a journal record with their name (main/core/stationPlan.ts).
import { useState, type FormEvent } from 'react';
import { SCHOOL_DRILL_KINDS, type SchoolDrillKind } from '../../shared/events';
import type { ReferenceData } from '../../shared/model';
import type { SchoolDrill } from '../../shared/planRecords';
import { useI18n } from '../i18n';
import { getStore } from '../store';
import { SchoolSelect } from './SchoolSelect';

export function SchoolDrillsPanel({
  reference,
  drills,
  today,
  onChanged,
}: {
  reference: ReferenceData | undefined;
  drills: readonly SchoolDrill[];
  today: string;
  onChanged: () => void;
}) {
  const { t, c, name } = useI18n();
  const canRecord = getStore().canRecordPlan();
  const [form, setForm] = useState<{ schoolId: string; date: string; kind: SchoolDrillKind; note: string }>({
    schoolId: '',
    date: today,
    kind: 'earthquake',
    note: '',
  });
  const [error, setError] = useState<string>();
  const schools = new Map((reference?.schools ?? []).map((s) => [s.id, s]));

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const err = await getStore().registerDrill(form);
    setError(err);
    if (!err) {
      setForm({ ...form, schoolId: '', note: '' });
      onChanged();
    }
  };

  return (
    <section className="inspections" data-testid="school-drills">
      <h3>{t('drillTitle')}</h3>
      <p className="muted small">{t('drillNote')}</p>
      {canRecord && (
        <form className="stats-controls" data-testid="drill-form" onSubmit={(e) => void submit(e)}>
          <label>
            {t('boardSchool')}
            <SchoolSelect
              schools={reference?.schools}
              value={form.schoolId}
              onChange={(schoolId) => setForm({ ...form, schoolId })}
              empty="—"
              testId="drill-school"
              required
            />
          </label>
          <label>
            {t('drillDate')}
            <input data-testid="drill-date" value={form.date} size={10} maxLength={10} required onChange={(e) => setForm({ ...form, date: e.target.value })} />
          </label>
          <label>
            {t('drillKind')}
            <select data-testid="drill-kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as SchoolDrillKind })}>
              {SCHOOL_DRILL_KINDS.map((k) => (
                <option key={k} value={k}>
                  {c.drillKinds[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('drillNoteField')}
            <input data-testid="drill-note" value={form.note} maxLength={1000} size={30} onChange={(e) => setForm({ ...form, note: e.target.value })} />
          </label>
          <button type="submit" data-testid="drill-submit">
            {t('drillRecord')}
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {drills.length === 0 ? (
        <p className="muted">{t('drillNone')}</p>
      ) : (
        <table data-testid="drill-rows">
          <thead>
            <tr>
              <th>{t('drillDate')}</th>
              <th>{t('boardSchool')}</th>
              <th>{t('drillKind')}</th>
              <th>{t('drillNoteField')}</th>
              <th>{t('drillBy')}</th>
            </tr>
          </thead>
          <tbody>
            {drills.map((d) => (
              <tr key={d.id} data-testid="drill-row" data-school-id={d.schoolId}>
                <td>{d.date}</td>
                <td>{name(schools.get(d.schoolId), d.schoolId)}</td>
                <td>{c.drillKinds[d.kind]}</td>
                <td>{d.note}</td>
                <td>{d.recordedBy.displayName}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
