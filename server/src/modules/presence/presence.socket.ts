import type { LiveEvents } from '../../platform/events/live-events.js';
import type { Logger } from '../../platform/logger.js';
import type { SocketModule } from '../../platform/realtime/gateway.js';
import { conversationRoom, userRoom } from '../../platform/realtime/rooms.js';
import type { PresenceService } from './presence.service.js';

/** Presence over the socket: connections counted, queries, focus, and broadcasts. */
export function presenceSocket(deps: {
  presence: PresenceService;
  live: LiveEvents;
  logger: Logger;
}): SocketModule {
  const { presence, live } = deps;
  const log = deps.logger.child({ component: 'realtime' });
  const failed = (userId: string) => (error: unknown) =>
    log.warn({ err: error, userId }, 'presence update failed; corrected at the next reconcile');
  return {
    onConnect: (ctx) => {
      presence.connected(ctx.actor.id).catch(failed(ctx.actor.id));
    },
    onDisconnect: (ctx, draining) => {
      // While draining, sockets close because this instance stops: their presence share stays
      // until the store's leave grace is over, so users reconnecting elsewhere never flicker.
      if (!draining) presence.disconnected(ctx.actor.id).catch(failed(ctx.actor.id));
      presence.setFocus(ctx.actor.id, ctx.id, null).catch(failed(ctx.actor.id));
    },

    handlers: {
      'presence:query': async (ctx, payload) => ({
        presences: await presence.query(ctx.actor.id, payload.userIds),
      }),
      focus: (ctx, { conversationId }) => {
        if (conversationId && !ctx.inRoom(conversationRoom(conversationId))) return 'not_member';
        presence
          .setFocus(ctx.actor.id, ctx.id, conversationId)
          .catch((error: unknown) => log.warn({ err: error, userId: ctx.actor.id }, 'focus not recorded'));
        return undefined;
      },
    },

    deliver: (io) => {
      live.on('presence.changed', ({ userId, status, lastSeenAt, availability }) => {
        presence
          .audience(userId)
          .then((contacts) => {
            if (contacts.length === 0) return;
            io.to(contacts.map(userRoom)).emit('presence', {
              userId,
              status,
              lastSeenAt: lastSeenAt?.toISOString() ?? null,
              ...(availability ? { availability } : {}),
            });
          })
          .catch((error: unknown) => log.warn({ err: error, userId }, 'presence change not delivered'));
      });
    },
  };
}
