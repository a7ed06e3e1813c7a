import { Readable } from 'node:stream';
import {
  AttachmentSchema,
  ConversationParamsSchema,
  FileParamsSchema,
  MeSchema,
  UploadFileQuerySchema,
  UserParamsSchema,
} from '@abrik/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '../../platform/errors.js';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, clientErrors, ErrorReply } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { FileDownload, FileService } from './file.service.js';
import type { ByteRange } from './storage.js';

const errors = { ...clientErrors, 413: ErrorReply, 415: ErrorReply, 429: ErrorReply, 503: ErrorReply };
/** Stored files never change (a new photo is a new file): cached by the browser, for this user only. */
const FILE_CACHE = 'private, max-age=604800, immutable';
/** A profile photo's address stays while the photo changes: asked again each time, mostly 304. */
const AVATAR_CACHE = 'private, no-cache';

/**
 * Files of conversations and profile photos. Uploads are the raw bytes (`application/octet-stream`),
 * streamed to a temporary file under a per-kind cap; downloads are authorised routes that stream
 * from the storage (the page's `connect-src 'self'` holds for S3 too). The web client fetches them
 * with its token and shows blob: URLs.
 */
export const fileRoutes =
  (deps: { files: FileService }): Routes =>
  async (app) => {
    // The body stays a stream for the handler; the JSON parser (and its small body limit) is not involved.
    app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));
    const r = app.withTypeProvider<ZodTypeProvider>();
    const security = bearer;

    r.post(
      '/api/v1/conversations/:id/files',
      {
        schema: {
          tags: ['files'],
          security,
          summary:
            'Upload a file to a conversation (members only): the body is the bytes, Content-Type application/octet-stream',
          params: ConversationParamsSchema,
          querystring: UploadFileQuerySchema,
          response: { 201: AttachmentSchema, ...errors },
        },
      },
      async (request, reply) => {
        const attachment = await deps.files.upload(actorOf(request), {
          conversationId: request.params.id,
          ...request.query,
          body: bodyStream(request),
          declaredSize: declaredSize(request),
        });
        return reply.status(201).send(attachment);
      },
    );

    for (const variant of ['original', 'thumbnail', 'preview'] as const) {
      r.get(
        variant === 'original' ? '/api/v1/files/:id' : `/api/v1/files/:id/${variant}`,
        {
          schema: {
            tags: ['files'],
            security,
            summary:
              variant === 'original'
                ? 'A file of a conversation, for its members (Range and If-None-Match understood)'
                : `An image's ${variant} (WebP), for the conversation's members`,
            params: FileParamsSchema,
            response: errors,
          },
        },
        async (request, reply) =>
          sendFile(
            request,
            reply,
            await deps.files.open(actorOf(request), request.params.id, variant),
            FILE_CACHE,
          ),
      );
    }

    r.put(
      '/api/v1/users/me/avatar',
      {
        schema: {
          tags: ['users'],
          security,
          summary:
            'Set the profile photo: the body is an image (JPEG, PNG, WebP, GIF), cropped square to 256 px',
          response: { 200: MeSchema, ...errors },
        },
      },
      async (request) => deps.files.setAvatar(actorOf(request), bodyStream(request), declaredSize(request)),
    );

    r.delete(
      '/api/v1/users/me/avatar',
      {
        schema: {
          tags: ['users'],
          security,
          summary: 'Remove the profile photo (initials are shown)',
          response: { 200: MeSchema, ...errors },
        },
      },
      async (request) => deps.files.removeAvatar(actorOf(request)),
    );

    r.get(
      '/api/v1/users/:id/avatar',
      {
        schema: {
          tags: ['users'],
          security,
          summary: 'A profile photo (WebP), for the user and those who share a conversation with them',
          params: UserParamsSchema,
          response: errors,
        },
      },
      async (request, reply) =>
        sendFile(
          request,
          reply,
          await deps.files.openAvatar(actorOf(request), request.params.id),
          AVATAR_CACHE,
        ),
    );
  };

function bodyStream(request: FastifyRequest): Readable {
  if (request.body instanceof Readable) return request.body;
  throw new AppError(415, 'http/unsupported_media_type');
}

function declaredSize(request: FastifyRequest): number | undefined {
  const length = Number(request.headers['content-length']);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: FileDownload,
  cacheControl: string,
) {
  reply.header('etag', file.etag);
  reply.header('cache-control', cacheControl);
  // Never a page: a file that is HTML in disguise cannot run, even if opened directly.
  reply.header('content-security-policy', "default-src 'none'; sandbox");
  reply.header('x-content-type-options', 'nosniff');
  if (matches(request.headers['if-none-match'], file.etag)) return reply.status(304).send();
  let range: ByteRange | undefined;
  if (file.size !== undefined) {
    reply.header('accept-ranges', 'bytes');
    const asked = request.headers.range;
    if (asked && (!request.headers['if-range'] || request.headers['if-range'] === file.etag)) {
      const parsed = parseRange(asked, file.size);
      if (!parsed) {
        reply.header('content-range', `bytes */${file.size}`);
        throw new AppError(416, 'validation/invalid', 'the range is outside the file');
      }
      if (parsed !== 'whole') range = parsed;
    }
  }
  const object = await file.read(range);
  reply.header('content-type', file.contentType);
  reply.header('content-length', String(object.size));
  reply.header('content-disposition', disposition(file.inline ? 'inline' : 'attachment', file.name));
  if (range) {
    reply.header('content-range', `bytes ${range.start}-${range.end}/${file.size}`);
    reply.status(206);
  }
  return reply.send(object.body);
}

function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}

/**
 * One `bytes=` range (what audio players ask for): the range, `whole` for what is ignored (no
 * range, several, malformed: answered whole), or undefined when it lies outside the file.
 */
function parseRange(header: string, size: number): ByteRange | 'whole' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (!match[1] && !match[2])) return 'whole';
  if (!match[1]) {
    const suffix = Number(match[2]);
    return suffix === 0 ? undefined : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  return start > end || start >= size ? undefined : { start, end };
}

/** RFC 6266: an ASCII fallback name and the real one, UTF-8 and percent-encoded. */
function disposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
