import type { Readable } from 'node:stream';

/** Where a file's bytes are kept: local disk (LocalStorage) or an S3-compatible store (S3Storage). */
export interface FileStorage {
  /** `local` or `s3`, for logs and the runbook. */
  readonly kind: 'local' | 's3';
  /** Stores the bytes under `key`, replacing what was there; `size` must be the exact length of a stream. */
  put(key: string, body: Buffer | Readable, options: { size: number; contentType: string }): Promise<void>;
  /** The stored bytes (all, or the inclusive byte `range`), or undefined when nothing is stored under `key`. */
  get(key: string, range?: ByteRange): Promise<StoredObject | undefined>;
  /** Removes the bytes; removing what is not there is no error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
}

export interface ByteRange {
  start: number;
  /** Inclusive. */
  end: number;
}

export interface StoredObject {
  body: Readable;
  /** Bytes in `body` (the range's length when one was asked for). */
  size: number;
}

/** The store could not be reached or failed: answered as 503 `file/storage_unavailable`. */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

/** Keys are made by the server: lower-case segments of letters, digits, `.`, `_`, `-`; never `..`. */
const KEY = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Throws unless `key` is one the server makes (so no key can climb out of the storage's root). */
export function assertSafeKey(key: string): void {
  if (
    key.length > 512 ||
    !KEY.test(key) ||
    key.split('/').some((segment) => segment === '..' || segment === '.')
  ) {
    throw new Error(`unsafe storage key: ${JSON.stringify(key.slice(0, 80))}`);
  }
}
