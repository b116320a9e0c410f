// renderer/ — 处置完毕: the disposition picker of one incident. It starts empty for a real alarm (the officer must
// choose) and from the kind for drills and tests, never from the incident shown before (the panel mounts it per
// incident). A disposition that contradicts the incident (shared/incidentRules.ts dispositionConflict) needs a
// reason, sent as the override the core asks for.
import { useState } from 'react';
import { MAX_NOTE_LENGTH, MAX_REASON_LENGTH } from '../../shared/consoleContract';
import { DISPOSITIONS, type Disposition } from '../../shared/events';
import { dispositionConflict, natureOf, type Incident } from '../../shared/incidents';
import { useI18n } from '../i18n';

/** What the picker starts from: the kind for a drill or a test, nothing for a real alarm. */
export const initialDisposition = (inc: Pick<Incident, 'kind' | 'drill'>): Disposition | '' => {
  const nature = natureOf(inc);
  return nature === 'real' ? '' : nature;
};

export function ResolveForm({ inc, onResolve }: { inc: Incident; onResolve: (disposition: Disposition, note: string, override?: { reason: string }) => void }) {
  const { t, c } = useI18n();
  const [disposition, setDisposition] = useState<Disposition | ''>(initialDisposition(inc));
  const [reason, setReason] = useState('');
  const conflict = disposition === '' ? undefined : dispositionConflict(inc, disposition);
  const ready = (d: Disposition | ''): d is Disposition => d !== '' && (conflict === undefined || reason.trim() !== '');
  return (
    <form
      className="resolve"
      data-testid="resolve"
      onSubmit={(e) => {
        e.preventDefault();
        if (!ready(disposition)) return;
        const note = (new FormData(e.currentTarget).get('note') as string | null) ?? '';
        onResolve(disposition, note, conflict !== undefined ? { reason: reason.trim() } : undefined);
      }}
    >
      <select value={disposition} onChange={(e) => setDisposition(e.target.value as Disposition | '')} name="disposition" aria-label={t('dispositionChoose')}>
        <option value="" disabled>
          {t('dispositionChoose')}
        </option>
        {DISPOSITIONS.map((d) => (
          <option key={d} value={d}>
            {c.dispositions[d]}
          </option>
        ))}
      </select>
      <input name="note" placeholder={t('resolveNote')} aria-label={t('resolveNote')} maxLength={MAX_NOTE_LENGTH} />
      {conflict !== undefined && (
        <label className="override" data-testid="override">
          <span>{t('dispositionConflict', { nature: c.natures[conflict] })}</span>
          <input name="override" value={reason} maxLength={MAX_REASON_LENGTH} placeholder={t('overrideReason')} onChange={(e) => setReason(e.target.value)} />
        </label>
      )}
      <button type="submit" disabled={!ready(disposition)}>
        {t('resolve')}
      </button>
    </form>
  );
}
