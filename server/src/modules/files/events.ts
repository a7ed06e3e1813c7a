/** What the files module announces for realtime delivery (avatar.socket.ts delivers it). */
declare module '../../platform/events/live-events.js' {
  interface LiveEventMap {
    /** A user set (`avatarId`) or removed (null) their profile photo. */
    'user.avatar_changed': { userId: string; avatarId: string | null };
  }
}

export {};
