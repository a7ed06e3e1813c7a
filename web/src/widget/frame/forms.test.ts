import { describe, expect, it } from 'vitest';
import { checkForm, type FormField, normalisePhone, offlineFields } from './forms';

const fields: FormField[] = [
  { key: 'name', kind: 'name', required: true },
  { key: 'phone', kind: 'phone', required: true },
  { key: 'email', kind: 'email', required: false },
  { key: 'order_id', kind: 'text', required: false },
];

describe(checkForm.name, () => {
  it('names each required field left empty (blank counts as empty)', () => {
    expect(checkForm(fields, { name: '   ' }).problems).toEqual({ name: 'required', phone: 'required' });
  });

  it('accepts a phone in Persian or Arabic-Indic digits and sends it in Latin digits', () => {
    const persian = checkForm(fields, { name: 'مریم', phone: '۰۹۱۲-۳۴۵ ۶۷۸۹' });
    expect(persian).toEqual({ values: { name: 'مریم', phone: '09123456789' }, problems: {} });
    expect(normalisePhone('+٩٨ ٩١٢ ٣٤٥ ٦٧٨٩')).toBe('+989123456789');
  });

  it('refuses a phone that is not a number and an e-mail without a domain', () => {
    const result = checkForm(fields, { name: 'a', phone: '۰۹۱۲ abc', email: 'maryam@' });
    expect(result.problems).toEqual({ phone: 'phone', email: 'email' });
  });

  it('keeps custom fields as typed, trimmed', () => {
    expect(checkForm(fields, { name: 'a', phone: '09123456789', order_id: ' A-۱۲ ' }).values.order_id).toBe(
      'A-۱۲',
    );
  });

  it('asks the offline form of an anonymous visitor for a phone or an e-mail', () => {
    const offline = offlineFields(false);
    expect(checkForm(offline, { message: 'سلام' }, { contactRequired: true }).problems).toEqual({
      phone: 'contact',
    });
    expect(
      checkForm(offline, { message: 'سلام', email: 'a@b.ir' }, { contactRequired: true }).problems,
    ).toEqual({});
    expect(offlineFields(true).map((field) => field.key)).toEqual(['message']);
  });
});
