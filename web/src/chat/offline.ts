import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { ConversationPage } from './cache.js';
import { conversationsKey, flatten, type MessagePage, type MessagesData, messagesKey } from './messages.js';

/** Conversations kept for offline reading (the most recent ones, as the list orders them). */
export const OFFLINE_CONVERSATIONS = 50;
/** Newest messages kept per conversation. */
export const OFFLINE_MESSAGES = 100;
/** Writes wait this long, so a burst of messages is one write. */
const WRITE_DELAY_MS = 1_000;
const LIST_KEY = 'conversations';
const historyKey = (conversationId: string) => `messages:${conversationId}`;

/** Where the offline copy lives: IndexedDB in the browser; a Map in tests. */
export interface KeyValueStore {
  get<T>(key: string): Promise<T | undefined>;
  setMany(entries: readonly (readonly [string, unknown])[]): Promise<void>;
  /** Deletes everything (sign-out). */
  destroy(): Promise<void>;
}

/** One IndexedDB database (one object store of keys and values); null where there is no IndexedDB. */
export function indexedDbStore(name: string): KeyValueStore | null {
  if (typeof indexedDB === 'undefined') return null;
  let db: Promise<IDBDatabase> | null = null;
  const open = () => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(name, 1);
      request.onupgradeneeded = () => request.result.createObjectStore('kv');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return db;
  };
  const done = (tx: IDBTransaction) =>
    new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  return {
    async get<T>(key: string) {
      const tx = (await open()).transaction('kv', 'readonly');
      const request = tx.objectStore('kv').get(key);
      await done(tx);
      return request.result as T | undefined;
    },
    async setMany(entries) {
      const tx = (await open()).transaction('kv', 'readwrite');
      const store = tx.objectStore('kv');
      for (const [key, value] of entries) store.put(value, key);
      await done(tx);
    },
    async destroy() {
      if (db) (await db.catch(() => null))?.close();
      db = null;
      await new Promise<void>((resolve) => {
        const request = indexedDB.deleteDatabase(name);
        request.onsuccess = () => resolve();
        request.onerror = () => resolve();
        request.onblocked = () => resolve();
      });
    },
  };
}

/**
 * A copy of the conversation list and recent history on this device, per signed-in person, so a
 * reload without a connection shows them. `hydrate` fills the query cache from it at start (what
 * the server sends replaces it: the copies are marked stale); afterwards every change to the list or
 * a history is written (debounced).
 */
export class OfflineCache {
  private dirty = new Set<string>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private unsubscribe: (() => void) | undefined;
  private stopped = false;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly queries: QueryClient,
    private readonly store: KeyValueStore,
    private readonly delayMs = WRITE_DELAY_MS,
  ) {}

  /** Fills what the query cache does not hold yet, then keeps the copy current. */
  async start(): Promise<void> {
    this.stopped = false;
    try {
      await this.hydrate();
    } catch {
      // No readable copy (storage refused, a newer format): the app loads from the server.
    }
    if (this.stopped) return;
    this.unsubscribe = this.queries.getQueryCache().subscribe((event) => {
      if (event.type !== 'updated' || event.action.type !== 'success') return;
      const id = cachedId(event.query.queryKey);
      if (id) this.mark(id);
    });
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
  }

  /** Sign-out: nothing written any more, and the copy deleted. */
  async destroy(): Promise<void> {
    this.stop();
    await this.writing.catch(() => undefined);
    await this.store.destroy();
  }

  /** Writes what changed now (also what the timer does). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const dirty = this.dirty;
    this.dirty = new Set();
    const page = this.queries.getQueryData<ConversationPage>(conversationsKey);
    const kept = page?.items.slice(0, OFFLINE_CONVERSATIONS) ?? [];
    const keep = new Set(kept.map((c) => c.id));
    const entries: [string, unknown][] = [];
    if (dirty.has(LIST_KEY) && page) entries.push([LIST_KEY, { items: kept, nextCursor: null }]);
    for (const id of dirty) {
      if (id === LIST_KEY || !keep.has(id)) continue;
      const data = this.queries.getQueryData<MessagesData>(messagesKey(id));
      if (data) entries.push([historyKey(id), recentPage(data)]);
    }
    if (entries.length === 0 || this.stopped) return this.writing;
    this.writing = this.writing.then(() => this.store.setMany(entries)).catch(() => undefined);
    return this.writing;
  }

  private async hydrate(): Promise<void> {
    const page = await this.store.get<ConversationPage>(LIST_KEY);
    if (!page || this.stopped) return;
    if (this.queries.getQueryData(conversationsKey) === undefined) {
      this.queries.setQueryData<ConversationPage>(conversationsKey, page);
      await this.queries.invalidateQueries({ queryKey: conversationsKey, refetchType: 'none' });
    }
    await Promise.all(
      page.items.map(async (c) => {
        const history = await this.store.get<MessagePage>(historyKey(c.id));
        if (!history || this.stopped || this.queries.getQueryData(messagesKey(c.id)) !== undefined) return;
        this.queries.setQueryData<MessagesData>(messagesKey(c.id), {
          pages: [history],
          pageParams: [undefined],
        });
        // Read again from the server when next shown online (edits and deletions made meanwhile).
        await this.queries.invalidateQueries({ queryKey: messagesKey(c.id), refetchType: 'none' });
      }),
    );
  }

  private mark(id: string): void {
    this.dirty.add(id);
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }
}

/** The list (`conversations`) or the conversation id of a history; other queries are not kept. */
function cachedId(key: QueryKey): string | null {
  if (key.length === 1 && key[0] === conversationsKey[0]) return LIST_KEY;
  if (key.length === 2 && key[0] === 'messages' && typeof key[1] === 'string') return key[1];
  return null;
}

/** The newest messages of a history as one page; older ones load from the server as usual. */
export function recentPage(data: MessagesData): MessagePage {
  const items = flatten(data).slice(-OFFLINE_MESSAGES);
  const oldest = items[0]?.seq;
  return { items, nextCursor: oldest !== undefined && oldest > 1 ? oldest : null };
}
