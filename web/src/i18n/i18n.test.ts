import { describe, expect, it, vi } from 'vitest';
import { en } from './en.js';
import { fa } from './fa.js';
import { createI18n, loadStaffStrings, storedLang } from './index.js';
import { staffFa } from './staff.fa.js';

/** Every key of a language's texts, with dots ('conv.status.sent'). */
function keys(texts: object, prefix = ''): string[] {
  return Object.entries(texts).flatMap(([key, value]) =>
    typeof value === 'string' ? [prefix + key] : keys(value, `${prefix}${key}.`),
  );
}

describe('i18n', () => {
  it('starts in Persian, right to left', async () => {
    const i18n = await createI18n();
    expect(i18n.language).toBe('fa');
    expect(document.documentElement.lang).toBe('fa');
    expect(document.documentElement.dir).toBe('rtl');
    expect(i18n.t('signIn.sendCode')).toBe('ارسال کد');
  });

  it('switches to English left to right, and remembers it', async () => {
    const i18n = await createI18n();
    await i18n.changeLanguage('en');
    expect(document.documentElement.lang).toBe('en');
    expect(document.documentElement.dir).toBe('ltr');
    expect(i18n.t('signIn.sendCode')).toBe('Send code');
    expect(storedLang()).toBe('en');
    const again = await createI18n();
    expect(again.language).toBe('en');
    await again.changeLanguage('fa');
    expect(document.documentElement.dir).toBe('rtl');
  });

  it('has the same keys in Persian (with the staff texts) and English', () => {
    expect(keys({ ...fa, ...staffFa }).sort()).toEqual(keys(en).sort());
    // A part in both would be half overwritten by the staff's.
    expect(Object.keys(staffFa).filter((part) => part in fa)).toEqual([]);
  });

  it("has the staff's Persian texts only once loadStaffStrings has added them", async () => {
    const i18n = await createI18n('fa');
    expect(i18n.exists('admin.teams.title')).toBe(false);
    expect(i18n.t('admin.teams.title')).toBe('admin.teams.title');
    await loadStaffStrings(i18n);
    expect(i18n.t('admin.teams.title')).toBe('تیم‌ها');
    expect(i18n.t('sla.title')).toBe(staffFa.sla.title);
    expect(i18n.t('signIn.sendCode')).toBe('ارسال کد');
    // Another instance (the chunk is fetched already) gets them too.
    const other = await createI18n('fa');
    expect(other.exists('admin.teams.title')).toBe(false);
    await loadStaffStrings(other);
    expect(other.exists('admin.teams.title')).toBe(true);
  });

  it('fetches the staff texts again after a failed fetch', async () => {
    vi.resetModules();
    let offline = true;
    vi.doMock('./staff.fa.js', async (original) => {
      if (offline) throw new Error('offline');
      return original();
    });
    try {
      const fresh = await import('./index.js');
      const i18n = await fresh.createI18n('fa');
      await expect(fresh.loadStaffStrings(i18n)).rejects.toThrow();
      expect(i18n.exists('admin.teams.title')).toBe(false);
      offline = false;
      await fresh.loadStaffStrings(i18n);
      expect(i18n.t('admin.teams.title')).toBe('تیم‌ها');
    } finally {
      vi.doUnmock('./staff.fa.js');
      vi.resetModules();
    }
  });
});
