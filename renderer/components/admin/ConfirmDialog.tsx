// renderer/ — the admin screen's confirmation, in the page (not window.confirm, which speaks the browser's language and
// blocks the console's own sounds and updates): `ask(text)` resolves true on 确定, false on 取消 or Esc.
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { useI18n } from '../../i18n';

export function useConfirm(): [ReactNode, (text: string) => Promise<boolean>] {
  const { t } = useI18n();
  const [open, setOpen] = useState<{ text: string; resolve: (ok: boolean) => void }>();
  const confirmRef = useRef<HTMLButtonElement>(null);
  const ask = useCallback((text: string) => new Promise<boolean>((resolve) => setOpen({ text, resolve })), []);
  const close = (ok: boolean): void => {
    open?.resolve(ok);
    setOpen(undefined);
  };
  useEffect(() => {
    if (open) confirmRef.current?.focus();
  }, [open]);
  const dialog = open ? (
    <div className="adm-dialog-backdrop">
      <div
        className="adm-dialog"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="adm-dialog-title"
        data-testid="confirm-dialog"
        onKeyDown={(e) => {
          if (e.key === 'Escape') close(false);
        }}
      >
        <h3 id="adm-dialog-title">{t('admDialogTitle')}</h3>
        <p>{open.text}</p>
        <div className="adm-dialog-actions">
          <button type="button" onClick={() => close(false)} data-testid="confirm-cancel">
            {t('admCancel')}
          </button>
          <button type="button" className="danger" ref={confirmRef} onClick={() => close(true)} data-testid="confirm-ok">
            {t('admConfirm')}
          </button>
        </div>
      </div>
    </div>
  ) : null;
  return [dialog, ask];
}

/** A secret (a password or a device token) the core gave out once: shown until the admin closes it. */
export function SecretNotice({ text, secret, extra, onDone }: { text: string; secret: string; extra?: string; onDone: () => void }) {
  const { t } = useI18n();
  return (
    <div className="secret" role="alert" data-testid="new-secret">
      <p>{text}</p>
      <code data-testid="secret-value">{secret}</code>
      {extra && <p>{extra}</p>}
      <button type="button" onClick={onDone}>
        {t('adminDone')}
      </button>
    </div>
  );
}
