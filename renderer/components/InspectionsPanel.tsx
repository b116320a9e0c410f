// renderer/ — the plan board's joint inspections (警校联合检查) of the semester: each with its hidden dangers (隐患),
// open ones past their deadline red; an officer or the chief records a new one (school, day, the two inspectors,
// one hidden danger per line with a rectification deadline) and closes a hidden danger with what was done. Every
// change is a journal record with their name (main/core/stationPlan.ts).
import { useState, type FormEvent } from 'react';
import type { Inspection } from '../../shared/inspections';
import type { ReferenceData } from '../../shared/model';
import { format, useI18n } from '../i18n';
import { getStore } from '../store';
import { SchoolSelect } from './SchoolSelect';

export function InspectionsPanel({
  reference,
  inspections,
  today,
  onChanged,
}: {
  reference: ReferenceData | undefined;
  inspections: readonly Inspection[];
  today: string;
  onChanged: () => void;
}) {
  const { t, c, name } = useI18n();
  const canRecord = getStore().canRecordPlan();
  const [form, setForm] = useState({ schoolId: '', date: today, police: '', education: '', findings: '', deadline: '' });
  const [error, setError] = useState<string>();
  const [closing, setClosing] = useState<{ inspectionId: string; findingId: string; note: string }>();

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const findings = form.findings
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((text) => ({ text, deadline: form.deadline }));
    const err = await getStore().recordInspection({ schoolId: form.schoolId, date: form.date, police: form.police, education: form.education, findings });
    setError(err);
    if (!err) {
      setForm({ ...form, schoolId: '', findings: '', police: '', education: '' });
      onChanged();
    }
  };
  const close = async (): Promise<void> => {
    if (!closing) return;
    const err = await getStore().closeFinding(closing);
    setError(err);
    if (!err) {
      setClosing(undefined);
      onChanged();
    }
  };

  return (
    <section className="inspections" data-testid="inspections">
      <h3>{t('inspTitle')}</h3>
      {canRecord && (
        <form className="stats-controls" data-testid="inspection-form" onSubmit={(e) => void submit(e)}>
          <label>
            {t('boardSchool')}
            <SchoolSelect
              schools={reference?.schools}
              value={form.schoolId}
              onChange={(schoolId) => setForm({ ...form, schoolId })}
              empty="—"
              testId="insp-school"
              required
            />
          </label>
          <label>
            {t('inspDate')}
            <input data-testid="insp-date" value={form.date} size={10} maxLength={10} required onChange={(e) => setForm({ ...form, date: e.target.value })} />
          </label>
          <label>
            {t('inspPolice')}
            <input data-testid="insp-police" value={form.police} maxLength={200} required onChange={(e) => setForm({ ...form, police: e.target.value })} />
          </label>
          <label>
            {t('inspEducation')}
            <input
              data-testid="insp-education"
              value={form.education}
              maxLength={200}
              required
              onChange={(e) => setForm({ ...form, education: e.target.value })}
            />
          </label>
          <label>
            {t('inspFindings')}
            <textarea data-testid="insp-findings" rows={2} cols={34} value={form.findings} onChange={(e) => setForm({ ...form, findings: e.target.value })} />
          </label>
          <label>
            {t('inspDeadline')}
            <input
              data-testid="insp-deadline"
              value={form.deadline}
              size={10}
              maxLength={10}
              required={form.findings.trim() !== ''}
              onChange={(e) => setForm({ ...form, deadline: e.target.value })}
            />
          </label>
          <button type="submit" data-testid="insp-submit">
            {t('inspRecord')}
          </button>
        </form>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {inspections.length === 0 ? (
        <p className="muted">{t('inspNone')}</p>
      ) : (
        <table data-testid="inspection-rows">
          <thead>
            <tr>
              <th>{t('inspDate')}</th>
              <th>{t('boardSchool')}</th>
              <th>{t('inspInspectors')}</th>
              <th>{t('inspFindingsHead')}</th>
            </tr>
          </thead>
          <tbody>
            {inspections.map((i) => (
              <tr key={i.id} data-testid="inspection-row" data-inspection-id={i.id} data-school-id={i.schoolId}>
                <td className="figure">{i.date}</td>
                <td>
                  {name(
                    reference?.schools.find((s) => s.id === i.schoolId),
                    i.schoolId,
                  )}
                </td>
                <td>
                  {i.police} / {i.education}
                </td>
                <td>
                  {i.findings.length === 0 && t('inspNoFindings')}
                  <ul className="findings">
                    {i.findings.map((f) => {
                      const open = f.closedAt === undefined;
                      const late = open && f.deadline < today;
                      return (
                        <li key={f.id} data-testid="finding" data-finding-id={f.id} data-open={open ? 'true' : 'false'} className={late ? 'below' : undefined}>
                          {f.text} · {format(c.inspBy, { d: f.deadline })} ·{' '}
                          {open ? (late ? t('inspLate') : t('inspOpen')) : `${t('inspClosed')}（${f.closedBy?.displayName ?? ''}：${f.note ?? ''}）`}
                          {open && canRecord && (
                            <button className="link" data-testid="finding-close" onClick={() => setClosing({ inspectionId: i.id, findingId: f.id, note: '' })}>
                              {t('inspClose')}
                            </button>
                          )}
                          {closing?.inspectionId === i.id && closing.findingId === f.id && (
                            <span className="close-finding">
                              <input
                                data-testid="finding-note"
                                placeholder={t('inspCloseNote')}
                                value={closing.note}
                                maxLength={1000}
                                onChange={(e) => setClosing({ ...closing, note: e.target.value })}
                              />
                              <button data-testid="finding-close-confirm" onClick={() => void close()}>
                                {t('inspCloseConfirm')}
                              </button>
                            </span>
                          )}
                        </li>
                      );
                    })}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
