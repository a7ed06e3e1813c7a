import i18next, { type i18n as I18n } from 'i18next';
import { initReactI18next } from 'react-i18next';
import { en } from './en.js';
import { fa, type Resources } from './fa.js';

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

/** Sets `<html lang dir>` for a language: Persian is right-to-left. */
export function applyDocumentLang(lang: Lang, doc: Document = document): void {
  doc.documentElement.lang = lang;
  doc.documentElement.dir = lang === 'fa' ? 'rtl' : 'ltr';
}

/** A ready i18next instance; switching language also switches the document's direction and is remembered. */
export async function createI18n(lang: Lang = storedLang()): Promise<I18n> {
  const instance = i18next.createInstance();
  instance.on('languageChanged', (next) => {
    if (!isLang(next)) return;
    applyDocumentLang(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // Private mode: the choice lasts for this page only.
    }
  });
  await instance.use(initReactI18next).init({
    lng: lang,
    fallbackLng: 'fa',
    supportedLngs: LANGS,
    resources: { fa: { translation: fa }, en: { translation: en } },
    interpolation: { escapeValue: false }, // React escapes
    returnNull: false,
  });
  applyDocumentLang(lang);
  return instance;
}

export function currentLang(instance: I18n): Lang {
  return isLang(instance.language) ? instance.language : 'fa';
}
