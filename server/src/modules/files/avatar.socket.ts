import type { LiveEvents } from '../../platform/events/live-events.js';
import type { Logger } from '../../platform/logger.js';
import type { SocketModule } from '../../platform/realtime/gateway.js';
import { conversationRoom, userRoom } from '../../platform/realtime/rooms.js';
import type { MembershipPort } from './file.service.js';

/**
 * A new or removed profile photo, live: to the rooms of the user's conversations (everyone who may
 * see the photo) and the user's own room (their other devices, also with no conversation yet).
 */
export function avatarSocket(deps: {
  live: LiveEvents;
  conversations: Pick<MembershipPort, 'conversationIdsOf'>;
  logger: Logger;
}): SocketModule {
  const log = deps.logger.child({ component: 'realtime' });
  return {
    deliver: (io) => {
      deps.live.on('user.avatar_changed', ({ userId, avatarId }) => {
        deps.conversations
          .conversationIdsOf(userId)
          .then((ids) => {
            // One emit over all the rooms: a socket in several of them hears it once.
            io.to([userRoom(userId), ...ids.map(conversationRoom)]).emit('user:avatar', { userId, avatarId });
          })
          .catch((error: unknown) =>
            log.warn(
              { err: error, userId },
              'profile photo change not delivered; others see it on their next fetch',
            ),
          );
      });
    },
  };
}
