import { useTranslation } from 'react-i18next';

/** Switches Persian ↔ English; the document's `lang` and `dir` follow (see i18n/index.ts). */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const next = i18n.language === 'fa' ? 'en' : 'fa';
  return (
    <button
      type="button"
      className="link-button"
      data-testid="lang-switch"
      lang={next}
      aria-label={t('lang.label')}
      onClick={() => void i18n.changeLanguage(next)}
    >
      {t('lang.switchTo')}
    </button>
  );
}
