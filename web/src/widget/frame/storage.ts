/**
 * The frame's storage on our origin (the host page never sees it): the visitor's session and the
 * unread count, under keys of the widget so two widgets on one site stay apart.
 */

/** What a tab keeps of the visitor's session. */
export interface StoredSession {
  sessionToken: string;
  expiresAt: string;
  visitorId: string;
  verified: boolean;
  /** The visitor's own user id once known (marks their own messages). */
  ownUserId?: string | null;
  /** The visitor is a contact (has written, or the site vouched): worth loading at every page. */
  contact?: boolean;
}

export type KeyValue = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/**
 * localStorage, or memory when the browser refuses storage to a third-party frame (some privacy
 * settings throw on access): the chat still works for the page's lifetime.
 */
export function frameStorage(win: Window): KeyValue {
  try {
    const storage = win.localStorage;
    const probe = 'abrik.probe';
    storage.setItem(probe, '1');
    storage.removeItem(probe);
    return storage;
  } catch {
    const memory = new Map<string, string>();
    return {
      getItem: (key) => memory.get(key) ?? null,
      setItem: (key, value) => void memory.set(key, value),
      removeItem: (key) => void memory.delete(key),
    };
  }
}

export const sessionKey = (widgetId: string) => `abrik.widget.${widgetId}`;
export const unreadKey = (widgetId: string) => `abrik.widget.${widgetId}.unread`;

export class SessionStore {
  constructor(
    private readonly storage: KeyValue,
    private readonly key: string,
  ) {}

  load(): StoredSession | null {
    try {
      const value = JSON.parse(this.storage.getItem(this.key) ?? 'null') as Partial<StoredSession> | null;
      return typeof value?.sessionToken === 'string' && typeof value.expiresAt === 'string'
        ? (value as StoredSession)
        : null;
    } catch {
      return null; // written by an older frame, or damaged: start afresh
    }
  }

  save(session: StoredSession): void {
    try {
      this.storage.setItem(this.key, JSON.stringify(session));
    } catch {
      // quota or privacy mode: the session lives in memory for this page
    }
  }

  clear(): void {
    this.storage.removeItem(this.key);
  }
}
