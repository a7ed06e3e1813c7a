/**
 * In-memory fakes of what services use from the database and the platform, for unit tests that
 * build a service in a line or two. Integration suites (server/test) run the real thing.
 */
import { randomUUID } from 'node:crypto';
import type { MemberRole, PlatformRole, Reaction } from '@abrik/protocol';
import type { ConversationServiceDeps } from '../../src/modules/chat/conversation.service.js';
import type { MessageServiceDeps } from '../../src/modules/chat/message.service.js';
import type { ConversationRow, MemberRow, MessageRow } from '../../src/modules/chat/tables.js';
import type { UserRow } from '../../src/modules/identity/tables.js';
import type { DeviceRow } from '../../src/modules/notifications/tables.js';
import type { Actor } from '../../src/platform/auth.js';
import type { Executor, Transactor } from '../../src/platform/db/client.js';
import type { NewDomainEvent } from '../../src/platform/events/domain-events.js';
import type { LiveEventMap, LiveEventName } from '../../src/platform/events/live-events.js';
import type { JobName, Jobs } from '../../src/platform/jobs/registry.js';

export const actor = (role: PlatformRole = 'customer', id: string = randomUUID()): Actor => ({ id, role });

/** A devices row: a phone with an FCM token, or a browser with a Web Push subscription. */
export function deviceRow(values: Partial<DeviceRow> & Pick<DeviceRow, 'userId'>): DeviceRow {
  const web = values.platform === 'web';
  return {
    id: randomUUID(),
    platform: 'android',
    token: web ? null : `fcm-${randomUUID()}`,
    endpoint: web ? `https://push.example/${randomUUID()}` : null,
    p256dh: web ? 'p256dh' : null,
    auth: web ? 'auth' : null,
    locale: 'fa',
    createdAt: new Date(),
    updatedAt: new Date(),
    ...values,
  };
}

/** Presence as notifications read it: who is online, what they look at, staff availability. */
export function fakePresence(
  state: { online?: string[]; watching?: Record<string, string>; away?: string[] } = {},
) {
  const online = new Set(state.online ?? []);
  return {
    online: async (ids: string[]) => new Set(ids.filter((id) => online.has(id))),
    watching: async (ids: string[], conversationId: string) =>
      new Set(ids.filter((id) => state.watching?.[id] === conversationId)),
    availability: async (ids: string[]) =>
      new Map(ids.map((id) => [id, state.away?.includes(id) ? ('away' as const) : ('available' as const)])),
  };
}

/** A users row. */
export function userRow(values: Partial<UserRow> = {}): UserRow {
  return {
    id: randomUUID(),
    phone: `+98912${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`,
    name: null,
    avatarFileId: null,
    role: 'customer',
    lastSeenAt: null,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...values,
  };
}

/** A transaction that is the fakes' one store: writes "commit" at once (no rollback). */
export const fakeDb: Transactor = { transaction: (work) => work({} as Executor) };

/** Live events, recorded instead of delivered. */
export function recordingLive() {
  const published: { event: LiveEventName; payload: unknown }[] = [];
  return {
    published,
    publish<K extends LiveEventName>(event: K, payload: LiveEventMap[K]): void {
      published.push({ event, payload });
    },
  };
}

/** Durable domain events, recorded instead of written. */
export function recordingEvents() {
  const recorded: NewDomainEvent[] = [];
  return {
    recorded,
    async record(_tx: Executor, ...events: NewDomainEvent[]): Promise<void> {
      recorded.push(...events);
    },
  };
}

/** Jobs, recorded instead of queued: `sent` in the order they were sent, with their options. */
export function recordingJobs() {
  const sent: { name: JobName; data: unknown; options?: unknown }[] = [];
  return {
    sent,
    of<N extends JobName>(name: N): Jobs[N][] {
      return sent.filter((j) => j.name === name).map((j) => j.data as Jobs[N]);
    },
    async send<N extends JobName>(name: N, data: Jobs[N], options?: object): Promise<string | null> {
      sent.push({ name, data, ...(options ? { options } : {}) });
      return randomUUID();
    },
    async sendMany<N extends JobName>(name: N, data: Jobs[N][]): Promise<void> {
      for (const d of data) sent.push({ name, data: d });
    },
    async sendDebounced<N extends JobName>(
      name: N,
      data: Jobs[N],
      seconds: number,
      key: string,
    ): Promise<void> {
      sent.push({ name, data, options: { seconds, key } });
    },
  };
}

/**
 * Conversations, members and messages in memory, behind the repository methods the chat
 * services use. Helpers add rows directly, as a test's "given".
 */
export function fakeChat() {
  const conversations = new Map<string, ConversationRow>();
  const members: MemberRow[] = [];
  const messages: MessageRow[] = [];
  const names = new Map<string, string | null>();

  const membership = (conversationId: string, userId: string) =>
    members.find((m) => m.conversationId === conversationId && m.userId === userId);
  /** `messageId:userId` → emoji; `userId:messageId` hidden; pins newest first. */
  const former: (MemberRow & { leftAt: Date })[] = [];
  const reactions = new Map<string, string>();
  const hidden = new Set<string>();
  const pins: { conversationId: string; messageId: string; pinnedBy: string | null; pinnedAt: Date }[] = [];
  const withName = (m: MemberRow) => ({ ...m, name: names.get(m.userId) ?? null });
  const live = (m: MessageRow) => m.deletedAt === null;

  const given = {
    conversation(values: Partial<ConversationRow> & Pick<ConversationRow, 'kind'>): ConversationRow {
      const row: ConversationRow = {
        id: randomUUID(),
        title: null,
        description: null,
        subject: null,
        directKey: null,
        createdBy: null,
        lastSeq: 0,
        lastMessageAt: new Date(),
        createdAt: new Date(),
        ...values,
      };
      conversations.set(row.id, row);
      return row;
    },
    member(
      conversationId: string,
      userId: string,
      role: MemberRole = 'member',
      name: string | null = null,
    ): MemberRow {
      const row: MemberRow = {
        conversationId,
        userId,
        role,
        lastReadSeq: 0,
        muted: false,
        joinedAt: new Date(),
      };
      members.push(row);
      names.set(userId, name);
      return row;
    },
    message(conversationId: string, senderId: string | null, body: string, clientMsgId?: string): MessageRow {
      const conversation = conversations.get(conversationId)!;
      conversation.lastSeq += 1;
      const row: MessageRow = {
        id: randomUUID(),
        conversationId,
        seq: conversation.lastSeq,
        senderId,
        clientMsgId: clientMsgId ?? randomUUID(),
        kind: 'text',
        body,
        createdAt: new Date(),
        editedAt: null,
        deletedAt: null,
        replyToSeq: null,
        meta: null,
      };
      messages.push(row);
      return row;
    },
  };

  const conversationRepo: ConversationServiceDeps['conversations'] & MessageServiceDeps['conversations'] = {
    getById: async (id) => conversations.get(id),
    getByDirectKey: async (key) => [...conversations.values()].find((c) => c.directKey === key),
    insert: async (values) => {
      if (values.directKey && [...conversations.values()].some((c) => c.directKey === values.directKey)) {
        return undefined;
      }
      return given.conversation(values);
    },
    addMembers: async (conversationId, rows) => {
      const added = rows.filter((r) => !membership(conversationId, r.userId));
      for (const r of added) given.member(conversationId, r.userId, r.role, names.get(r.userId) ?? null);
      return added.map((r) => r.userId);
    },
    removeMember: async (conversationId, userId) => {
      const i = members.findIndex((m) => m.conversationId === conversationId && m.userId === userId);
      if (i >= 0) {
        const [gone] = members.splice(i, 1);
        former.push({ ...gone!, leftAt: new Date() });
      }
      return i >= 0;
    },
    listFormerMembers: async (conversationId) =>
      former
        .filter((f) => f.conversationId === conversationId)
        .map((f) => ({
          userId: f.userId,
          name: names.get(f.userId) ?? null,
          lastReadSeq: f.lastReadSeq,
          leftAt: f.leftAt.toISOString(),
        })),
    wasMember: async (conversationId, userId) =>
      former.some((f) => f.conversationId === conversationId && f.userId === userId),
    update: async (conversationId, values) => {
      const row = conversations.get(conversationId);
      if (row) Object.assign(row, values);
      return row;
    },
    setMemberRole: async (conversationId, userId, role) => {
      const m = membership(conversationId, userId);
      if (m) m.role = role;
    },
    getMembership: async (conversationId, userId) => membership(conversationId, userId),
    listMembers: async (ids) => members.filter((m) => ids.includes(m.conversationId)).map(withName),
    setMuted: async (conversationId, userId, muted) => {
      const m = membership(conversationId, userId);
      if (m) m.muted = muted;
      return m !== undefined;
    },
    countMembers: async (conversationId) => members.filter((m) => m.conversationId === conversationId).length,
    countMembersOf: async (ids) =>
      new Map(ids.map((id) => [id, members.filter((m) => m.conversationId === id).length])),
    listForUser: async (userId, options) =>
      members
        .filter((m) => m.userId === userId)
        .map((m) => ({
          conversation: conversations.get(m.conversationId)!,
          membership: { role: m.role, lastReadSeq: m.lastReadSeq, muted: m.muted },
          unreadCount: 0,
          lastMessageId: messages.filter((x) => x.conversationId === m.conversationId).at(-1)?.id ?? null,
        }))
        .slice(0, options.limit),
    markRead: async (conversationId, userId, seq) => {
      const m = membership(conversationId, userId);
      if (!m) return undefined;
      const previous = m.lastReadSeq;
      m.lastReadSeq = Math.max(previous, Math.min(seq, conversations.get(conversationId)!.lastSeq));
      return { lastReadSeq: m.lastReadSeq, advanced: m.lastReadSeq > previous };
    },
    conversationIdsOf: async (userId) =>
      members.filter((m) => m.userId === userId).map((m) => m.conversationId),
    contactsOf: async (userId) => {
      const mine = new Set(members.filter((m) => m.userId === userId).map((m) => m.conversationId));
      return [
        ...new Set(
          members.filter((m) => mine.has(m.conversationId) && m.userId !== userId).map((m) => m.userId),
        ),
      ];
    },
    sharedWith: async (userId, others) => {
      const contacts = await conversationRepo.contactsOf(userId, Number.MAX_SAFE_INTEGER);
      return others.filter((o) => contacts.includes(o));
    },
    syncState: async (userId) =>
      members
        .filter((m) => m.userId === userId)
        .map((m) => ({
          conversationId: m.conversationId,
          lastSeq: conversations.get(m.conversationId)!.lastSeq,
          lastReadSeq: m.lastReadSeq,
        })),
  };

  const messageRepo: MessageServiceDeps['messages'] & ConversationServiceDeps['messages'] = {
    listPage: async (conversationId, options) => {
      const rows = messages.filter(
        (m) =>
          m.conversationId === conversationId &&
          (options.before === undefined || m.seq < options.before) &&
          (options.after === undefined || m.seq > options.after),
      );
      const ordered = options.after !== undefined ? rows : rows.reverse();
      return ordered.slice(0, options.limit);
    },
    getById: async (conversationId, id) =>
      messages.find((m) => m.conversationId === conversationId && m.id === id),
    getByIds: async (ids) => messages.filter((m) => ids.includes(m.id)),
    updateBody: async (conversationId, id, senderId, body) => {
      const m = messages.find((x) => x.conversationId === conversationId && x.id === id);
      if (!m || m.senderId !== senderId || !live(m)) return undefined;
      Object.assign(m, { body, editedAt: new Date() });
      return m;
    },
    softDelete: async (conversationId, id, senderId) => {
      const m = messages.find((x) => x.conversationId === conversationId && x.id === id);
      if (!m || m.senderId !== senderId || !live(m)) return undefined;
      Object.assign(m, { body: null, deletedAt: new Date() });
      return m;
    },
    countUnread: async (conversationId, readerId, lastReadSeq) =>
      messages.filter(
        (m) =>
          m.conversationId === conversationId && m.seq > lastReadSeq && live(m) && m.senderId !== readerId,
      ).length,
    countUnreadOfUser: async (userId) =>
      members
        .filter((m) => m.userId === userId)
        .reduce(
          (n, m) =>
            n +
            messages.filter(
              (x) =>
                x.conversationId === m.conversationId &&
                x.seq > m.lastReadSeq &&
                live(x) &&
                x.senderId !== userId,
            ).length,
          0,
        ),
    insertSystem: async (conversationId, body, _db, meta) => {
      const row = given.message(conversationId, null, body ?? '');
      Object.assign(row, { kind: 'system', body, meta: meta ?? null });
      return row;
    },
    getBySeq: async (conversationId, seq) =>
      messages.find((m) => m.conversationId === conversationId && m.seq === seq),
    replyPreviews: async (conversationId, seqs) =>
      new Map(
        messages
          .filter((m) => m.conversationId === conversationId && seqs.includes(m.seq))
          .map((m) => [
            m.seq,
            {
              seq: m.seq,
              id: m.id,
              senderId: m.senderId,
              body: m.deletedAt ? null : m.body,
              attachmentKind: null,
              deleted: m.deletedAt !== null,
            },
          ]),
      ),
    extras: async (conversationId, rows, readerId) => {
      const quoted = rows.map((r) => r.replyToSeq).filter((x): x is number => x !== null);
      return {
        replies: await messageRepo.replyPreviews(conversationId, quoted),
        reactions: await messageRepo.reactionsOf(rows.map((r) => r.id)),
        hidden: new Set(
          rows.filter((r) => readerId !== undefined && hidden.has(`${readerId}:${r.id}`)).map((r) => r.id),
        ),
      };
    },
    reactionsOf: async (ids) => {
      const map = new Map<string, Reaction[]>();
      for (const id of ids) {
        const mine = [...reactions].filter(([key]) => key.startsWith(`${id}:`));
        if (mine.length === 0) continue;
        const byEmoji = Map.groupBy(mine, ([, emoji]) => emoji);
        map.set(
          id,
          [...byEmoji].map(([emoji, list]) => ({
            emoji: emoji as Reaction['emoji'],
            count: list.length,
            userIds: list.map(([key]) => key.split(':')[1]!),
          })),
        );
      }
      return map;
    },
    setReaction: async (messageId, userId, emoji) => {
      if (emoji === null) reactions.delete(`${messageId}:${userId}`);
      else reactions.set(`${messageId}:${userId}`, emoji);
    },
    hide: async (userId, _conversationId, messageId) => {
      const key = `${userId}:${messageId}`;
      if (hidden.has(key)) return false;
      hidden.add(key);
      return true;
    },
    pins: async (conversationId) =>
      pins
        .filter((p) => p.conversationId === conversationId)
        .map((p) => ({
          messageId: p.messageId,
          seq: messages.find((m) => m.id === p.messageId)!.seq,
          pinnedBy: p.pinnedBy,
          pinnedAt: p.pinnedAt.toISOString(),
        })),
    pin: async (conversationId, messageId, userId) => {
      if (pins.some((p) => p.conversationId === conversationId && p.messageId === messageId)) return false;
      pins.unshift({ conversationId, messageId, pinnedBy: userId, pinnedAt: new Date() });
      return true;
    },
    unpin: async (conversationId, messageId) => {
      const i = pins.findIndex((p) => p.conversationId === conversationId && p.messageId === messageId);
      if (i < 0) return false;
      pins.splice(i, 1);
      return true;
    },
    liveInSupport: async (ids) =>
      messages.filter(
        (m) => ids.includes(m.id) && live(m) && conversations.get(m.conversationId)?.kind === 'support',
      ),
  };

  return {
    given,
    conversations: conversationRepo,
    messages: messageRepo,
    rows: { conversations, members, messages },
  };
}
