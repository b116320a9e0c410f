// renderer/ — the console's theme: night (dark, the default) or day (light, high contrast), remembered per console
// (localStorage) and applied as data-theme on <html>; the colours are CSS variables in styles.css.
export type Theme = 'night' | 'day';

const THEME_KEY = 'station.theme';

export const storedTheme = (): Theme => (localStorage.getItem(THEME_KEY) === 'day' ? 'day' : 'night');

export function applyTheme(theme: Theme): void {
  if (theme === 'day') document.documentElement.dataset.theme = 'day';
  else delete document.documentElement.dataset.theme;
}

export function saveTheme(theme: Theme): void {
  localStorage.setItem(THEME_KEY, theme);
  applyTheme(theme);
}
