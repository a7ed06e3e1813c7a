import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from './errors.js';
import { uploadFile } from './files.js';

const ATTACHMENT = {
  id: '00000000-0000-4000-8000-0000000000f1',
  kind: 'file',
  name: 'a.pdf',
  mime: 'application/pdf',
  size: 3,
  width: null,
  height: null,
  durationMs: null,
};

/** An XMLHttpRequest that records what it was asked and answers when the test says. */
class FakeXhr {
  static last: FakeXhr;
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseText = '';
  aborted = false;
  upload: {
    onprogress: ((event: { loaded: number; total: number; lengthComputable: boolean }) => void) | null;
  } = {
    onprogress: null,
  };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  private replyHeaders: Record<string, string> = {};
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader(name: string) {
    return this.replyHeaders[name] ?? null;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  answer(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.replyHeaders = { 'content-type': 'application/json', ...headers };
    this.onload?.();
  }
}

const session = (tokens: string[]) => ({
  accessToken: vi.fn(async () => tokens.shift() ?? null),
  refresh: vi.fn(async () => null),
});
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

afterEach(() => vi.unstubAllGlobals());

describe(uploadFile.name, () => {
  it('sends the bytes with the token and reports progress, resolving to the attachment', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const file = new File([new Uint8Array([1, 2, 3])], 'a.pdf', { type: 'application/pdf' });
    const progress: number[][] = [];
    const done = uploadFile(session(['t1']), 'c1', file, 'file', {
      onProgress: (sent, total) => progress.push([sent, total]),
      lang: 'en',
    });
    await flush();
    const xhr = FakeXhr.last;
    expect([xhr.method, xhr.url]).toEqual(['POST', '/api/v1/conversations/c1/files?kind=file&name=a.pdf']);
    expect(xhr.headers).toEqual({
      authorization: 'Bearer t1',
      'content-type': 'application/octet-stream',
      'accept-language': 'en',
    });
    expect(xhr.body).toBe(file);
    xhr.upload.onprogress?.({ loaded: 2, total: 3, lengthComputable: true });
    xhr.answer(201, ATTACHMENT);
    expect(await done).toEqual(ATTACHMENT);
    expect(progress).toEqual([[2, 3]]);
  });

  it('rejects with the server’s error, and with an AbortError when cancelled', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const refused = uploadFile(session(['t1']), 'c1', new Blob(['x']), 'image', { durationMs: 1.4 });
    await flush();
    expect(FakeXhr.last.url).toBe('/api/v1/conversations/c1/files?kind=image&durationMs=1');
    FakeXhr.last.answer(415, { error: { code: 'file/not_an_image', message: 'This file is not an image.' } });
    const error = await refused.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).code, (error as ApiError).message]).toEqual([
      415,
      'file/not_an_image',
      'This file is not an image.',
    ]);

    const controller = new AbortController();
    const cancelled = uploadFile(session(['t1']), 'c1', new Blob(['x']), 'file', {
      signal: controller.signal,
    });
    await flush();
    controller.abort();
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(FakeXhr.last.aborted).toBe(true);
  });

  it('refreshes an access token that expired on the way and tries once more', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
    const auth = session(['old', 'new']);
    auth.refresh.mockResolvedValueOnce({} as never);
    const done = uploadFile(auth, 'c1', new Blob(['x']), 'file');
    await flush();
    const first = FakeXhr.last;
    first.answer(401, { error: { code: 'auth/token_expired', message: '' } });
    await flush();
    expect(FakeXhr.last).not.toBe(first);
    expect(FakeXhr.last.headers.authorization).toBe('Bearer new');
    FakeXhr.last.answer(201, ATTACHMENT);
    expect(await done).toEqual(ATTACHMENT);
  });
});
