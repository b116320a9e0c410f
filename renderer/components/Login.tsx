// renderer/ — operator login. Every later action is recorded under this operator.
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n';
import { getStore, type ConsoleState } from '../store';

export function Login({ state, onToggleLang }: { state: ConsoleState; onToggleLang: () => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setBusy(true);
    void getStore()
      .login(username.trim(), password)
      .finally(() => setBusy(false));
  };
  return (
    <main className="login">
      <form className="login-card" onSubmit={submit} aria-label={t('login')}>
        <h1>{t('appTitle')}</h1>
        <p className="hint">{t('loginHint')}</p>
        <label>
          {t('username')}
          <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </label>
        <label>
          {t('password')}
          <input name="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </label>
        {state.error && (
          <p className="error" role="alert">
            {state.error}
          </p>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t('loggingIn') : t('login')}
        </button>
        <button type="button" className="link" onClick={onToggleLang}>
          {t('language')}
        </button>
      </form>
    </main>
  );
}
