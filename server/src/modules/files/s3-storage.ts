import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {
  assertSafeKey,
  type ByteRange,
  type FileStorage,
  StorageError,
  type StoredObject,
} from './storage.js';

export interface S3Settings {
  /** Unset: AWS's own endpoint for the region. */
  endpoint?: string | undefined;
  bucket: string;
  region: string;
  /** Unset: the SDK's default credential chain (environment, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string } | undefined;
  forcePathStyle: boolean;
}

/**
 * Files in an S3-compatible bucket (AWS, ArvanCloud, MinIO, Ceph…). The bucket stays private:
 * downloads go through the server's authorised routes, which stream the objects.
 */
export class S3Storage implements FileStorage {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
      // Checksums only where the API demands them: many S3-compatible stores refuse the SDK's
      // default trailing checksums (aws-chunked uploads) that AWS introduced in 2025.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
      requestHandler: { connectionTimeout: 5_000, requestTimeout: 60_000 },
    });
  }

  async put(
    key: string,
    body: Buffer | Readable,
    options: { size: number; contentType: string },
  ): Promise<void> {
    assertSafeKey(key);
    await this.call('put', () =>
      this.client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          ContentLength: options.size,
          ContentType: options.contentType,
        }),
      ),
    );
  }

  async get(key: string, range?: ByteRange): Promise<StoredObject | undefined> {
    assertSafeKey(key);
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
      );
      if (!object.Body) throw new StorageError('the store answered without a body');
      return { body: object.Body as Readable, size: object.ContentLength ?? 0 };
    } catch (error) {
      if (notFound(error)) return undefined;
      throw asStorageError('get', error);
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeKey(key);
    await this.call('delete', () =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })),
    );
  }

  async exists(key: string): Promise<boolean> {
    assertSafeKey(key);
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (notFound(error)) return false;
      throw asStorageError('head', error);
    }
  }

  /** Closes the client's sockets (at shutdown). */
  close(): void {
    this.client.destroy();
  }

  private async call(operation: string, send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      throw asStorageError(operation, error);
    }
  }
}

function notFound(error: unknown): boolean {
  if (error instanceof S3ServiceException) {
    return error.name === 'NoSuchKey' || error.name === 'NotFound' || error.$metadata.httpStatusCode === 404;
  }
  return false;
}

/** The SDK's errors name the operation and S3's code, never the credentials. */
function asStorageError(operation: string, error: unknown): StorageError {
  if (error instanceof StorageError) return error;
  const name = error instanceof Error ? error.name : 'unknown';
  const status =
    error instanceof S3ServiceException ? ` (HTTP ${error.$metadata.httpStatusCode ?? '?'})` : '';
  return new StorageError(`S3 ${operation} failed: ${name}${status}`, { cause: error });
}
