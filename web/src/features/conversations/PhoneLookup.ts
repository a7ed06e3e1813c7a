import { normalizePhone, type User } from '@abrik/protocol';
import type { TFunction } from 'i18next';
import type { ApiClient } from '../../api/client.js';
import { errorText } from '../../api/errors.js';
import { rememberContact } from '../../lib/contacts.js';

/** Finds the user with a typed phone number; the error is a text to show. */
export async function lookupByPhone(
  api: ApiClient,
  typed: string,
  t: TFunction,
): Promise<{ user: User; phone: string } | { error: string }> {
  const phone = normalizePhone(typed);
  if (!phone) return { error: t('signIn.phoneInvalid') };
  try {
    const user = await api.lookup(phone);
    rememberContact(user.id, phone);
    return { user, phone };
  } catch (e) {
    return { error: errorText(e, t) };
  }
}
