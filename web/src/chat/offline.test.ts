import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { directConversation, textMessage as msg } from '../test/messages.js';
import type { ConversationPage } from './cache.js';
import { conversationsKey, flatten, type MessagesData, messagesKey } from './messages.js';
import { type KeyValueStore, OFFLINE_CONVERSATIONS, OFFLINE_MESSAGES, OfflineCache } from './offline.js';

/** The IndexedDB wrapper's contract, over a Map. */
class MemoryStore implements KeyValueStore {
  data = new Map<string, unknown>();
  destroyed = false;
  async get<T>(key: string) {
    return structuredClone(this.data.get(key)) as T | undefined;
  }
  async setMany(entries: readonly (readonly [string, unknown])[]) {
    for (const [key, value] of entries) this.data.set(key, structuredClone(value));
  }
  async destroy() {
    this.destroyed = true;
    this.data.clear();
  }
}

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

function history(conversationId: string, from: number, to: number): MessagesData {
  const items = Array.from({ length: to - from + 1 }, (_, i) => msg(conversationId, from + i));
  return { pages: [{ items, nextCursor: from > 1 ? from : null }], pageParams: [undefined] };
}

describe(OfflineCache.name, () => {
  it('keeps the 50 most recent conversations and the newest 100 messages of each, and a new page shows them', async () => {
    const store = new MemoryStore();
    const online = new QueryClient();
    const cache = new OfflineCache(online, store, 0);
    await cache.start();
    const items = Array.from({ length: 60 }, (_, i) => directConversation(id(i + 1), 150));
    online.setQueryData<ConversationPage>(conversationsKey, { items, nextCursor: null });
    online.setQueryData(messagesKey(id(1)), history(id(1), 1, 150));
    online.setQueryData(messagesKey(id(55)), history(id(55), 1, 10)); // not among the 50 kept
    await cache.flush();
    cache.stop();

    // A reload without a connection: a fresh query cache, filled from the copy.
    const offline = new QueryClient();
    await new OfflineCache(offline, store, 0).start();
    const list = offline.getQueryData<ConversationPage>(conversationsKey);
    expect(list?.items.map((c) => c.id)).toEqual(items.slice(0, OFFLINE_CONVERSATIONS).map((c) => c.id));
    const held = flatten(offline.getQueryData<MessagesData>(messagesKey(id(1))));
    expect(held.map((m) => m.seq)).toEqual(Array.from({ length: OFFLINE_MESSAGES }, (_, i) => 51 + i));
    // Older history still loads from the server, from where the copy starts.
    expect(offline.getQueryData<MessagesData>(messagesKey(id(1)))?.pages[0]?.nextCursor).toBe(51);
    expect(offline.getQueryData(messagesKey(id(55)))).toBeUndefined();
    // What the server sends replaces the copy: it is stale from the start.
    expect(offline.getQueryState(conversationsKey)?.isInvalidated).toBe(true);
  });

  it('does not replace what the server already sent', async () => {
    const store = new MemoryStore();
    await store.setMany([
      ['conversations', { items: [directConversation(id(1), 1)], nextCursor: null }],
      [`messages:${id(1)}`, { items: [msg(id(1), 1)], nextCursor: null }],
    ]);
    const queries = new QueryClient();
    const fresh = { items: [directConversation(id(1), 2)], nextCursor: null };
    queries.setQueryData(conversationsKey, fresh);
    queries.setQueryData(messagesKey(id(1)), history(id(1), 1, 2));
    await new OfflineCache(queries, store, 0).start();
    expect(queries.getQueryData(conversationsKey)).toEqual(fresh);
    expect(flatten(queries.getQueryData<MessagesData>(messagesKey(id(1)))).map((m) => m.seq)).toEqual([1, 2]);
  });

  it('writes changes as they happen, and deletes the copy at sign-out without writing again', async () => {
    const store = new MemoryStore();
    const queries = new QueryClient();
    const cache = new OfflineCache(queries, store, 0);
    await cache.start();
    queries.setQueryData(conversationsKey, { items: [directConversation(id(1), 1)], nextCursor: null });
    await cache.flush();
    expect(store.data.has('conversations')).toBe(true);
    await cache.destroy();
    expect(store.destroyed).toBe(true);
    queries.setQueryData(conversationsKey, { items: [directConversation(id(2), 1)], nextCursor: null });
    await cache.flush();
    expect(store.data.size).toBe(0);
  });
});
