/** A conversation's room: every connection of its members. */
export const conversationRoom = (id: string) => `conv:${id}`;
/** A user's room: every connection of theirs, on every instance. */
export const userRoom = (id: string) => `user:${id}`;
