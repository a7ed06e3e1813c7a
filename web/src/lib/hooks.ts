import { type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from '../api/errors.js';
import { isLang, type Lang } from '../i18n/index.js';

/** The UI language. */
export function useLang(): Lang {
  const { i18n } = useTranslation();
  return isLang(i18n.language) ? i18n.language : 'fa';
}

/** The current time, refreshed every `intervalMs` while `active`. */
export function useNow(intervalMs: number, active = true): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
  return now;
}

/**
 * What a form or a button asks of the server: `busy` while it runs, and the error's text when it
 * fails (the server's own words, in the UI language). `run` answers whether it went through.
 */
export function useAction() {
  const { t } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(
    async (action: () => Promise<unknown>): Promise<boolean> => {
      setBusy(true);
      setError(null);
      try {
        await action();
        return true;
      } catch (e) {
        setError(errorText(e, t));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [t],
  );
  return { busy, error, setError, run };
}

/**
 * Which of a few panels (or forms) is open, and what opened it: `close` puts focus back on the
 * opener, so a keyboard user is where they were.
 */
export function useDisclosure<T extends string>() {
  const [open, setOpen] = useState<T | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const close = useCallback(() => {
    setOpen(null);
    const back = opener.current;
    opener.current = null;
    if (back?.isConnected) back.focus();
  }, []);
  const show = useCallback((value: T) => {
    if (document.activeElement instanceof HTMLElement) opener.current = document.activeElement;
    setOpen(value);
  }, []);
  const toggle = useCallback((value: T) => (open === value ? close() : show(value)), [open, close, show]);
  return { open, show, toggle, close };
}

/** A panel's `onKeyDown`: Escape closes it, unless something inside (a dialog, a picker) used it. */
export function closeOnEscape(close: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    event.stopPropagation();
    close();
  };
}
