import type { Attachment } from '@abrik/protocol';

/**
 * What chat asks of the files module when a message carries a file (the files module answers; it
 * is built after chat, so the composition root hands it over). Plain text never reaches it.
 */
export interface AttachmentPort {
  /**
   * The upload `fileId` the actor made to this conversation, ready to go out with a message (not
   * yet sent with another one, or sent with this very message by an earlier try). Refuses with
   * an AppError otherwise.
   */
  claim(
    actorId: string,
    conversationId: string,
    fileId: string,
    clientMsgId?: string | null,
  ): Promise<Attachment>;
  /** Once the message is stored: the file belongs to it. */
  attach(fileId: string, messageId: string): Promise<void>;
  /** A forward: a copy of the bytes as the actor's upload to another conversation, for its members. */
  copy(actorId: string, fileId: string, toConversationId: string): Promise<Attachment>;
}
