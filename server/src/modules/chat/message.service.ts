import type { Message, MessageMeta, Pin, Reaction, ReplyPreview, SyncConversation } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import { AppError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { KeyedGate } from '../../platform/keyed-gate.js';
import type { LatePort } from '../../platform/late-port.js';
import type { RateLimit } from '../../platform/redis/rate-limit.js';
import { isStaff } from '../identity/policies.js';
import type { AttachmentPort } from './attachment-port.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { ConversationService } from './conversation.service.js';
import type { BatchInput, BatchOutcome, MessageRepository } from './message.repository.js';
import { mayChangeMessage, mayPin, requireAccess, staffServes } from './policies.js';
import { toMessage, toMessages } from './presenters.js';
import type { SupportPort, VisitorPort } from './support-port.js';
import type { MessageRow } from './tables.js';

/** What the message service needs of the writer: one send in, what became of it out. */
export interface MessageSink {
  write(input: BatchInput): Promise<BatchOutcome>;
}

/** A send: text, and what a message may carry besides (a reply, an attachment, a forward). */
export interface SendInput {
  conversationId: string;
  clientMsgId: string;
  body?: string | undefined;
  internal?: boolean | undefined;
  replyToSeq?: number | undefined;
  attachmentId?: string | undefined;
  forward?: { conversationId: string; messageId: string } | undefined;
}

/** Pins a conversation may hold. */
export const MAX_PINS = 50;

export interface MessageServiceDeps {
  writer: MessageSink;
  messages: Pick<
    MessageRepository,
    | 'listPage'
    | 'updateBody'
    | 'softDelete'
    | 'getById'
    | 'countUnread'
    | 'countUnreadOfUser'
    | 'liveInSupport'
    | 'getBySeq'
    | 'extras'
    | 'replyPreviews'
    | 'reactionsOf'
    | 'setReaction'
    | 'hide'
    | 'pins'
    | 'pin'
    | 'unpin'
    | 'insertSystem'
  >;
  conversations: Pick<ConversationRepository, 'getById' | 'getMembership' | 'syncState'>;
  /** Staff who answer a support conversation join it through here. */
  conversationService: Pick<ConversationService, 'joinAsStaff'>;
  live: Pick<LiveEvents, 'publish'>;
  /** The support desk: private notes, who serves what (unset: support conversations are plain). */
  support?: LatePort<SupportPort>;
  /** The website widget, once built: checks its visitors' messages. */
  visitors?: LatePort<VisitorPort>;
  /** The files module, once built: the attachments messages carry. */
  attachments?: LatePort<AttachmentPort>;
  /** Names of the authors of forwarded messages. */
  users?: { findById(id: string): Promise<{ name: string | null } | undefined> };
  /**
   * Fairness of the heavy reads (sync, history pages): per-user rates, and a gate that lets one
   * user run only a few at once, so one person's flood cannot take the pool from everyone else.
   */
  reads?: { sync: RateLimit; history: RateLimit; gate: KeyedGate } | undefined;
  /** Sends per user and minute: one person cannot take the message path from everyone else. */
  sends?: RateLimit | undefined;
}

/** Pages one sync reads at once. */
const SYNC_PARALLEL_PAGES = 2;

/** A retried send younger than this is announced again (its first announcement may never have gone). */
const REANNOUNCE_DUPLICATES_MS = 15 * 60_000;

/** The message path: storing with a gap-free seq, idempotent retries, history, edits and sync. */
export class MessageService {
  private readonly writer: MessageSink;
  private readonly messages: MessageServiceDeps['messages'];
  private readonly conversations: MessageServiceDeps['conversations'];
  private readonly conversationService: MessageServiceDeps['conversationService'];
  private readonly live: MessageServiceDeps['live'];
  private readonly supportPort: LatePort<SupportPort> | undefined;
  private readonly visitorPort: LatePort<VisitorPort> | undefined;
  private readonly attachmentPort: LatePort<AttachmentPort> | undefined;
  private readonly users: MessageServiceDeps['users'];
  private readonly reads: MessageServiceDeps['reads'];
  private readonly sends: RateLimit | undefined;

  constructor(deps: MessageServiceDeps) {
    this.supportPort = deps.support;
    this.visitorPort = deps.visitors;
    this.attachmentPort = deps.attachments;
    this.users = deps.users;
    this.writer = deps.writer;
    this.messages = deps.messages;
    this.conversations = deps.conversations;
    this.conversationService = deps.conversationService;
    this.live = deps.live;
    this.reads = deps.reads;
    this.sends = deps.sends;
  }

  /** A heavy read of `actor`, within their rate and their share of the pool. */
  private async heavyRead<T>(actor: Actor, kind: 'sync' | 'history', read: () => Promise<T>): Promise<T> {
    if (!this.reads) return read();
    await this.reads[kind].consume(actor.id);
    return this.reads.gate.run(actor.id, read);
  }

  /**
   * Stores a message and returns its ack. The same (sender, clientMsgId) sent again returns the
   * first message with `duplicate: true` and stores nothing. Resolves only after commit.
   */
  async send(
    actor: Actor,
    input: SendInput,
    /** The socket it came from: its ack carries the message, so the broadcast skips it. */
    origin?: string,
    /** `metered: false`: the server's own copy of a message already counted (a follow-up). */
    options: { metered?: boolean } = {},
  ): Promise<{ message: Message; duplicate: boolean }> {
    // Retries count too: a client that retries without pause is flooding all the same.
    if (options.metered !== false) await this.sends?.consume(actor.id);
    // Only a widget visitor's message pays for this; direct and group chat skip it.
    if (actor.visitor) {
      if (!this.visitorPort) throw new ForbiddenError('auth/forbidden');
      await this.visitorPort.require().guardSend(actor, input.conversationId);
    }
    const support = this.supportPort?.get();
    // A private note goes to the notes conversation beside the support one: never to the customer.
    const conversationId = input.internal
      ? await this.notesTarget(actor, input.conversationId)
      : input.conversationId;
    const body = input.body ?? '';
    if (!input.internal && support && isStaff(actor) && body.includes('{{')) {
      await support.guardReply(actor, conversationId, body);
    }
    // Replies, attachments and forwards are checked here; a plain text skips all of it.
    const extra =
      input.replyToSeq !== undefined || input.attachmentId !== undefined || input.forward !== undefined
        ? await this.prepareExtras(actor, conversationId, input)
        : undefined;
    const write = () =>
      this.writer.write({
        conversationId,
        clientMsgId: input.clientMsgId,
        body: extra?.body ?? body,
        senderId: actor.id,
        replyToSeq: input.replyToSeq ?? null,
        meta: extra?.meta ?? null,
      });
    let result = await write();
    if (result.outcome === 'not_member') {
      // Staff answer the support conversations they serve: they join, then write. Anyone else: 404.
      const { conversation, membership } = await requireAccess(
        this.conversations,
        actor,
        conversationId,
        support,
      );
      if (membership) {
        // Made a member meanwhile (the desk assigned it to them a moment ago): write again.
        result = await write();
      } else if (staffServes(actor, conversation)) {
        await this.conversationService.joinAsStaff(actor, conversation.id);
        result = await write();
      }
    }
    switch (result.outcome) {
      case 'not_member':
        throw new NotFoundError('conversation/not_found');
      case 'duplicate':
        // The same id reused for another conversation is a client bug, refused loudly rather than
        // answered with a message from elsewhere.
        if (result.first.conversationId !== conversationId) {
          throw new AppError(409, 'message/client_id_conflict');
        }
        // Stored, but maybe never announced: the first send's ack can fail after its statement
        // committed (a database that stalled, then resumed). Announce it again while it is fresh;
        // clients keep a message once by its id, so a second announcement costs nothing.
        if (Date.now() - result.first.createdAt.getTime() < REANNOUNCE_DUPLICATES_MS) {
          this.live.publish('message.created', { message: result.first, origin, replyTo: extra?.replyTo });
        }
        return { message: toMessage(result.first, { replyTo: extra?.replyTo }), duplicate: true };
      case 'stored':
        if (extra?.fileId) await this.attachmentPort?.require().attach(extra.fileId, result.message.id);
        this.live.publish('message.created', { message: result.message, origin, replyTo: extra?.replyTo });
        return { message: toMessage(result.message, { replyTo: extra?.replyTo }), duplicate: false };
    }
  }

  /**
   * What a reply, an attachment or a forward adds to a send, checked: the quoted message is in
   * this conversation; the file was uploaded here by the sender; the forwarded message is one the
   * sender may read (and its attachment is copied for this conversation's members).
   */
  private async prepareExtras(
    actor: Actor,
    conversationId: string,
    input: SendInput,
  ): Promise<{ body?: string; meta?: MessageMeta; replyTo?: ReplyPreview; fileId?: string }> {
    // The widget sends text and replies; files and forwards are the app's.
    if (actor.visitor && (input.attachmentId !== undefined || input.forward !== undefined)) {
      throw new ForbiddenError('auth/forbidden');
    }
    const out: { body?: string; meta?: MessageMeta; replyTo?: ReplyPreview; fileId?: string } = {};
    // Access first: someone outside learns nothing of the conversation's messages from the answers.
    await requireAccess(this.conversations, actor, conversationId, this.supportPort?.get());
    if (input.replyToSeq !== undefined) {
      const [preview] = (await this.messages.replyPreviews(conversationId, [input.replyToSeq])).values();
      // Not found and not visible answer alike; the membership check is the write's own.
      if (!preview) throw new AppError(400, 'message/reply_not_found');
      out.replyTo = preview;
    }
    if (input.attachmentId !== undefined) {
      const attachments = this.attachmentPort?.get();
      if (!attachments) throw new AppError(400, 'attachment/unavailable');
      const attachment = await attachments.claim(
        actor.id,
        conversationId,
        input.attachmentId,
        input.clientMsgId,
      );
      out.meta = { attachment };
      out.fileId = attachment.id;
    }
    if (input.forward !== undefined) {
      const source = input.forward;
      await requireAccess(this.conversations, actor, source.conversationId, this.supportPort?.get());
      const original = await this.messages.getById(source.conversationId, source.messageId);
      if (!original || original.deletedAt || original.kind !== 'text') {
        throw new NotFoundError('message/not_found');
      }
      // A forward of a forward names the first author.
      const forwarded =
        original.meta?.forwarded ??
        (original.senderId
          ? {
              senderId: original.senderId,
              name: (await this.users?.findById(original.senderId))?.name ?? null,
            }
          : { senderId: null, name: null });
      out.meta = { forwarded };
      out.body = original.body ?? '';
      const attachment = original.meta?.attachment;
      if (attachment) {
        const attachments = this.attachmentPort?.get();
        if (!attachments) throw new AppError(400, 'attachment/unavailable');
        out.meta.attachment = await attachments.copy(actor.id, attachment.id, conversationId);
        out.fileId = out.meta.attachment.id;
      }
    }
    return out;
  }

  private async notesTarget(actor: Actor, conversationId: string): Promise<string> {
    const support = this.supportPort?.get();
    if (!support || !isStaff(actor)) throw new ForbiddenError('support/forbidden');
    return support.notesFor(actor, conversationId);
  }

  /**
   * A page of history. Without `after`: the newest messages (below `before` when given) and a
   * cursor to pass as `before` for older ones. With `after`: the messages following that seq and
   * a cursor to pass as `after`. Items are always in ascending seq order.
   */
  async history(
    actor: Actor,
    conversationId: string,
    query: { before?: number | undefined; after?: number | undefined; limit: number },
  ): Promise<{ items: Message[]; nextCursor: number | null }> {
    await requireAccess(this.conversations, actor, conversationId, this.supportPort?.get());
    const rows = await this.heavyRead(actor, 'history', async () => {
      const page = await this.messages.listPage(conversationId, query);
      return { page, extras: await this.messages.extras(conversationId, page, actor.id) };
    });
    const items = toMessages(query.after !== undefined ? rows.page : rows.page.reverse(), rows.extras);
    const full = rows.page.length === query.limit;
    const nextCursor = !full ? null : query.after !== undefined ? items.at(-1)!.seq : items[0]!.seq;
    return { items, nextCursor };
  }

  async edit(actor: Actor, conversationId: string, messageId: string, body: string): Promise<Message> {
    await requireAccess(this.conversations, actor, conversationId, this.supportPort?.get());
    const row = await this.messages.updateBody(conversationId, messageId, actor.id, body);
    if (!row) throw await this.whyNotChangeable(actor, conversationId, messageId);
    this.live.publish('message.updated', { message: row });
    return toMessage(row);
  }

  /** Soft-deletes an own message; deleting it again is a no-op. */
  async delete(actor: Actor, conversationId: string, messageId: string): Promise<void> {
    await requireAccess(this.conversations, actor, conversationId, this.supportPort?.get());
    const row = await this.messages.softDelete(conversationId, messageId, actor.id);
    if (row) {
      this.live.publish('message.deleted', { message: row });
      return;
    }
    const error = await this.whyNotChangeable(actor, conversationId, messageId);
    if (!(error instanceof AppError && error.code === 'message/deleted')) throw error;
  }

  /**
   * What a reconnecting client missed: for each of its conversations with messages after the seq
   * it holds, up to `limit` of them. `removed` lists conversations it asked about and may no
   * longer see.
   */
  async sync(
    actor: Actor,
    since: Record<string, number>,
    limit: number,
  ): Promise<{ conversations: SyncConversation[]; removed: string[] }> {
    return this.heavyRead(actor, 'sync', async () => {
      const state = await this.conversations.syncState(actor.id);
      const mine = new Set(state.map((s) => s.conversationId));
      const removed = Object.keys(since).filter((id) => !mine.has(id));
      const behind = state.filter((s) => s.lastSeq > (since[s.conversationId] ?? 0));
      const conversations: SyncConversation[] = [];
      // Two pages at a time: a person far behind in many conversations takes two connections,
      // not one per conversation.
      for (let i = 0; i < behind.length; i += SYNC_PARALLEL_PAGES) {
        const pages = await Promise.all(
          behind.slice(i, i + SYNC_PARALLEL_PAGES).map(async (s) => {
            const rows = await this.messages.listPage(s.conversationId, {
              after: since[s.conversationId] ?? 0,
              limit: limit + 1,
            });
            const page = rows.slice(0, limit);
            const extras = await this.messages.extras(s.conversationId, page, actor.id);
            return {
              conversationId: s.conversationId,
              messages: toMessages(page, extras),
              hasMore: rows.length > limit,
              lastReadSeq: s.lastReadSeq,
            };
          }),
        );
        conversations.push(...pages);
      }
      return { conversations, removed };
    });
  }

  /** A live message of a conversation the actor may read (404 alike when it is not). */
  private async readable(actor: Actor, conversationId: string, messageId: string) {
    const access = await requireAccess(this.conversations, actor, conversationId, this.supportPort?.get());
    const message = await this.messages.getById(conversationId, messageId);
    if (!message) throw new NotFoundError('message/not_found');
    if (message.deletedAt) throw new AppError(409, 'message/deleted');
    return { ...access, message };
  }

  /** Sets (or with `null` takes back) the actor's reaction; everyone in the conversation sees it. */
  async react(
    actor: Actor,
    conversationId: string,
    messageId: string,
    emoji: Reaction['emoji'] | null,
  ): Promise<{ reactions: Reaction[] }> {
    if (actor.visitor) throw new ForbiddenError('auth/forbidden');
    const { membership, message } = await this.readable(actor, conversationId, messageId);
    // Staff reading a support conversation they have not joined do not react in the customer's name.
    if (!membership) throw new ForbiddenError('conversation/forbidden');
    if (message.kind !== 'text') throw new AppError(409, 'message/not_reactable');
    await this.messages.setReaction(messageId, actor.id, emoji);
    const reactions = (await this.messages.reactionsOf([messageId])).get(messageId) ?? [];
    this.live.publish('message.reactions', { conversationId, messageId, seq: message.seq, reactions });
    return { reactions };
  }

  /** "Delete for me": the message leaves the actor's history on every device (others keep it). */
  async hide(actor: Actor, conversationId: string, messageId: string): Promise<void> {
    const { membership } = await requireAccess(
      this.conversations,
      actor,
      conversationId,
      this.supportPort?.get(),
    );
    if (!membership) throw new NotFoundError('conversation/not_found');
    const message = await this.messages.getById(conversationId, messageId);
    if (!message) throw new NotFoundError('message/not_found');
    if (await this.messages.hide(actor.id, conversationId, messageId)) {
      this.live.publish('message.hidden', { userId: actor.id, conversationId, messageId, seq: message.seq });
    }
  }

  async pins(actor: Actor, conversationId: string): Promise<{ pins: Pin[] }> {
    await requireAccess(this.conversations, actor, conversationId, this.supportPort?.get());
    return { pins: await this.messages.pins(conversationId) };
  }

  /**
   * Pins a message for everyone: any member of a direct conversation, a group's owner and admins
   * (Telegram's default). A group is told who pinned what by a system message.
   */
  async pin(actor: Actor, conversationId: string, messageId: string): Promise<{ pins: Pin[] }> {
    const { conversation, membership, message } = await this.readable(actor, conversationId, messageId);
    if (!mayPin(membership, conversation)) throw new ForbiddenError('conversation/forbidden');
    if (message.kind !== 'text') throw new AppError(409, 'message/not_pinnable');
    const current = await this.messages.pins(conversationId);
    if (current.some((p) => p.messageId === messageId)) return { pins: current };
    if (current.length >= MAX_PINS) throw new AppError(409, 'pin/too_many');
    if (await this.messages.pin(conversationId, messageId, actor.id)) {
      const system = await this.messages.insertSystem(conversationId, null, undefined, {
        system: { action: 'pinned', actorId: actor.id, userIds: [], value: String(message.seq) },
      });
      if (system) this.live.publish('message.created', { message: system });
    }
    return this.pinsChanged(conversationId);
  }

  async unpin(actor: Actor, conversationId: string, messageId: string): Promise<{ pins: Pin[] }> {
    const { conversation, membership } = await requireAccess(
      this.conversations,
      actor,
      conversationId,
      this.supportPort?.get(),
    );
    if (!mayPin(membership, conversation)) throw new ForbiddenError('conversation/forbidden');
    if (!(await this.messages.unpin(conversationId, messageId))) {
      return { pins: await this.messages.pins(conversationId) };
    }
    return this.pinsChanged(conversationId);
  }

  private async pinsChanged(conversationId: string): Promise<{ pins: Pin[] }> {
    const pins = await this.messages.pins(conversationId);
    this.live.publish('conversation.pins', { conversationId, pins });
    return { pins };
  }

  // ---- for other modules: no authorisation, the caller has checked what it needs -------------

  /** The newest message of a conversation. */
  async latest(conversationId: string): Promise<MessageRow | undefined> {
    const [row] = await this.messages.listPage(conversationId, { limit: 1 });
    return row;
  }

  /** Live messages from others after the reader's marker. */
  countUnread(conversationId: string, readerId: string, lastReadSeq: number): Promise<number> {
    return this.messages.countUnread(conversationId, readerId, lastReadSeq);
  }

  /** Live unread messages of the user over all their conversations (the app badge). */
  unreadTotal(userId: string): Promise<number> {
    return this.messages.countUnreadOfUser(userId);
  }

  /** The live messages among `ids` that belong to support conversations, in seq order. */
  liveInSupport(ids: string[]): Promise<MessageRow[]> {
    return this.messages.liveInSupport(ids);
  }

  private async whyNotChangeable(actor: Actor, conversationId: string, messageId: string): Promise<AppError> {
    const existing = await this.messages.getById(conversationId, messageId);
    if (!existing) return new NotFoundError('message/not_found');
    if (!mayChangeMessage(actor, existing)) return new ForbiddenError('message/forbidden');
    return new AppError(409, 'message/deleted');
  }
}
