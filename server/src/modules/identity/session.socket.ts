import type { LiveEvents } from '../../platform/events/live-events.js';
import type { SocketModule } from '../../platform/realtime/gateway.js';
import { userRoom } from '../../platform/realtime/rooms.js';

const sessionRoom = (id: string) => `session:${id}`;

/**
 * Logout (or a reused refresh token) ends a session: its connections are closed at once, on every
 * instance. A person's role changed while they are signed in: every connection of theirs hears
 * `session:changed`, refreshes its session (the new access token carries the new role) and
 * reconnects, so rooms and screens follow without signing in again.
 */
export function sessionSocket(live: LiveEvents): SocketModule {
  return {
    // Each connection is in its session's room, so ending the session reaches all of them.
    rooms: async (actor) => (actor.sessionId ? [sessionRoom(actor.sessionId)] : []),
    deliver: (io) => {
      live.on('identity.session_ended', ({ sessionId }) => {
        io.in(sessionRoom(sessionId)).disconnectSockets(true);
      });
      live.on('identity.role_changed', ({ userId, role }) => {
        io.to(userRoom(userId)).emit('session:changed', { role });
      });
    },
  };
}
