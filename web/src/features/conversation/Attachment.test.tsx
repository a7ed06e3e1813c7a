import type { Attachment as AttachmentData } from '@abrik/protocol';
import { screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TEST_TOKENS } from '../../test/engine.js';
import { ME } from '../../test/messages.js';
import { renderWithServices } from '../../test/services.js';
import { Attachment, formatSize } from './Attachment.js';

const base = {
  id: '00000000-0000-4000-8000-0000000000f1',
  name: 'x',
  mime: 'application/octet-stream',
  size: 1,
  width: null,
  height: null,
  durationMs: null,
} satisfies Omit<AttachmentData, 'kind'>;

interface Fetched {
  path: string;
  authorization: string | null;
}

/** Answers the files routes with a few bytes, recording which paths were asked with which token. */
function fakeFiles(status = 200): Fetched[] {
  const fetched: Fetched[] = [];
  vi.stubGlobal('fetch', async (input: URL | string, init: RequestInit) => {
    const url = new URL(String(input));
    fetched.push({ path: url.pathname, authorization: new Headers(init.headers).get('authorization') });
    if (status !== 200) {
      return new Response(JSON.stringify({ error: { code: 'file/not_found', message: 'not found here' } }), {
        status,
        headers: { 'content-type': 'application/json' },
      });
    }
    return new Response(new Uint8Array([1, 2, 3]), {
      status: 200,
      headers: { 'content-type': 'image/webp' },
    });
  });
  return fetched;
}

let made = 0;
const revoked: string[] = [];
beforeEach(() => {
  made = 0;
  revoked.length = 0;
  vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:test/${++made}`);
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation((url) => void revoked.push(url));
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe(Attachment.name, () => {
  it('shows a photo’s thumbnail fetched with the token, opens the preview and closes it with Escape', async () => {
    const fetched = fakeFiles();
    const { user } = await renderWithServices(
      <Attachment attachment={{ ...base, kind: 'image', mime: 'image/jpeg', width: 800, height: 600 }} />,
      { lang: 'en', tokens: TEST_TOKENS(ME) },
    );
    const thumbnail = await screen.findByRole('img', { name: 'Photo' });
    expect(thumbnail.getAttribute('src')).toBe('blob:test/1');
    expect([thumbnail.getAttribute('width'), thumbnail.getAttribute('height')]).toEqual(['240', '180']);
    expect(fetched).toEqual([
      { path: `/api/v1/files/${base.id}/thumbnail`, authorization: expect.stringMatching(/^Bearer /) },
    ]);

    await user.click(screen.getByRole('button', { name: 'Show the photo' }));
    const overlay = screen.getByTestId('photo-overlay');
    expect(overlay.getAttribute('role')).toBe('dialog');
    await waitFor(() => expect(overlay.querySelector('img')?.getAttribute('src')).toBe('blob:test/2'));
    expect(fetched.at(-1)?.path).toBe(`/api/v1/files/${base.id}/preview`);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close');

    await user.keyboard('{Escape}');
    expect(screen.queryByTestId('photo-overlay')).toBeNull();
    // The preview's blob URL is let go, and focus is back on the thumbnail.
    await waitFor(() => expect(revoked).toEqual(['blob:test/2']));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Show the photo' }));
  });

  it('shows a document’s name and size in Persian digits, and downloads it with the token', async () => {
    const fetched = fakeFiles();
    const { user } = await renderWithServices(
      <Attachment
        attachment={{ ...base, kind: 'file', name: 'گزارش.pdf', mime: 'application/pdf', size: 1_258_291 }}
      />,
      { lang: 'fa', tokens: TEST_TOKENS(ME) },
    );
    expect(screen.getByText('گزارش.pdf')).toBeTruthy();
    expect(screen.getByTestId('attachment-size').textContent).toMatch(/^۱٫۲\s?مگابایت$/);
    expect(fetched).toEqual([]); // nothing is fetched until asked
    const clicked: string[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(`${this.download} ${this.href}`);
    });
    await user.click(screen.getByTestId('attachment-download'));
    await waitFor(() => expect(clicked).toEqual(['گزارش.pdf blob:test/1']));
    expect(fetched).toEqual([
      { path: `/api/v1/files/${base.id}`, authorization: expect.stringMatching(/^Bearer /) },
    ]);
  });

  it('plays a voice note from a blob URL, with its length', async () => {
    fakeFiles();
    await renderWithServices(
      <Attachment attachment={{ ...base, kind: 'voice', mime: 'audio/ogg', durationMs: 65_000 }} />,
      {
        lang: 'en',
        tokens: TEST_TOKENS(ME),
      },
    );
    const voice = screen.getByTestId('attachment-voice');
    await waitFor(() => expect(voice.querySelector('audio')?.getAttribute('src')).toBe('blob:test/1'));
    expect(voice.querySelector('audio')?.hasAttribute('controls')).toBe(true);
    expect(voice.textContent).toContain('1:05');
  });

  it('says so when the file cannot be fetched', async () => {
    fakeFiles(404);
    await renderWithServices(<Attachment attachment={{ ...base, kind: 'image', width: 10, height: 10 }} />, {
      lang: 'en',
      tokens: TEST_TOKENS(ME),
    });
    expect((await screen.findByRole('alert')).textContent).toBe('The file could not be loaded.');
  });
});

describe(formatSize.name, () => {
  it('writes sizes in the language’s digits and units', () => {
    expect(formatSize(512, 'en')).toBe('512 byte');
    expect(formatSize(2048, 'en')).toBe('2 kB');
    expect(formatSize(1_258_291, 'en')).toBe('1.2 MB');
    expect(formatSize(30 * 1024 * 1024, 'en')).toBe('30 MB');
  });
});
