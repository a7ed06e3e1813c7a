import {
  type Conversation,
  type CreateConversation,
  MAX_GROUP_MEMBERS,
  type MemberRole,
  type SystemEvent,
} from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import type { Executor, Transactor } from '../../platform/db/client.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../platform/errors.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { LatePort } from '../../platform/late-port.js';
import { mayOpenSupport } from '../identity/policies.js';
import type { UserService } from '../identity/user.service.js';
import type { ConversationRepository, ListCursor, MemberWithName } from './conversation.repository.js';
import { conversationSubject } from './events.js';
import type { MessageRepository } from './message.repository.js';
import { mayAddMembers, mayManageGroup, mayRemoveMember, requireAccess } from './policies.js';
import { toConversation } from './presenters.js';
import type { SupportOpening, SupportPort } from './support-port.js';
import type { ConversationRow, MemberRow, MessageRow } from './tables.js';

const encodeCursor = (c: ListCursor) =>
  Buffer.from(`${c.lastMessageAt.toISOString()}|${c.id}`).toString('base64url');

function decodeCursor(cursor: string): ListCursor {
  const [at = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const lastMessageAt = new Date(at);
  // Only what encodeCursor writes: a canonical ISO time PostgreSQL can read, and a real UUID.
  // Anything looser (36 dashes, year +275760, year 0) reached the query and failed with a 500.
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(at) ||
    Number.isNaN(lastMessageAt.getTime()) ||
    lastMessageAt.getTime() < 0 ||
    lastMessageAt.toISOString() !== at ||
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
  ) {
    throw new ValidationError('validation/invalid', [
      { path: ['cursor'], message: 'not a cursor from this API' },
    ]);
  }
  return { lastMessageAt, id };
}

/** Conversations: creating them, listing them, membership and read markers. */
export interface ConversationServiceDeps {
  db: Transactor;
  conversations: Pick<
    ConversationRepository,
    | 'getById'
    | 'getByDirectKey'
    | 'insert'
    | 'addMembers'
    | 'removeMember'
    | 'setMemberRole'
    | 'getMembership'
    | 'listMembers'
    | 'setMuted'
    | 'countMembers'
    | 'countMembersOf'
    | 'listForUser'
    | 'markRead'
    | 'conversationIdsOf'
    | 'contactsOf'
    | 'sharedWith'
    | 'listFormerMembers'
    | 'wasMember'
    | 'update'
  >;
  messages: Pick<MessageRepository, 'listPage' | 'countUnread' | 'getByIds' | 'insertSystem' | 'pins'>;
  users: Pick<UserService, 'findById' | 'existingIds'>;
  events: Pick<DomainEvents, 'record'>;
  live: Pick<LiveEvents, 'publish'>;
  /** The support desk (tickets, who serves what); unset, support conversations are plain. */
  support?: LatePort<SupportPort>;
}

export class ConversationService {
  private readonly db: Transactor;
  private readonly conversations: ConversationServiceDeps['conversations'];
  private readonly messages: ConversationServiceDeps['messages'];
  private readonly users: ConversationServiceDeps['users'];
  private readonly events: ConversationServiceDeps['events'];
  private readonly live: ConversationServiceDeps['live'];
  private readonly supportPort: LatePort<SupportPort> | undefined;

  constructor(deps: ConversationServiceDeps) {
    this.supportPort = deps.support;
    this.db = deps.db;
    this.conversations = deps.conversations;
    this.messages = deps.messages;
    this.users = deps.users;
    this.events = deps.events;
    this.live = deps.live;
  }

  private get support(): SupportPort | undefined {
    return this.supportPort?.get();
  }

  /** Creates a conversation; a direct one that exists for the pair is returned with `created: false`. */
  async create(
    actor: Actor,
    input: CreateConversation,
    options: SupportOpening = {},
  ): Promise<{ conversation: Conversation; created: boolean }> {
    let row: ConversationRow;
    let created = true;
    switch (input.kind) {
      case 'direct': {
        if (input.userId === actor.id) throw new ValidationError('conversation/self_direct');
        if (!(await this.users.findById(input.userId))) throw new NotFoundError('user/not_found');
        const directKey = [actor.id, input.userId].sort().join(':');
        const existing = await this.conversations.getByDirectKey(directKey);
        if (existing) {
          row = existing;
          created = false;
          break;
        }
        const inserted = await this.db.transaction(async (tx) => {
          const conv = await this.conversations.insert(
            { kind: 'direct', directKey, createdBy: actor.id },
            tx,
          );
          if (!conv) return undefined; // created by the other person a moment ago
          await this.start(tx, actor, conv, [
            { userId: actor.id, role: 'member' },
            { userId: input.userId, role: 'member' },
          ]);
          return conv;
        });
        if (inserted) {
          row = inserted;
          this.live.publish('members.added', { conversationId: row.id, userIds: [actor.id, input.userId] });
        } else {
          row = (await this.conversations.getByDirectKey(directKey))!;
          created = false;
        }
        break;
      }
      case 'group': {
        const others = [...new Set(input.memberIds)].filter((id) => id !== actor.id);
        if (others.length + 1 > MAX_GROUP_MEMBERS) throw new ValidationError('conversation/too_many_members');
        const existing = await this.users.existingIds(others);
        if (existing.length !== others.length) {
          const missing = others.filter((id) => !existing.includes(id));
          throw new ValidationError('conversation/invalid_members', { missing });
        }
        row = await this.db.transaction(async (tx) => {
          const conv = (await this.conversations.insert(
            { kind: 'group', title: input.title, createdBy: actor.id },
            tx,
          ))!;
          await this.start(tx, actor, conv, [
            { userId: actor.id, role: 'owner' },
            ...others.map((userId) => ({ userId, role: 'member' as const })),
          ]);
          return conv;
        });
        this.live.publish('members.added', { conversationId: row.id, userIds: [actor.id, ...others] });
        break;
      }
      case 'support': {
        if (!mayOpenSupport(actor)) throw new ForbiddenError('auth/forbidden');
        row = await this.db.transaction(async (tx) => {
          const conv = (await this.conversations.insert(
            { kind: 'support', subject: input.subject ?? null, createdBy: actor.id },
            tx,
          ))!;
          await this.start(tx, actor, conv, [{ userId: actor.id, role: 'customer' }]);
          await this.support?.opened(tx, conv, actor, options);
          await options.within?.(tx, conv);
          return conv;
        });
        this.live.publish('members.added', { conversationId: row.id, userIds: [actor.id] });
        await this.support?.afterOpened(row.id);
        break;
      }
    }
    return { conversation: await this.get(actor, row.id), created };
  }

  async get(actor: Actor, conversationId: string): Promise<Conversation> {
    const { conversation, membership } = await this.access(actor, conversationId);
    const lastReadSeq = membership?.lastReadSeq ?? 0;
    const [members, [last], unreadCount, support, formerMembers, pins] = await Promise.all([
      this.conversations.listMembers([conversationId]),
      this.messages.listPage(conversationId, { limit: 1 }),
      this.messages.countUnread(conversationId, actor.id, lastReadSeq),
      this.supportViews(actor, conversation.kind === 'support' ? [conversationId] : []),
      this.conversations.listFormerMembers(conversationId),
      this.messages.pins(conversationId),
    ]);
    return toConversation(conversation, {
      support: support.get(conversationId) ?? null,
      lastReadSeq,
      unreadCount,
      muted: membership?.muted ?? false,
      lastMessage: last ?? null,
      members,
      memberCount: members.length,
      formerMembers,
      pins,
    });
  }

  /**
   * requireAccess, and for someone who was a member and is no more: 403 `conversation/removed`,
   * so their client can say why instead of "not found".
   */
  private async access(actor: Actor, conversationId: string) {
    try {
      return await requireAccess(this.conversations, actor, conversationId, this.support);
    } catch (error) {
      if (error instanceof NotFoundError && (await this.conversations.wasMember(conversationId, actor.id))) {
        throw new ForbiddenError('conversation/removed');
      }
      throw error;
    }
  }

  /** The actor's conversations, most recently active first. */
  async list(
    actor: Actor,
    query: { kind?: ConversationRow['kind'] | undefined; limit: number; cursor?: string | undefined },
  ): Promise<{ items: Conversation[]; nextCursor: string | null }> {
    const rows = await this.conversations.listForUser(actor.id, {
      kind: query.kind,
      limit: query.limit,
      before: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    const ids = rows.map((r) => r.conversation.id);
    const small = rows.filter((r) => r.conversation.kind !== 'group').map((r) => r.conversation.id);
    const [members, lastMessages, counts, support] = await Promise.all([
      this.conversations.listMembers(small),
      this.messages.getByIds(rows.map((r) => r.lastMessageId).filter((id): id is string => id !== null)),
      this.conversations.countMembersOf(ids),
      this.supportViews(
        actor,
        rows.filter((r) => r.conversation.kind === 'support').map((r) => r.conversation.id),
      ),
    ]);
    const membersBy = Map.groupBy(members, (m) => m.conversationId);
    const lastById = new Map<string, MessageRow>(lastMessages.map((m) => [m.id, m]));
    const items = rows.map((r) =>
      toConversation(r.conversation, {
        support: support.get(r.conversation.id) ?? null,
        lastReadSeq: r.membership.lastReadSeq,
        unreadCount: r.unreadCount,
        muted: r.membership.muted,
        lastMessage: r.lastMessageId ? (lastById.get(r.lastMessageId) ?? null) : null,
        members: membersBy.get(r.conversation.id) ?? [],
        memberCount: counts.get(r.conversation.id) ?? 0,
      }),
    );
    const last = rows.at(-1);
    const nextCursor =
      rows.length === query.limit && last
        ? encodeCursor({ lastMessageAt: last.conversation.lastMessageAt, id: last.conversation.id })
        : null;
    return { items, nextCursor };
  }

  /** Adds members to a group; only its owner and admins may. Returns the ids actually added. */
  async addMembers(actor: Actor, conversationId: string, userIds: string[]): Promise<string[]> {
    const { conversation, membership } = await requireAccess(
      this.conversations,
      actor,
      conversationId,
      this.support,
    );
    if (conversation.kind !== 'group') throw new ValidationError('conversation/not_group');
    if (!mayAddMembers(membership)) throw new ForbiddenError('conversation/forbidden');
    const wanted = [...new Set(userIds)];
    const existing = await this.users.existingIds(wanted);
    if (existing.length !== wanted.length) {
      throw new ValidationError('conversation/invalid_members', {
        missing: wanted.filter((id) => !existing.includes(id)),
      });
    }
    const added = await this.db.transaction(async (tx) => {
      const count = await this.conversations.countMembers(conversationId, tx);
      if (count + wanted.length > MAX_GROUP_MEMBERS)
        throw new ValidationError('conversation/too_many_members');
      return this.add(
        tx,
        actor,
        conversationId,
        wanted.map((userId) => ({ userId, role: 'member' as const })),
      );
    });
    if (added.length > 0) {
      this.live.publish('members.added', { conversationId, userIds: added });
      await this.tell(conversationId, { action: 'added', actorId: actor.id, userIds: added, value: null });
    }
    return added;
  }

  /** A group's title and description: its owner and admins change them; the group is told. */
  async update(
    actor: Actor,
    conversationId: string,
    input: { title?: string | undefined; description?: string | null | undefined },
  ): Promise<Conversation> {
    const { conversation, membership } = await this.access(actor, conversationId);
    if (conversation.kind !== 'group') throw new ValidationError('conversation/not_group');
    if (!mayManageGroup(membership)) throw new ForbiddenError('conversation/forbidden');
    const description = input.description === undefined ? undefined : input.description || null;
    const title = input.title !== undefined && input.title !== conversation.title ? input.title : undefined;
    const describe = description !== undefined && description !== conversation.description;
    if (title !== undefined || describe) {
      await this.conversations.update(conversationId, {
        ...(title !== undefined ? { title } : {}),
        ...(describe ? { description } : {}),
      });
      if (title !== undefined) {
        await this.tell(conversationId, { action: 'title', actorId: actor.id, userIds: [], value: title });
      }
      if (describe) {
        await this.tell(conversationId, {
          action: 'description',
          actorId: actor.id,
          userIds: [],
          value: description ?? null,
        });
      }
      this.live.publish('conversation.updated', { conversationId });
    }
    return this.get(actor, conversationId);
  }

  /**
   * Makes a group member an admin or an admin a member. The owner does both; an admin may make
   * members admins (Telegram's default right) but only the owner takes it back. The owner's own
   * role changes only by leaving.
   */
  async setRole(
    actor: Actor,
    conversationId: string,
    userId: string,
    role: 'admin' | 'member',
  ): Promise<void> {
    const { conversation, membership } = await this.access(actor, conversationId);
    if (conversation.kind !== 'group') throw new ValidationError('conversation/not_group');
    const target = await this.conversations.getMembership(conversationId, userId);
    if (!target) throw new NotFoundError('member/not_found');
    if (target.role === role) return;
    const allowed =
      target.role !== 'owner' &&
      (membership?.role === 'owner' || (membership?.role === 'admin' && role === 'admin'));
    if (!allowed) throw new ForbiddenError('conversation/forbidden');
    await this.conversations.setMemberRole(conversationId, userId, role);
    await this.tell(conversationId, {
      action: role === 'admin' ? 'promoted' : 'demoted',
      actorId: actor.id,
      userIds: [userId],
      value: null,
    });
    this.live.publish('conversation.updated', { conversationId });
  }

  /** A group's system message: who did what, worded by each client in its language. */
  private async tell(conversationId: string, system: SystemEvent): Promise<void> {
    const message = await this.messages.insertSystem(conversationId, null, undefined, { system });
    if (message) this.live.publish('message.created', { message });
  }

  /**
   * Removes a member from a group. Anyone may leave; owner and admins may remove members, and
   * only the owner may remove an admin. When the owner leaves, the longest-standing admin (or
   * member) becomes owner.
   */
  async removeMember(actor: Actor, conversationId: string, userId: string): Promise<void> {
    const { conversation, membership } = await requireAccess(
      this.conversations,
      actor,
      conversationId,
      this.support,
    );
    if (conversation.kind !== 'group') throw new ValidationError('conversation/not_group');
    if (!membership) throw new NotFoundError('conversation/not_found');
    const target = await this.conversations.getMembership(conversationId, userId);
    if (!target) throw new NotFoundError('member/not_found');
    if (!mayRemoveMember(membership, target)) throw new ForbiddenError('conversation/forbidden');
    const subject = conversationSubject(conversationId);
    const left = actor.id === userId;
    await this.db.transaction(async (tx) => {
      await this.conversations.removeMember(conversationId, userId, tx, left ? null : actor.id);
      await this.events.record(tx, {
        type: 'conversation.member_removed',
        actorId: actor.id,
        subject,
        payload: { userId },
      });
      if (target.role === 'owner') {
        const rest = await this.conversations.listMembers([conversationId], tx);
        const heir = rest.find((m) => m.role === 'admin') ?? rest[0];
        if (heir) {
          await this.conversations.setMemberRole(conversationId, heir.userId, 'owner', tx);
          await this.events.record(tx, {
            type: 'conversation.owner_changed',
            actorId: actor.id,
            subject,
            payload: { userId: heir.userId },
          });
        }
      }
    });
    this.live.publish('members.removed', { conversationId, userIds: [userId] });
    await this.tell(conversationId, {
      action: left ? 'left' : 'removed',
      actorId: actor.id,
      userIds: left ? [] : [userId],
      value: null,
    });
  }

  /** Moves the actor's read marker forward; receipts go to the other members. */
  async markRead(actor: Actor, conversationId: string, seq: number): Promise<{ lastReadSeq: number }> {
    const result = await this.conversations.markRead(conversationId, actor.id, seq);
    if (!result) {
      // Not a member: agents reading a support conversation keep no marker; others may not see it.
      await requireAccess(this.conversations, actor, conversationId, this.support);
      return { lastReadSeq: 0 };
    }
    if (result.advanced) {
      this.live.publish('read.advanced', { conversationId, userId: actor.id, seq: result.lastReadSeq });
    }
    return { lastReadSeq: result.lastReadSeq };
  }

  /** Mutes or unmutes the conversation's notifications for the actor (members only). */
  async setMuted(actor: Actor, conversationId: string, muted: boolean): Promise<{ muted: boolean }> {
    if (!(await this.conversations.setMuted(conversationId, actor.id, muted))) {
      throw new NotFoundError('conversation/not_found');
    }
    return { muted };
  }

  private async supportViews(actor: Actor, ids: string[]) {
    const support = this.support;
    return ids.length > 0 && support ? support.views(actor, ids) : new Map();
  }

  /** A staff member answering a support conversation joins it as its agent. */
  async joinAsStaff(actor: Actor, conversationId: string): Promise<void> {
    const added = await this.db.transaction((tx) =>
      this.add(tx, actor, conversationId, [{ userId: actor.id, role: 'agent' }]),
    );
    if (added.length > 0) this.live.publish('members.added', { conversationId, userIds: added });
  }

  /** A new conversation's first members, and its creation on the record. */
  private async start(
    tx: Executor,
    actor: Actor,
    conversation: ConversationRow,
    members: { userId: string; role: MemberRole }[],
  ): Promise<void> {
    await this.events.record(tx, {
      type: 'conversation.created',
      actorId: actor.id,
      subject: conversationSubject(conversation.id),
      payload: { kind: conversation.kind },
    });
    await this.add(tx, actor, conversation.id, members);
  }

  /** Adds members (skipping those already in), on the record; answers the ids added. */
  private async add(
    tx: Executor,
    actor: Actor,
    conversationId: string,
    members: { userId: string; role: MemberRole }[],
  ): Promise<string[]> {
    const added = await this.conversations.addMembers(conversationId, members, tx);
    if (added.length > 0) {
      const roles = new Map(members.map((m) => [m.userId, m.role]));
      await this.events.record(tx, {
        type: 'conversation.members_added',
        actorId: actor.id,
        subject: conversationSubject(conversationId),
        payload: { members: added.map((userId) => ({ userId, role: roles.get(userId)! })) },
      });
    }
    return added;
  }

  // ---- for other modules: no authorisation, the caller has checked what it needs -------------

  /** The notes conversation beside a support conversation, inside the transaction creating it. */
  async insertNotes(tx: Executor, support: ConversationRow): Promise<ConversationRow> {
    const notes = await this.conversations.insert({ kind: 'notes', createdBy: support.createdBy }, tx);
    return notes!;
  }

  /** Makes a staff member a member (agent) of these conversations; answers where they were added. */
  async addStaff(userId: string, conversationIds: string[], actorId: string | null): Promise<string[]> {
    const joined: string[] = [];
    for (const conversationId of conversationIds) {
      const added = await this.db.transaction((tx) =>
        this.add(tx, { id: actorId ?? userId, role: 'agent' }, conversationId, [{ userId, role: 'agent' }]),
      );
      if (added.length > 0) {
        joined.push(conversationId);
        this.live.publish('members.added', { conversationId, userIds: added });
      }
    }
    return joined;
  }

  /** Writes a system message (no sender), e.g. the desk's note that a conversation went back to the queue. */
  async postSystem(conversationId: string, body: string): Promise<void> {
    const message = await this.messages.insertSystem(conversationId, body);
    if (message) this.live.publish('message.created', { message });
  }

  /** Takes a staff member out of these conversations (their messages stay). */
  async removeStaff(userId: string, conversationIds: string[], actorId: string | null): Promise<void> {
    for (const conversationId of conversationIds) {
      const removed = await this.db.transaction(async (tx) => {
        if (!(await this.conversations.removeMember(conversationId, userId, tx))) return false;
        await this.events.record(tx, {
          type: 'conversation.member_removed',
          actorId,
          subject: conversationSubject(conversationId),
          payload: { userId },
        });
        return true;
      });
      if (removed) this.live.publish('members.removed', { conversationId, userIds: [userId] });
    }
  }

  /** Ids of the conversations whose room a connection of this user joins. */
  conversationIdsOf(userId: string): Promise<string[]> {
    return this.conversations.conversationIdsOf(userId);
  }

  findById(id: string): Promise<ConversationRow | undefined> {
    return this.conversations.getById(id);
  }

  membershipOf(conversationId: string, userId: string): Promise<MemberRow | undefined> {
    return this.conversations.getMembership(conversationId, userId);
  }

  /** Members of the conversations, with their names. */
  membersOf(conversationIds: string[]): Promise<MemberWithName[]> {
    return this.conversations.listMembers(conversationIds);
  }

  /** Everyone sharing a direct or support conversation, or a group of at most `groupLimit`, with the user. */
  contactsOf(userId: string, groupLimit: number): Promise<string[]> {
    return this.conversations.contactsOf(userId, groupLimit);
  }

  /** Of the given users, those who share a conversation with the user. */
  sharedWith(userId: string, others: string[]): Promise<string[]> {
    return this.conversations.sharedWith(userId, others);
  }
}
