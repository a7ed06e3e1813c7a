import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/** s3rver checks request signatures against these credentials. */
export const FAKE_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface FakeS3 {
  /** e.g. `http://127.0.0.1:40123` */
  endpoint: string;
  bucket: string;
  /** Where s3rver keeps the objects (to look at what was stored). */
  directory: string;
  /** The app's environment for FILE_STORAGE=s3 against this server. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/**
 * A real S3-speaking HTTP server (s3rver: signatures, PUT/GET/HEAD/DELETE, ranges) on an ephemeral
 * port, with one empty bucket, so the real AWS SDK runs against it.
 */
export async function startFakeS3(bucket = 'abrik-test'): Promise<FakeS3> {
  const directory = await mkdtemp(join(tmpdir(), 'abrik-s3-'));
  const server = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory,
    silent: true,
    configureBuckets: [{ name: bucket }],
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    bucket,
    directory,
    env: {
      FILE_STORAGE: 's3',
      S3_ENDPOINT: endpoint,
      S3_BUCKET: bucket,
      S3_REGION: 'us-east-1',
      S3_ACCESS_KEY_ID: FAKE_S3_CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: FAKE_S3_CREDENTIALS.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    async close() {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
