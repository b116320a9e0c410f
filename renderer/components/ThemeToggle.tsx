// renderer/ — the header's theme toggle: night ⇄ day, remembered per console (renderer/theme.ts).
import { useState } from 'react';
import { useI18n } from '../i18n';
import { saveTheme, storedTheme, type Theme } from './theme';

export function ThemeToggle() {
  const { t } = useI18n();
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const next: Theme = theme === 'night' ? 'day' : 'night';
  return (
    <button
      className="plain theme-toggle"
      data-testid="theme-toggle"
      data-theme={theme}
      aria-label={next === 'day' ? t('themeDay') : t('themeNight')}
      title={next === 'day' ? t('themeDay') : t('themeNight')}
      onClick={() => {
        saveTheme(next);
        setTheme(next);
      }}
    >
      {next === 'day' ? '☀' : '☾'}
    </button>
  );
}
