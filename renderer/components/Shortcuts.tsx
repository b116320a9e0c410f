// renderer/ — the console's keyboard: 接警 on the most urgent alarm, next/previous alarm, mute for 30 s with a
// reason (journalled), Escape, and the shortcut sheet (?). The incident panel binds its own dispatch key (D).
import { useEffect, useState, type FormEvent } from 'react';
import { MAX_REASON_LENGTH } from '../../shared/consoleContract';
import { entryId, isStored, mostUrgentAlarm, type QueueEntry } from '../../shared/consoleView';
import { useI18n } from '../i18n';
import { getStore } from '../store';
import { useNow } from '../time';
import { useKeys } from './keys';

interface Props {
  queue: readonly QueueEntry[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  /** An alarm was taken (接警): open it and move the focus into its panel. */
  onTaken: (id: string) => void;
  onClosePanel: () => void;
}

/** The card of an alarm gets the focus (and shows it), so Enter and Tab go on from there. */
const focusCard = (id: string): void => document.querySelector<HTMLElement>(`[data-testid="incident"][data-incident-id="${CSS.escape(id)}"]`)?.focus();

export function Shortcuts({ queue, selected, onSelect, onTaken, onClosePanel }: Props) {
  const { t } = useI18n();
  const [sheet, setSheet] = useState(false);
  const [muting, setMuting] = useState(false);
  const [notice, setNotice] = useState<string>();
  useEffect(() => {
    if (notice === undefined) return;
    const h = setTimeout(() => setNotice(undefined), 8000);
    return () => clearTimeout(h);
  }, [notice]);

  const acknowledgeMostUrgent = (): void => {
    const urgent = mostUrgentAlarm(queue);
    if (!urgent || !isStored(urgent) || !getStore().canAcknowledge()) return setNotice(t('nothingToAck'));
    const id = entryId(urgent);
    void getStore()
      .acknowledge(id)
      .then((err) => {
        setNotice(err);
        if (!err) onTaken(id);
      });
  };
  const step = (by: 1 | -1): void => {
    if (queue.length === 0) return;
    const at = queue.findIndex((x) => entryId(x) === selected);
    const next = queue[at === -1 ? (by === 1 ? 0 : queue.length - 1) : (at + by + queue.length) % queue.length]!;
    onSelect(entryId(next));
    focusCard(entryId(next));
  };

  useKeys({
    a: acknowledgeMostUrgent,
    j: () => step(1),
    k: () => step(-1),
    m: () => setMuting(getStore().canAcknowledge()),
    '?': () => setSheet((x) => !x),
    Escape: () => (sheet ? setSheet(false) : muting ? setMuting(false) : notice ? setNotice(undefined) : onClosePanel()),
  });

  const rows: [string, string][] = [
    ['A', t('keyAck')],
    ['J', t('keyNext')],
    ['K', t('keyPrev')],
    ['Enter', t('keyOpen')],
    ['D', t('keyDispatch')],
    ['M', t('keyMute')],
    ['Esc', t('keyClose')],
    ['?', t('keySheet')],
  ];
  return (
    <>
      <button
        className="plain shortcuts-button"
        data-testid="shortcuts-button"
        aria-label={t('shortcutsTitle')}
        title={t('shortcutsTitle')}
        onClick={() => setSheet(true)}
      >
        ⌨ ?
      </button>
      {notice && (
        <div className="key-notice" role="alert" data-testid="key-notice">
          {notice}
        </div>
      )}
      {sheet && (
        <div className="dialog-backdrop" onClick={() => setSheet(false)}>
          <div
            className="dialog"
            role="dialog"
            aria-modal="true"
            aria-labelledby="shortcuts-title"
            data-testid="shortcut-sheet"
            onClick={(e) => e.stopPropagation()}
          >
            <h2 id="shortcuts-title">{t('shortcutsTitle')}</h2>
            <table className="shortcut-table">
              <tbody>
                {rows.map(([key, what]) => (
                  <tr key={key}>
                    <td>
                      <kbd>{key}</kbd>
                    </td>
                    <td>{what}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="hint">{t('shortcutsHint')}</p>
            <button autoFocus onClick={() => setSheet(false)}>
              {t('close')}
            </button>
          </div>
        </div>
      )}
      {muting && <MuteDialog onDone={() => setMuting(false)} />}
    </>
  );
}

/** The mute asks for a reason, which the core journals with the officer's name (sound.muted). */
function MuteDialog({ onDone }: { onDone: () => void }) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string>();
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    void getStore()
      .mute(reason)
      .then((err) => (err ? setError(err) : onDone()));
  };
  return (
    <div className="dialog-backdrop">
      <form className="dialog" role="dialog" aria-modal="true" aria-labelledby="mute-title" data-testid="mute-dialog" onSubmit={submit}>
        <h2 id="mute-title">{t('muteTitle')}</h2>
        <input
          autoFocus
          required
          value={reason}
          maxLength={MAX_REASON_LENGTH}
          aria-label={t('muteReason')}
          placeholder={t('muteReason')}
          data-testid="mute-reason"
          onChange={(e) => setReason(e.target.value)}
        />
        {error && (
          <div className="error" role="alert">
            {error}
          </div>
        )}
        <div className="dialog-actions">
          <button type="submit" data-testid="mute-confirm">
            {t('muteConfirm')}
          </button>
          <button type="button" onClick={onDone}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </div>
  );
}

/** The sound indicator while muted: how long the mute still lasts (the only part that ticks). */
export function MutedFor({ until }: { until: number }) {
  const { t } = useI18n();
  return <>{t('soundMuted', { s: Math.max(0, Math.ceil((until - useNow(1000)) / 1000)) })}</>;
}
