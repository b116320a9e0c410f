// renderer/ — the console's own alerts about itself: the link to the station is lost (a full-width banner, with
// its own sound from the store), and logging out while alarms still await 接警 (the app's own confirmation).
import { useEffect, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { getStore } from '../store';

/** Full width, above everything else, while the link is lost (ConsoleState.linkLost). */
export function LinkLostBanner({ lost }: { lost: boolean }) {
  const { t } = useI18n();
  if (!lost) return null;
  return (
    <div className="banner link-lost" role="alert" data-testid="link-lost-banner">
      <span>{t('linkLostBanner')}</span>
    </div>
  );
}

/** 退出: asks first, naming how many, when alarms still await 接警 (no window.confirm: it would block the sound and the page). */
export function LogoutButton({ awaiting }: { awaiting: number }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const stay = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) stay.current?.focus();
  }, [asking]);
  const logout = (): void => {
    setAsking(false);
    getStore().logout();
  };
  return (
    <>
      <button className="plain" data-testid="logout" onClick={() => (awaiting > 0 ? setAsking(true) : logout())}>
        {t('logout')}
      </button>
      {asking && (
        <div className="dialog-backdrop" onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}>
          <div className="dialog" role="alertdialog" aria-modal="true" aria-labelledby="logout-confirm-text" data-testid="logout-confirm">
            <p id="logout-confirm-text">{t('logoutConfirm', { n: awaiting })}</p>
            <div className="dialog-actions">
              <button ref={stay} data-testid="logout-stay" onClick={() => setAsking(false)}>
                {t('logoutStay')}
              </button>
              <button className="danger" data-testid="logout-anyway" onClick={logout}>
                {t('logoutAnyway')}
              </button>
            </div>
          </div>
        </div>
      )}
    </>
  );
}
