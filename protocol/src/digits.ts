const PERSIAN_ZERO = 0x06f0; // ۰
const ARABIC_INDIC_ZERO = 0x0660; // ٠

/** Replaces Persian (۰–۹) and Arabic-Indic (٠–٩) digits with ASCII digits; leaves the rest as is. */
export function toLatinDigits(input: string): string {
  return input.replace(/[\u06f0-\u06f9\u0660-\u0669]/g, (d) => {
    const code = d.charCodeAt(0);
    const zero = code >= PERSIAN_ZERO ? PERSIAN_ZERO : ARABIC_INDIC_ZERO;
    return String(code - zero);
  });
}

/** Writes ASCII digits as Persian digits, for display in the Persian locale. */
export function toPersianDigits(input: string | number): string {
  return String(input).replace(/[0-9]/g, (d) => String.fromCharCode(PERSIAN_ZERO + Number(d)));
}

/**
 * Text as it is compared in lookups and search: Latin digits, Arabic yeh and kaf as the Persian
 * letters, no zero-width (non-)joiners or direction marks, lower case — so "مشکل پرداخت ۲"
 * finds "مشكل پرداخت 2" and "/سلام‌ي" finds "/سلامی".
 */
export function foldPersian(input: string): string {
  return toLatinDigits(input.normalize('NFC'))
    .replace(/[\u064a\u0649]/g, '\u06cc')
    .replace(/\u0643/g, '\u06a9')
    .replace(/[\u200c-\u200f]/g, '')
    .toLowerCase();
}
