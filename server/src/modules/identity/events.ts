import type { PlatformRole } from '@abrik/protocol';

/** The identity module's durable events (the audit trail of accounts and sessions). */
declare module '../../platform/events/domain-events.js' {
  interface DomainEventMap {
    /** A phone signed in for the first time and became a customer. */
    'user.signed_up': Record<string, never>;
    /** An operator created a user with a role, or changed one's role (`abrik user create`). */
    'user.role_set': { role: PlatformRole; previous: PlatformRole | null };
    /** A rotated refresh token came back: its session family was revoked. */
    'session.reuse_detected': { familyId: string; revoked: number };
  }
}

/** What the identity module announces for realtime delivery (session.socket.ts delivers it). */
declare module '../../platform/events/live-events.js' {
  interface LiveEventMap {
    /** A user's role changed (recorded and committed): their sessions are told. */
    'identity.role_changed': { userId: string; role: PlatformRole };
    /** A session ended (logout, a reused refresh token): its connections are closed. */
    'identity.session_ended': { sessionId: string };
  }
}

export const userSubject = (id: string) => `user:${id}`;
