import type { LiveEvents } from '../../platform/events/live-events.js';
import type { Metrics } from '../../platform/metrics.js';
import type { SocketContext, SocketModule } from '../../platform/realtime/gateway.js';
import { conversationRoom, userRoom } from '../../platform/realtime/rooms.js';
import type { ConversationService } from './conversation.service.js';
import type { MessageService } from './message.service.js';
import { toMessage } from './presenters.js';

/** Conversations over the socket: sending, read markers, sync, typing, and their deliveries. */
export function chatSocket(deps: {
  conversations: ConversationService;
  messages: MessageService;
  live: LiveEvents;
  metrics: Metrics;
  /** Least time between two `typing` events of one connection in one conversation. */
  typingThrottleMs: number;
}): SocketModule {
  const { conversations, messages, live, metrics } = deps;
  const typingAt = new WeakMap<SocketContext, Map<string, number>>();
  return {
    rooms: async (actor) => (await conversations.conversationIdsOf(actor.id)).map(conversationRoom),

    handlers: {
      'message:send': async (ctx, payload) => {
        const result = await messages.send(ctx.actor, payload, ctx.id);
        if (!result.duplicate) metrics.messagesTotal.inc({ transport: 'socket' });
        return result;
      },
      read: async (ctx, payload) => {
        const { lastReadSeq } = await conversations.markRead(ctx.actor, payload.conversationId, payload.seq);
        return { seq: lastReadSeq };
      },
      sync: (ctx, payload) => messages.sync(ctx.actor, payload.since, payload.limit),
      'message:react': (ctx, payload) =>
        messages.react(ctx.actor, payload.conversationId, payload.messageId, payload.emoji),
      typing: (ctx, { conversationId }) => {
        const room = conversationRoom(conversationId);
        if (!ctx.inRoom(room)) return 'not_member';
        const now = Date.now();
        const mine = typingAt.get(ctx) ?? new Map<string, number>();
        typingAt.set(ctx, mine);
        if (now - (mine.get(room) ?? 0) < deps.typingThrottleMs) return 'throttled';
        mine.set(room, now);
        ctx.toOthersIn(room).emit('typing', { conversationId, userId: ctx.actor.id });
        return undefined;
      },
    },

    deliver: (io) => {
      live.on('message.created', ({ message, origin, replyTo }) => {
        // Every socket of the conversation but the sending one (each socket is in a room of its
        // own id): the sender's other devices get it, the sender has it in its ack.
        const room = io.to(conversationRoom(message.conversationId));
        (origin ? room.except(origin) : room).emit('message:new', toMessage(message, replyTo && { replyTo }));
      });
      live.on('message.reactions', ({ conversationId, messageId, seq, reactions }) => {
        io.to(conversationRoom(conversationId)).emit('message:reactions', {
          conversationId,
          id: messageId,
          seq,
          reactions,
        });
      });
      live.on('message.hidden', ({ userId, conversationId, messageId, seq }) => {
        io.to(userRoom(userId)).emit('message:hidden', { conversationId, id: messageId, seq });
      });
      live.on('conversation.pins', ({ conversationId, pins }) => {
        io.to(conversationRoom(conversationId)).emit('conversation:pins', { conversationId, pins });
      });
      live.on('conversation.updated', ({ conversationId }) => {
        io.to(conversationRoom(conversationId)).emit('conversation:updated', { conversationId });
      });
      live.on('message.updated', ({ message }) => {
        io.to(conversationRoom(message.conversationId)).emit('message:updated', toMessage(message));
      });
      live.on('message.deleted', ({ message }) => {
        io.to(conversationRoom(message.conversationId)).emit('message:deleted', {
          conversationId: message.conversationId,
          id: message.id,
          seq: message.seq,
          deletedAt: (message.deletedAt ?? new Date()).toISOString(),
        });
      });
      live.on('members.added', ({ conversationId, userIds }) => {
        const rooms = userIds.map(userRoom);
        io.in(rooms).socketsJoin(conversationRoom(conversationId));
        io.to(rooms).emit('conversation:joined', { conversationId });
      });
      live.on('members.removed', ({ conversationId, userIds }) => {
        const rooms = userIds.map(userRoom);
        io.in(rooms).socketsLeave(conversationRoom(conversationId));
        io.to(rooms).emit('conversation:left', { conversationId });
      });
      live.on('read.advanced', ({ conversationId, userId, seq }) => {
        io.to(conversationRoom(conversationId)).emit('read', { conversationId, userId, seq });
      });
    },
  };
}
