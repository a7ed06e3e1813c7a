import i18next, { type BackendModule, type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { onceUntilFailed } from '../lib/once.js';
import { fa, type Resources } from './fa.js';
import type { staffFa } from './staff.fa.js';

export type Lang = 'fa' | 'en';
export const LANGS: readonly Lang[] = ['fa', 'en'];
const STORAGE_KEY = 'abrik.lang';

declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Resources };
  }
}

export function isLang(value: unknown): value is Lang {
  return value === 'fa' || value === 'en';
}

/** The language the person chose before, else Persian. */
export function storedLang(): Lang {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return isLang(value) ? value : 'fa';
  } catch {
    return 'fa';
  }
}

/** Sets `<html lang dir>` for a language (Persian is right-to-left), and the page's title when given. */
export function applyDocumentLang(lang: Lang, doc: Document = document, title?: string): void {
  doc.documentElement.lang = lang;
  doc.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
  if (title) doc.title = title;
}

/**
 * English is a chunk of its own, fetched when it is chosen: Persian (the default, and every
 * language's fallback) comes with the page, and nobody downloads both for the sign-in page.
 */
const lazyEnglish: BackendModule = {
  type: 'backend',
  init() {},
  read(language, _namespace, callback) {
    if (language !== 'en') return callback(null, {});
    import('./en.js').then(
      (module) => callback(null, module.en),
      (error: Error) => callback(error, false),
    );
  },
};

const staffStrings = onceUntilFailed(
  (): Promise<typeof staffFa> => import('./staff.fa.js').then((module) => module.staffFa),
);

/**
 * Adds the Persian texts of the staff's pages (staff.fa.ts, a chunk of its own) to `instance`;
 * the staff's lazily loaded pages wait for it (Shell.tsx). The chunk is fetched once; a failed
 * fetch is forgotten, so the next call tries again. English needs nothing: en.ts is whole.
 */
export function loadStaffStrings(instance: I18n): Promise<void> {
  return staffStrings().then((parts) => {
    // Whole top-level parts, beside fa.ts's (i18n.test.ts checks): no deep merge, which would
    // write them into fa.ts's object itself, the bundle every instance starts from.
    instance.addResourceBundle('fa', 'translation', parts, false, true);
  });
}

/** A ready i18next instance; switching language also switches the document's direction and is remembered. */
export async function createI18n(lang: Lang = storedLang()): Promise<I18n> {
  const instance = i18next.createInstance();
  instance.on('languageChanged', (next) => {
    if (!isLang(next)) return;
    applyDocumentLang(next, document, instance.t('app.name', { lng: next }));
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  });
  await instance
    .use(lazyEnglish)
    .use(initReactI18next)
    .init({
      lng: lang,
      fallbackLng: 'fa',
      supportedLngs: LANGS,
      resources: { fa: { translation: fa } },
      partialBundledLanguages: true,
      interpolation: { escapeValue: false }, // React escapes
      returnNull: false,
    });
  applyDocumentLang(lang, document, instance.t('app.name'));
  return instance;
}

export function currentLang(instance: I18n): Lang {
  return isLang(instance.language) ? instance.language : 'fa';
}
