const KEY = 'abrik.contacts';

/**
 * The phone number a person typed to reach someone, remembered on this device only: the server never
 * reveals other people's numbers, but the one who typed it knows it, and it beats "Unnamed".
 */
export function rememberContact(userId: string, phone: string): void {
  try {
    const all = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, string>;
    all[userId] = phone;
    localStorage.setItem(KEY, JSON.stringify(all));
  } catch {
    // Storage unavailable: the name falls back to "Unnamed".
  }
}

export function contactLabel(userId: string): string | undefined {
  try {
    const all = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Record<string, string>;
    return typeof all[userId] === 'string' ? all[userId] : undefined;
  } catch {
    return undefined;
  }
}

export function forgetContacts(): void {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // Storage unavailable: nothing was kept.
  }
}
