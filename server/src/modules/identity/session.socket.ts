import type { LiveEvents } from '../../platform/events/live-events.js';
import type { SocketModule } from '../../platform/realtime/gateway.js';
import { userRoom } from '../../platform/realtime/rooms.js';

/**
 * A person's role changed while they are signed in: every connection of theirs hears
 * `session:changed`, refreshes its session (the new access token carries the new role) and
 * reconnects, so rooms and screens follow without signing in again.
 */
export function sessionSocket(live: LiveEvents): SocketModule {
  return {
    deliver: (io) => {
      live.on('identity.role_changed', ({ userId, role }) => {
        io.to(userRoom(userId)).emit('session:changed', { role });
      });
    },
  };
}
