import { join } from 'node:path';
import type { Db } from '../../platform/db/client.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
import type { RateLimitFactory } from '../../platform/redis/rate-limit.js';
import { avatarSocket } from './avatar.socket.js';
import './events.js';
import { FileRepository } from './file.repository.js';
import { fileRoutes } from './file.routes.js';
import { type AttachmentPort, FileService, type MembershipPort, type ProfilePort } from './file.service.js';
import type { SizeLimits } from './file-kinds.js';
import { filesCleanupJob } from './files-cleanup.job.js';
import { LocalStorage } from './local-storage.js';
import { type S3Settings, S3Storage } from './s3-storage.js';
import type { FileStorage } from './storage.js';

export type { AttachmentPort } from './file.service.js';
export type { FileStorage } from './storage.js';

export interface FilesModule extends Module {
  files: FileService;
  /** For the chat module: a message sent with a file claims it, and is attached to it once stored. */
  attachments: AttachmentPort;
  storage: FileStorage;
}

export interface FilesSettings {
  storage: { kind: 'local' } | ({ kind: 's3' } & S3Settings);
  limits: SizeLimits;
  uploadsPerMinute: number;
}

/**
 * Files people send (photos, documents, voice notes) and profile photos: upload, sniffing and image
 * processing, the storage (DATA_DIR/files or S3), authorised downloads and the cleanup of the unused.
 */
export function createFilesModule(deps: {
  db: Db;
  live: LiveEvents;
  conversations: MembershipPort;
  profiles: ProfilePort;
  limits: RateLimitFactory;
  logger: Logger;
  now: () => number;
  dataDir: string;
  settings: FilesSettings;
  /** Replaces the storage the settings choose (tests). */
  storage?: FileStorage;
}): FilesModule {
  const { settings } = deps;
  const storage =
    deps.storage ??
    (settings.storage.kind === 's3'
      ? new S3Storage(settings.storage)
      : new LocalStorage(join(deps.dataDir, 'files')));
  const files = new FileService({
    files: new FileRepository(deps.db),
    profiles: deps.profiles,
    storage,
    conversations: deps.conversations,
    live: deps.live,
    uploads: deps.limits({ name: 'upload:user:1m', points: settings.uploadsPerMinute, durationSeconds: 60 }),
    limits: settings.limits,
    tempDir: join(deps.dataDir, 'tmp', 'uploads'),
    logger: deps.logger,
    now: deps.now,
  });
  const log = deps.logger.child({ component: 'files' });
  // A message deleted for everyone takes its file along now; the hourly cleanup catches what this misses.
  const unsubscribe = deps.live.on('message.deleted', ({ message }) => {
    if (!message.deletedAt || !message.meta?.attachment) return;
    files
      .purgeMessage(message.id)
      .catch((error: unknown) =>
        log.warn(
          { messageId: message.id, reason: error instanceof Error ? error.message : String(error) },
          "deleted message's file not removed; the hourly cleanup tries again",
        ),
      );
  });
  return {
    name: 'files',
    files,
    attachments: { claim: files.claim, attach: files.attach, copy: files.copy },
    storage,
    routes: { authenticated: [fileRoutes({ files })] },
    socket: avatarSocket({ live: deps.live, conversations: deps.conversations, logger: deps.logger }),
    jobs: [filesCleanupJob(files, deps.logger)],
    async stop() {
      unsubscribe();
      if (storage instanceof S3Storage) storage.close();
    },
  };
}
