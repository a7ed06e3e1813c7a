import { type Attachment, type AttachmentKind, AttachmentSchema } from '@abrik/protocol';
import { useCallback, useEffect, useState } from 'react';
import { useServices } from '../app/context.js';
import { currentLang } from '../i18n/index.js';
import { ApiError, apiErrorFrom } from './errors.js';
import type { Session } from './session.js';

/** What an upload needs of the session: a fresh access token, and a refresh when one expired on the way. */
type TokenSource = Pick<Session, 'accessToken' | 'refresh'>;

export interface UploadOptions {
  /** Bytes sent so far of `total` (the file's size). */
  onProgress?: (sent: number, total: number) => void;
  /** Aborting cancels the upload; the promise rejects with an `AbortError` DOMException. */
  signal?: AbortSignal;
  /** Voice notes: the length the recorder measured. */
  durationMs?: number;
  /** Accept-Language of the error messages (default: the page's language). */
  lang?: string;
}

export type FileVariant = 'original' | 'thumbnail' | 'preview';

/** The authorised address of a conversation's file (fetch it with the token: see `useFileUrl`). */
export function fileUrl(fileId: string, variant: FileVariant = 'original'): string {
  return variant === 'original' ? `/api/v1/files/${fileId}` : `/api/v1/files/${fileId}/${variant}`;
}

/** A profile photo's address; `avatarId` (User.avatarId) makes a new photo a new address. */
export function avatarUrl(userId: string, avatarId: string): string {
  return `/api/v1/users/${userId}/avatar?v=${avatarId}`;
}

/**
 * Uploads a file to a conversation (`POST /api/v1/conversations/:id/files`, the bytes as
 * application/octet-stream) with XMLHttpRequest, which reports upload progress. Resolves to the
 * Attachment to send with a message (`attachmentId`); rejects with an ApiError (413
 * `file/too_large`, 415 `file/not_an_image`…, `network` when the server was not reached) or an
 * AbortError. An access token that expired on the way is refreshed and the upload tried once more.
 */
export async function uploadFile(
  session: TokenSource,
  conversationId: string,
  file: Blob & { name?: string },
  kind: AttachmentKind,
  options: UploadOptions = {},
): Promise<Attachment> {
  const query = new URLSearchParams({ kind });
  if (file.name) query.set('name', file.name);
  if (options.durationMs !== undefined) query.set('durationMs', String(Math.round(options.durationMs)));
  const url = `/api/v1/conversations/${conversationId}/files?${query}`;
  for (let attempt = 0; ; attempt++) {
    const token = await session.accessToken();
    if (!token) throw new ApiError(401, 'auth/unauthenticated', '');
    try {
      return await send(url, token, file, options);
    } catch (error) {
      if (
        attempt === 0 &&
        error instanceof ApiError &&
        error.code === 'auth/token_expired' &&
        (await session.refresh())
      ) {
        continue;
      }
      throw error;
    }
  }
}

function send(url: string, token: string, file: Blob, options: UploadOptions): Promise<Attachment> {
  return new Promise((resolve, reject) => {
    const { signal } = options;
    if (signal?.aborted) {
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
      return;
    }
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', url);
    xhr.setRequestHeader('authorization', `Bearer ${token}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('accept-language', options.lang ?? document.documentElement.lang ?? 'fa');
    xhr.upload.onprogress = (event) =>
      options.onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onabort = () => {
      done();
      reject(new DOMException('The upload was cancelled.', 'AbortError'));
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError(0, 'network', ''));
    };
    xhr.onload = () => {
      done();
      const headers = { 'content-type': xhr.getResponseHeader('content-type') ?? 'application/json' };
      const retryAfter = xhr.getResponseHeader('retry-after');
      if (xhr.status === 201) {
        try {
          resolve(AttachmentSchema.parse(JSON.parse(xhr.responseText)));
        } catch (error) {
          reject(error);
        }
        return;
      }
      const response = new Response(xhr.responseText, {
        status: xhr.status,
        headers: retryAfter ? { ...headers, 'retry-after': retryAfter } : headers,
      });
      void apiErrorFrom(response).then(reject, reject);
    };
    xhr.send(file);
  });
}

/**
 * Fetches an authorised file with the token and answers a blob: URL for <img>, <audio> or a
 * download (the page's CSP allows blob: images and media; the bytes never sit behind a guessable
 * address). Shared by everyone showing the same file and revoked when the last one lets go.
 */
const blobs = new Map<string, { url: Promise<string>; users: number; failed: boolean }>();

export function acquireBlobUrl(session: TokenSource, path: string, lang = 'fa'): Promise<string> {
  const known = blobs.get(path);
  if (known && !known.failed) {
    known.users += 1;
    return known.url;
  }
  const url = fetchBlobUrl(session, path, lang);
  const entry = { url, users: (known?.users ?? 0) + 1, failed: false };
  blobs.set(path, entry);
  // A failed fetch is not kept: the next one asking tries again.
  url.catch(() => {
    entry.failed = true;
  });
  return url;
}

/** Every `acquireBlobUrl` is matched by one release; the last revokes the URL. */
export function releaseBlobUrl(path: string): void {
  const known = blobs.get(path);
  if (!known) return;
  known.users -= 1;
  if (known.users > 0) return;
  blobs.delete(path);
  void known.url.then((url) => URL.revokeObjectURL(url)).catch(() => {});
}

async function fetchBlobUrl(session: TokenSource, path: string, lang: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const token = await session.accessToken();
    if (!token) throw new ApiError(401, 'auth/unauthenticated', '');
    let response: Response;
    try {
      response = await fetch(new URL(path, globalThis.location?.origin ?? 'http://localhost'), {
        headers: { authorization: `Bearer ${token}`, 'accept-language': lang },
      });
    } catch {
      throw new ApiError(0, 'network', '');
    }
    if (response.ok) return URL.createObjectURL(await response.blob());
    const error = await apiErrorFrom(response);
    if (attempt === 0 && error.code === 'auth/token_expired' && (await session.refresh())) continue;
    throw error;
  }
}

export type BlobState =
  | { url: string; error: null }
  | { url: null; error: unknown }
  | { url: null; error: null };

/** A blob: URL of an authorised file while the component shows it (null: none asked, or loading; see `error`). */
export function useBlobUrl(path: string | null): BlobState {
  const { session, i18n } = useServices();
  const [state, setState] = useState<BlobState>({ url: null, error: null });
  useEffect(() => {
    setState({ url: null, error: null });
    if (!path) return;
    let live = true;
    acquireBlobUrl(session, path, currentLang(i18n)).then(
      (url) => live && setState({ url, error: null }),
      (error: unknown) => live && setState({ url: null, error }),
    );
    return () => {
      live = false;
      releaseBlobUrl(path);
    };
  }, [path, session, i18n]);
  return state;
}

/** A conversation file's blob: URL (thumbnail, preview or the original), or null until it is there. */
export function useFileUrl(fileId: string | null, variant: FileVariant = 'original'): BlobState {
  return useBlobUrl(fileId ? fileUrl(fileId, variant) : null);
}

/** A profile photo's blob: URL for a user with one (`avatarId`); null without (show initials). */
export function useAvatarUrl(user: { id: string; avatarId?: string | undefined }): BlobState {
  return useBlobUrl(user.avatarId ? avatarUrl(user.id, user.avatarId) : null);
}

/** `uploadFile` bound to the signed-in session and the page's language: `(conversationId, file, kind, options)`. */
export function useUploadFile() {
  const { session, i18n } = useServices();
  return useCallback(
    (
      conversationId: string,
      file: Blob & { name?: string },
      kind: AttachmentKind,
      options: UploadOptions = {},
    ) => uploadFile(session, conversationId, file, kind, { lang: currentLang(i18n), ...options }),
    [session, i18n],
  );
}
