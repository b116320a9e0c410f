// renderer/ — operator login. Every later action is recorded under this operator. A new account, or one an admin
// reset, must set a password of its own here before the console opens (the core issues no session until then).
import { useState, type FormEvent } from 'react';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../shared/adminWire';
import { useI18n } from '../i18n';
import { getStore, type ConsoleState } from '../store';

export function Login({ state, onToggleLang }: { state: ConsoleState; onToggleLang: () => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  /** The core said this account must set a new password first. */
  const [change, setChange] = useState(false);
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    if (change && next !== repeat) return setMismatch(true);
    setMismatch(false);
    setBusy(true);
    void getStore()
      .login(username.trim(), password, change ? next : undefined)
      .then((r) => {
        if (r === 'change') setChange(true);
      })
      .finally(() => setBusy(false));
  };
  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-label={t('login')}>
        <h1>{t('appTitle')}</h1>
        <p className="hint">{t('loginHint')}</p>
        <label>
          {t('username')}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus readOnly={change} />
        </label>
        <label>
          {t('password')}
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            readOnly={change}
          />
        </label>
        {change && (
          <fieldset className="pw-change" data-testid="password-change">
            <legend>{t('pwChangeTitle')}</legend>
            <p className="hint">{t('pwChangeHint')}</p>
            <label>
              {t('pwNew')}
              <input
                name="newPassword"
                type="password"
                autoComplete="new-password"
                value={next}
                onChange={(e) => setNext(e.target.value)}
                required
                minLength={MIN_PASSWORD_LENGTH}
                maxLength={MAX_PASSWORD_LENGTH}
                autoFocus
              />
            </label>
            <label>
              {t('pwRepeat')}
              <input
                name="repeatPassword"
                type="password"
                autoComplete="new-password"
                value={repeat}
                onChange={(e) => setRepeat(e.target.value)}
                required
                minLength={MIN_PASSWORD_LENGTH}
                maxLength={MAX_PASSWORD_LENGTH}
              />
            </label>
          </fieldset>
        )}
        {(mismatch || state.error) && (
          <p className="error" role="alert">
            {mismatch ? t('pwMismatch') : state.error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t('loggingIn') : change ? t('pwSet') : t('login')}
        </button>
        <button type="button" className="link" onClick={onToggleLang}>
          {t('language')}
        </button>
      </form>
    </main>
  );
}
