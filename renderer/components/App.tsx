// renderer/ — the console's top level: language, login screen or the duty console.
import { useMemo, useState } from 'react';
import { I18nContext, makeI18n, storedLang, storeLang, type Lang } from '../i18n';
import { useConsole } from '../store';
import { ConsoleView } from './ConsoleView';
import { Login } from './Login';

export function App() {
  const [lang, setLang] = useState<Lang>(storedLang);
  const i18n = useMemo(() => makeI18n(lang), [lang]);
  const state = useConsole();
  const toggleLang = (): void => {
    const next: Lang = lang === 'zh' ? 'en' : 'zh';
    storeLang(next);
    document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
    setLang(next);
  };
  return (
    <I18nContext.Provider value={i18n}>
      {state.phase === 'login' ? <Login state={state} onToggleLang={toggleLang} /> : <ConsoleView state={state} onToggleLang={toggleLang} />}
    </I18nContext.Provider>
  );
}
