import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../platform/db/client.js';
import { messages } from '../chat/tables.js';
import { users } from '../identity/tables.js';
import { type FileRow, files } from './tables.js';

export type NewFile = typeof files.$inferInsert & { id: string };

/** A file the cleanup removes: its row and every key of its bytes. */
export type DoomedFile = Pick<FileRow, 'id' | 'storageKey' | 'thumbnailKey' | 'previewKey'>;

export class FileRepository {
  constructor(private readonly db: Db) {}

  async insert(file: NewFile): Promise<FileRow> {
    const [row] = await this.db.insert(files).values(file).returning();
    return row!;
  }

  async getById(id: string): Promise<FileRow | undefined> {
    const [row] = await this.db.select().from(files).where(eq(files.id, id));
    return row;
  }

  /**
   * The file with what a send needs to know of the message already carrying it (if any): its
   * sender and clientMsgId, so the retry of the same send may claim it again.
   */
  async getForClaim(
    id: string,
  ): Promise<
    { file: FileRow; carrier: { senderId: string | null; clientMsgId: string | null } | null } | undefined
  > {
    const [row] = await this.db
      .select({ file: files, senderId: messages.senderId, clientMsgId: messages.clientMsgId })
      .from(files)
      .leftJoin(messages, eq(messages.id, files.messageId))
      .where(eq(files.id, id));
    if (!row) return undefined;
    return {
      file: row.file,
      carrier: row.file.messageId ? { senderId: row.senderId, clientMsgId: row.clientMsgId } : null,
    };
  }

  /** Marks the file as carried by the message, unless another message carries it; false then. */
  async attach(id: string, messageId: string): Promise<boolean> {
    const rows = await this.db
      .update(files)
      .set({ messageId })
      .where(and(eq(files.id, id), or(isNull(files.messageId), eq(files.messageId, messageId))))
      .returning({ id: files.id });
    return rows.length === 1;
  }

  /** Files carried by these messages. */
  async listByMessage(messageId: string): Promise<DoomedFile[]> {
    return this.db
      .select({
        id: files.id,
        storageKey: files.storageKey,
        thumbnailKey: files.thumbnailKey,
        previewKey: files.previewKey,
      })
      .from(files)
      .where(eq(files.messageId, messageId));
  }

  /**
   * Files nobody will see again: uploads never sent by `before`, files of messages deleted for
   * everyone, and profile photos no longer anyone's (replaced, or left by a failed change) by `before`.
   */
  async listDoomed(before: Date, limit: number): Promise<DoomedFile[]> {
    return queryRows<DoomedFile>(
      this.db,
      sql`select f.id, f.storage_key as "storageKey", f.thumbnail_key as "thumbnailKey", f.preview_key as "previewKey"
        from files f
        left join messages m on m.id = f.message_id
        where (f.kind <> 'avatar' and f.message_id is null and f.created_at < ${before})
           or (f.kind <> 'avatar' and m.deleted_at is not null)
           or (f.kind = 'avatar' and f.created_at < ${before}
               and not exists (select 1 from users u where u.avatar_file_id = f.id))
        order by f.created_at
        limit ${limit}`,
    );
  }

  async deleteByIds(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.delete(files).where(inArray(files.id, ids));
  }

  /** The user's profile photo, if they have one. */
  async avatarOf(userId: string): Promise<FileRow | undefined> {
    const [row] = await this.db
      .select({ file: files })
      .from(users)
      .innerJoin(files, eq(files.id, users.avatarFileId))
      .where(eq(users.id, userId));
    return row?.file;
  }

  /**
   * Makes `file` (stored here in the same transaction) the user's profile photo, or removes it
   * (null). Answers the id of the photo it replaced (its row stays until the caller removed the
   * bytes; the cleanup takes it otherwise), or undefined for a user that does not exist.
   */
  async replaceAvatar(
    userId: string,
    file: NewFile | null,
  ): Promise<{ previousId: string | null } | undefined> {
    return this.db.transaction(async (tx) => {
      const [user] = await tx
        .select({ avatarFileId: users.avatarFileId })
        .from(users)
        .where(eq(users.id, userId))
        .for('update');
      if (!user) return undefined;
      if (file) await tx.insert(files).values(file);
      await tx
        .update(users)
        .set({ avatarFileId: file?.id ?? null, updatedAt: sql`now()` })
        .where(eq(users.id, userId));
      return { previousId: user.avatarFileId };
    });
  }
}
