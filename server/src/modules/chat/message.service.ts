import type { Message, SyncConversation } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import { AppError, ForbiddenError, NotFoundError } from '../../platform/errors.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { KeyedGate } from '../../platform/keyed-gate.js';
import type { LatePort } from '../../platform/late-port.js';
import type { RateLimit } from '../../platform/redis/rate-limit.js';
import { isStaff } from '../identity/policies.js';
import type { ConversationRepository } from './conversation.repository.js';
import type { ConversationService } from './conversation.service.js';
import type { BatchOutcome, MessageRepository } from './message.repository.js';
import { mayChangeMessage, requireAccess, staffServes } from './policies.js';
import { toMessage } from './presenters.js';
import type { SupportPort, VisitorPort } from './support-port.js';
import type { MessageRow } from './tables.js';

/** What the message service needs of the writer: one send in, what became of it out. */
export interface MessageSink {
  write(input: {
    conversationId: string;
    senderId: string;
    clientMsgId: string;
    body: string;
  }): Promise<BatchOutcome>;
}

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
  >;
  conversations: Pick<ConversationRepository, 'getById' | 'getMembership' | 'syncState'>;
  /** Staff who answer a support conversation join it through here. */
  conversationService: Pick<ConversationService, 'joinAsStaff'>;
  live: Pick<LiveEvents, 'publish'>;
  /** The support desk: private notes, who serves what (unset: support conversations are plain). */
  support?: LatePort<SupportPort>;
  /** The website widget, once built: checks its visitors' messages. */
  visitors?: LatePort<VisitorPort>;
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
  private readonly reads: MessageServiceDeps['reads'];
  private readonly sends: RateLimit | undefined;

  constructor(deps: MessageServiceDeps) {
    this.supportPort = deps.support;
    this.visitorPort = deps.visitors;
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
    input: { conversationId: string; clientMsgId: string; body: string; internal?: boolean | undefined },
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
    if (!input.internal && support && isStaff(actor) && input.body.includes('{{')) {
      await support.guardReply(actor, conversationId, input.body);
    }
    const write = () =>
      this.writer.write({
        conversationId,
        clientMsgId: input.clientMsgId,
        body: input.body,
        senderId: actor.id,
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
          this.live.publish('message.created', { message: result.first, origin });
        }
        return { message: toMessage(result.first), duplicate: true };
      case 'stored':
        this.live.publish('message.created', { message: result.message, origin });
        return { message: toMessage(result.message), duplicate: false };
    }
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
    const rows = await this.heavyRead(actor, 'history', () => this.messages.listPage(conversationId, query));
    const items = (query.after !== undefined ? rows : rows.reverse()).map(toMessage);
    const full = rows.length === query.limit;
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
            return {
              conversationId: s.conversationId,
              messages: rows.slice(0, limit).map(toMessage),
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
