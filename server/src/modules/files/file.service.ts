import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Attachment, AttachmentKind, Me } from '@abrik/protocol';
import { fileTypeFromFile } from 'file-type';
import type { Actor } from '../../platform/auth.js';
import { AppError, NotFoundError } from '../../platform/errors.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import { KeyedGate } from '../../platform/keyed-gate.js';
import type { Logger } from '../../platform/logger.js';
import type { RateLimit } from '../../platform/redis/rate-limit.js';
import type { DoomedFile, FileRepository, NewFile } from './file.repository.js';
import { cleanName, documentType, IMAGE_TYPES, limitOf, type SizeLimits, voiceType } from './file-kinds.js';
import { processAvatar, processImage, UnreadableImageError } from './image.js';
import { toAttachment } from './presenters.js';
import type { ByteRange, FileStorage, StoredObject } from './storage.js';
import type { FileRow } from './tables.js';

/** Uploads not sent with a message by then are removed (and profile photos no longer used). */
const UNSENT_TTL_MS = 24 * 3600_000;
const CLEANUP_BATCH = 200;
/** A voice note's length as the recording client reports it: shown, never trusted for more. */
const MAX_VOICE_MS = 3 * 3600_000;

/** What the files module asks the chat module: is this user (still) in that conversation. */
export interface MembershipPort {
  membershipOf(conversationId: string, userId: string): Promise<unknown>;
  /** Of the given users, those who share a conversation with the user. */
  sharedWith(userId: string, others: string[]): Promise<string[]>;
  /** The conversations the user is a member of (their photo's live audience). */
  conversationIdsOf(userId: string): Promise<string[]>;
}

/**
 * What the chat module asks when a message is sent with a file: `claim` checks the actor may send
 * it there (and gives the summary for the message's meta) before the message is stored, `attach`
 * marks it carried once the message is stored.
 */
export interface AttachmentPort {
  /**
   * The file must exist, be uploaded by the actor to this conversation, be no profile photo and
   * not be carried by a message yet — except by the actor's message with the same clientMsgId (the
   * retry of the same send). 404 `file/not_found`, 409 `file/already_attached`.
   */
  claim(
    actorId: string,
    conversationId: string,
    fileId: string,
    clientMsgId?: string | null,
  ): Promise<Attachment>;
  /** Idempotent for the same message; 409 `file/already_attached` when another message took it meanwhile. */
  attach(fileId: string, messageId: string): Promise<void>;
  /**
   * A forward: copies a file the actor can see (a member of its conversation) into another
   * conversation as the actor's upload, to claim and attach like any other. Members of the target
   * see the copy; deleting the original message leaves it.
   */
  copy(actorId: string, fileId: string, toConversationId: string): Promise<Attachment>;
}

export type FileVariant = 'original' | 'thumbnail' | 'preview';

/** A file about to be served: what the headers need before any byte is read, and the bytes. */
export interface FileDownload {
  /** Strong, from the id and the variant: a stored file never changes. */
  etag: string;
  contentType: string;
  name: string;
  /** Images are shown in place; everything else is downloaded. */
  inline: boolean;
  /** The whole length when known (originals), so a Range can be checked against it. */
  size: number | undefined;
  read(range?: ByteRange): Promise<StoredObject>;
}

export interface UploadInput {
  conversationId: string;
  kind: AttachmentKind;
  name?: string | undefined;
  /** Voice notes: their length as the recording client measured it. */
  durationMs?: number | undefined;
  body: Readable;
  /** The request's Content-Length, when it had one: too large is refused before reading. */
  declaredSize?: number | undefined;
}

/** What the files module asks the identity module: the signed-in user's own record. */
export interface ProfilePort {
  me(userId: string): Promise<Me>;
}

export interface FileServiceDeps {
  files: FileRepository;
  profiles: ProfilePort;
  storage: FileStorage;
  conversations: MembershipPort;
  live: Pick<LiveEvents, 'publish'>;
  uploads: RateLimit;
  limits: SizeLimits;
  /** Where uploads are received before they are checked and stored (DATA_DIR/tmp/uploads). */
  tempDir: string;
  logger: Logger;
  now: () => number;
}

/** Uploads, authorised downloads, attachments of messages, profile photos and their cleanup. */
/**
 * Images decoded and re-encoded at once in this process: a burst of large photos waits its turn
 * instead of taking every core from the message path (sharp's own threads work inside each).
 */
const IMAGE_WORK_AT_ONCE = 2;

export class FileService implements AttachmentPort {
  private readonly log: Logger;
  private readonly imageWork = new KeyedGate(IMAGE_WORK_AT_ONCE);

  constructor(private readonly deps: FileServiceDeps) {
    this.log = deps.logger.child({ component: 'files' });
  }

  /** Stores an upload to a conversation the actor is a member of; the message that carries it comes after. */
  async upload(actor: Actor, input: UploadInput): Promise<Attachment> {
    await this.deps.uploads.consume(actor.id);
    await this.requireMember(actor.id, input.conversationId);
    const id = randomUUID();
    const received = await this.receive(
      input.body,
      limitOf(input.kind, this.deps.limits),
      input.declaredSize,
    );
    const keys: string[] = [];
    try {
      const sniffed = (await fileTypeFromFile(received.path))?.mime;
      const file: NewFile = {
        id,
        uploaderId: actor.id,
        conversationId: input.conversationId,
        kind: input.kind,
        name: '',
        mime: '',
        size: received.size,
        storageKey: `files/${id}/original`,
      };
      if (input.kind === 'image') {
        if (!sniffed || !IMAGE_TYPES.has(sniffed)) throw notAnImage();
        const image = await this.imageWork
          .run('images', () => processImage(received.path, sniffed))
          .catch(rethrowUnreadable);
        const ext = sniffed.slice('image/'.length).replace('jpeg', 'jpg');
        Object.assign(file, {
          name: cleanName(input.name, `photo.${ext}`),
          mime: sniffed,
          size: image.original.length,
          width: image.width,
          height: image.height,
          thumbnailKey: `files/${id}/thumbnail.webp`,
          previewKey: `files/${id}/preview.webp`,
        });
        await this.put(keys, file.storageKey, image.original, sniffed);
        await this.put(keys, file.thumbnailKey!, image.thumbnail, 'image/webp');
        await this.put(keys, file.previewKey!, image.preview, 'image/webp');
      } else {
        const mime = input.kind === 'voice' ? voiceType(sniffed) : documentType(sniffed);
        if (!mime) throw new AppError(415, 'file/not_audio');
        Object.assign(file, {
          name: cleanName(input.name, input.kind === 'voice' ? 'voice' : 'file'),
          mime,
          durationMs:
            input.kind === 'voice' && input.durationMs !== undefined
              ? Math.min(Math.max(0, Math.round(input.durationMs)), MAX_VOICE_MS)
              : null,
        });
        await this.put(keys, file.storageKey, createReadStream(received.path), mime, received.size);
      }
      const row = await this.deps.files.insert(file);
      return toAttachment(row);
    } catch (error) {
      await this.removeKeys(keys);
      throw error;
    } finally {
      await rm(received.path, { force: true });
    }
  }

  /** A conversation's file for a member of it (404 for everyone else, as for the conversation). */
  async open(actor: Actor, fileId: string, variant: FileVariant): Promise<FileDownload> {
    const row = await this.deps.files.getById(fileId);
    if (!row?.conversationId || row.kind === 'avatar') throw new NotFoundError('file/not_found');
    if (!(await this.deps.conversations.membershipOf(row.conversationId, actor.id))) {
      throw new NotFoundError('file/not_found');
    }
    const key =
      variant === 'original' ? row.storageKey : variant === 'thumbnail' ? row.thumbnailKey : row.previewKey;
    if (!key) throw new NotFoundError('file/not_found');
    const original = variant === 'original';
    return {
      etag: `"${row.id}.${variant}"`,
      contentType: original ? row.mime : 'image/webp',
      name: original ? row.name : `${row.name.replace(/\.[^.]*$/, '')}.${variant}.webp`,
      inline: row.kind === 'image',
      size: original ? row.size : undefined,
      read: (range) => this.read(key, range),
    };
  }

  claim = async (
    actorId: string,
    conversationId: string,
    fileId: string,
    clientMsgId?: string | null,
  ): Promise<Attachment> => {
    const found = await this.deps.files.getForClaim(fileId);
    const file = found?.file;
    if (
      !file ||
      file.uploaderId !== actorId ||
      file.conversationId !== conversationId ||
      file.kind === 'avatar'
    ) {
      throw new NotFoundError('file/not_found');
    }
    const carrier = found.carrier;
    const sameSend = carrier?.senderId === actorId && !!clientMsgId && carrier.clientMsgId === clientMsgId;
    if (carrier && !sameSend) throw new AppError(409, 'file/already_attached');
    return toAttachment(file);
  };

  attach = async (fileId: string, messageId: string): Promise<void> => {
    if (!(await this.deps.files.attach(fileId, messageId))) throw new AppError(409, 'file/already_attached');
  };

  copy = async (actorId: string, fileId: string, toConversationId: string): Promise<Attachment> => {
    const source = await this.deps.files.getById(fileId);
    if (!source?.conversationId || source.kind === 'avatar') throw new NotFoundError('file/not_found');
    if (!(await this.deps.conversations.membershipOf(source.conversationId, actorId))) {
      throw new NotFoundError('file/not_found');
    }
    await this.requireMember(actorId, toConversationId);
    const id = randomUUID();
    const keyOf = (key: string | null, name: string) => (key ? `files/${id}/${name}` : null);
    const copied = {
      storageKey: `files/${id}/original`,
      thumbnailKey: keyOf(source.thumbnailKey, 'thumbnail.webp'),
      previewKey: keyOf(source.previewKey, 'preview.webp'),
    };
    const keys: string[] = [];
    try {
      for (const [from, to] of [
        [source.storageKey, copied.storageKey],
        [source.thumbnailKey, copied.thumbnailKey],
        [source.previewKey, copied.previewKey],
      ] as const) {
        if (!from || !to) continue;
        const object = await this.read(from);
        await this.put(
          keys,
          to,
          object.body,
          to === copied.storageKey ? source.mime : 'image/webp',
          object.size,
        );
      }
      const { id: _source, createdAt: _at, messageId: _message, ...rest } = source;
      const row = await this.deps.files.insert({
        ...rest,
        ...copied,
        id,
        uploaderId: actorId,
        conversationId: toConversationId,
      });
      return toAttachment(row);
    } catch (error) {
      await this.removeKeys(keys);
      throw error;
    }
  };

  /** Replaces the actor's profile photo with an uploaded image (cropped square, 256 px WebP). */
  async setAvatar(actor: Actor, body: Readable, declaredSize?: number): Promise<Me> {
    await this.deps.uploads.consume(actor.id);
    const received = await this.receive(body, limitOf('avatar', this.deps.limits), declaredSize);
    const id = randomUUID();
    const keys: string[] = [];
    try {
      const sniffed = (await fileTypeFromFile(received.path))?.mime;
      if (!sniffed || !IMAGE_TYPES.has(sniffed)) throw notAnImage();
      const avatar = await this.imageWork
        .run('images', () => processAvatar(received.path))
        .catch(rethrowUnreadable);
      const file: NewFile = {
        id,
        uploaderId: actor.id,
        conversationId: null,
        kind: 'avatar',
        name: 'avatar.webp',
        mime: 'image/webp',
        size: avatar.length,
        width: 256,
        height: 256,
        storageKey: `avatars/${id}.webp`,
      };
      await this.put(keys, file.storageKey, avatar, 'image/webp');
      const replaced = await this.deps.files.replaceAvatar(actor.id, file);
      if (!replaced) throw new NotFoundError('user/not_found');
      keys.length = 0; // stored and in use: nothing to undo
      this.deps.live.publish('user.avatar_changed', { userId: actor.id, avatarId: id });
      if (replaced.previousId) await this.removeFiles([replaced.previousId]);
    } catch (error) {
      await this.removeKeys(keys);
      throw error;
    } finally {
      await rm(received.path, { force: true });
    }
    return this.deps.profiles.me(actor.id);
  }

  /** Back to initials. */
  async removeAvatar(actor: Actor): Promise<Me> {
    const replaced = await this.deps.files.replaceAvatar(actor.id, null);
    if (!replaced) throw new NotFoundError('user/not_found');
    if (replaced.previousId) {
      // Only when there was one: removing none changes nobody's screen.
      this.deps.live.publish('user.avatar_changed', { userId: actor.id, avatarId: null });
      await this.removeFiles([replaced.previousId]);
    }
    return this.deps.profiles.me(actor.id);
  }

  /** A user's profile photo, for themselves and anyone sharing a conversation with them. */
  async openAvatar(actor: Actor, userId: string): Promise<FileDownload> {
    if (actor.id !== userId && (await this.deps.conversations.sharedWith(actor.id, [userId])).length === 0) {
      throw new NotFoundError('file/not_found');
    }
    const row = await this.deps.files.avatarOf(userId);
    if (!row) throw new NotFoundError('file/not_found');
    return {
      etag: `"${row.id}"`,
      contentType: row.mime,
      name: row.name,
      inline: true,
      size: row.size,
      read: (range) => this.read(row.storageKey, range),
    };
  }

  /** A message deleted for everyone: its file's bytes go too. */
  async purgeMessage(messageId: string): Promise<void> {
    const doomed = await this.deps.files.listByMessage(messageId);
    await this.purge(doomed);
  }

  /**
   * Removes uploads never sent within a day, files of messages deleted for everyone and profile
   * photos no longer used; answers how many went.
   */
  async cleanup(): Promise<number> {
    const before = new Date(this.deps.now() - UNSENT_TTL_MS);
    let removed = 0;
    for (let round = 0; round < 50; round++) {
      const doomed = await this.deps.files.listDoomed(before, CLEANUP_BATCH);
      removed += await this.purge(doomed);
      if (doomed.length < CLEANUP_BATCH) break;
    }
    return removed;
  }

  // ---- internals ----

  private async requireMember(userId: string, conversationId: string): Promise<void> {
    if (!(await this.deps.conversations.membershipOf(conversationId, userId))) {
      throw new NotFoundError('conversation/not_found');
    }
  }

  /**
   * Streams the body into a temporary file, at most `limit` bytes. Past the limit the rest is
   * read and dropped, so the client gets the 413 instead of a reset connection.
   */
  private async receive(
    body: Readable,
    limit: number,
    declaredSize: number | undefined,
  ): Promise<{ path: string; size: number }> {
    if (declaredSize !== undefined && declaredSize > limit) throw tooLarge(limit);
    await mkdir(this.deps.tempDir, { recursive: true });
    const path = join(this.deps.tempDir, randomUUID());
    let size = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        done(null, size > limit ? undefined : chunk);
      },
    });
    try {
      await pipeline(body, cap, createWriteStream(path));
    } catch (error) {
      await rm(path, { force: true });
      // The client went away mid-upload (or its connection broke): nobody reads this answer.
      throw Object.assign(new AppError(400, 'http/bad_request'), { cause: error });
    }
    if (size > limit) {
      await rm(path, { force: true });
      throw tooLarge(limit);
    }
    if (size === 0) {
      await rm(path, { force: true });
      throw new AppError(400, 'file/empty');
    }
    return { path, size };
  }

  private async put(
    stored: string[],
    key: string,
    body: Buffer | Readable,
    contentType: string,
    size = Buffer.isBuffer(body) ? body.length : 0,
  ): Promise<void> {
    await this.guard('put', () => this.deps.storage.put(key, body, { size, contentType }));
    stored.push(key);
  }

  private async read(key: string, range?: ByteRange): Promise<StoredObject> {
    const object = await this.guard('get', () => this.deps.storage.get(key, range));
    if (!object) {
      this.log.warn({ key }, 'a file row has no bytes in the storage; answered 404');
      throw new NotFoundError('file/not_found');
    }
    return object;
  }

  /** Storage failures answer 503 with a line for the operator (the storage's message, never credentials). */
  private async guard<T>(operation: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      this.log.error(
        { storage: this.deps.storage.kind, operation, reason },
        'file storage failed; answered 503 file/storage_unavailable (the client retries)',
      );
      throw Object.assign(
        new AppError(503, 'file/storage_unavailable', undefined, undefined, { 'retry-after': '30' }),
        { cause: error },
      );
    }
  }

  private async removeFiles(ids: string[]): Promise<void> {
    const doomed: DoomedFile[] = [];
    for (const id of ids) {
      const row: FileRow | undefined = await this.deps.files.getById(id);
      if (row) doomed.push(row);
    }
    await this.purge(doomed);
  }

  /** Removes the bytes, then the rows of the files whose bytes are gone; the rest waits for the next cleanup. */
  private async purge(doomed: DoomedFile[]): Promise<number> {
    const gone: string[] = [];
    for (const file of doomed) {
      const keys = [file.storageKey, file.thumbnailKey, file.previewKey].filter((k): k is string => !!k);
      if (await this.removeKeys(keys)) gone.push(file.id);
    }
    await this.deps.files.deleteByIds(gone);
    return gone.length;
  }

  /** True when every key is gone; a failure is logged and left for the next cleanup. */
  private async removeKeys(keys: string[]): Promise<boolean> {
    try {
      await Promise.all(keys.map((key) => this.deps.storage.delete(key)));
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.log.warn(
        { storage: this.deps.storage.kind, reason, keys: keys.length },
        'stored file not removed; the hourly cleanup tries again',
      );
      return false;
    }
  }
}

function tooLarge(limit: number): AppError {
  return new AppError(413, 'file/too_large', undefined, { limitBytes: limit });
}

function notAnImage(): AppError {
  return new AppError(415, 'file/not_an_image');
}

function rethrowUnreadable(error: unknown): never {
  if (error instanceof UnreadableImageError) throw notAnImage();
  throw error;
}
