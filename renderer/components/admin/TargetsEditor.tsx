// renderer/ — the response targets on the admin screen, edited in the units people think in; the core validates them.
import { useState, type FormEvent } from 'react';
import type { TargetProfile } from '../../../shared/response';
import { useI18n } from '../../i18n';
import { getStore } from '../../store';

/** The target profile, edited in the units people think in (seconds, minutes); the core validates it. */
export function TargetsEditor({ targets }: { targets: TargetProfile }) {
  const { t } = useI18n();
  const [msg, setMsg] = useState<string>();
  const fields: [string, string, number, number][] = [
    ['ack', t('targetAck'), targets.acknowledgeMs / 1000, 1],
    ['dispatch', t('targetDispatch'), targets.dispatchMs / 1000, 1],
    ['urban', t('targetUrban'), targets.onSceneMs.urban / 60_000, 0.5],
    ['suburban', t('targetSuburban'), targets.onSceneMs.suburban / 60_000, 0.5],
    ['rural', t('targetRural'), targets.onSceneMs.rural / 60_000, 0.5],
    ['road', t('targetRoad'), targets.roadFactor, 0.1],
    ['speed', t('targetSpeed'), targets.speedKmh, 1],
  ];
  const save = (e: FormEvent<HTMLFormElement>): void => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const n = (k: string): number => Number(f.get(k));
    const profile: TargetProfile = {
      showMs: targets.showMs,
      acknowledgeMs: Math.round(n('ack') * 1000),
      dispatchMs: Math.round(n('dispatch') * 1000),
      onSceneMs: { urban: Math.round(n('urban') * 60_000), suburban: Math.round(n('suburban') * 60_000), rural: Math.round(n('rural') * 60_000) },
      roadFactor: n('road'),
      speedKmh: n('speed'),
    };
    void getStore()
      .command('admin:setTargets', { profile })
      .then((err) => setMsg(err ?? t('targetsSaved')));
  };
  return (
    <form className="add targets" onSubmit={save} data-testid="targets">
      <h2>{t('targetsTitle')}</h2>
      {fields.map(([name, label, value, step]) => (
        <label key={`${name}-${value}`}>
          {label}
          <input name={name} type="number" step={step} min={step} defaultValue={value} required />
        </label>
      ))}
      <button type="submit">{t('targetsSave')}</button>
      {msg && <span role="status">{msg}</span>}
    </form>
  );
}
