// renderer/ — keyboard shortcuts: one hook that binds single keys on the window, never while the officer types in a
// field (input, textarea, select, contenteditable) and never with Ctrl, Alt or Meta (the browser's own shortcuts).
import { useEffect, useRef } from 'react';

/** Whether a key event comes from a place where the officer types (a shortcut must not fire there). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
}

/** The shortcut a key event means ('a', 'j', '?', 'Escape' …), or undefined when it is none. */
export function shortcutOf(e: KeyboardEvent): string | undefined {
  if (e.ctrlKey || e.altKey || e.metaKey || e.isComposing || e.defaultPrevented) return undefined;
  if (e.key === 'Escape') return 'Escape';
  if (isTyping(e.target)) return undefined;
  return e.key.length === 1 ? e.key.toLowerCase() : e.key;
}

/**
 * Binds `keys` (shortcut → action) while mounted and `enabled`. The latest actions are used (no re-binding on
 * every render). Escape also fires from a field, so a dialog closes from its own input.
 */
export function useKeys(keys: Record<string, () => void>, enabled = true): void {
  const latest = useRef(keys);
  useEffect(() => {
    latest.current = keys;
  });
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent): void => {
      const key = shortcutOf(e);
      const action = key !== undefined ? latest.current[key] : undefined;
      if (!action) return;
      e.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [enabled]);
}
