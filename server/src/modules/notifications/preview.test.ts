import type { Attachment } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { preview } from './preview.js';

const file = (kind: Attachment['kind'], name = 'x'): Attachment => ({
  id: '00000000-0000-4000-8000-000000000001',
  kind,
  name,
  mime: 'application/octet-stream',
  size: 1,
  width: null,
  height: null,
  durationMs: null,
});

describe(preview.name, () => {
  it('keeps a text message as it is, cut at 120 code points without splitting one', () => {
    expect(preview({ body: 'سلام' }, 'fa')).toBe('سلام');
    const long = '😀'.repeat(130);
    expect(preview({ body: long, meta: null }, 'en')).toBe('😀'.repeat(120));
    expect(preview({ body: null }, 'en')).toBe('');
  });

  it('names the kind of file in the reader’s language, with the caption after it', () => {
    expect(preview({ body: null, meta: { attachment: file('image') } }, 'en')).toBe('📷 Photo');
    expect(preview({ body: null, meta: { attachment: file('image') } }, 'fa')).toBe('📷 عکس');
    expect(preview({ body: 'ببین', meta: { attachment: file('image') } }, 'fa')).toBe('📷 عکس ببین');
    expect(preview({ body: '', meta: { attachment: file('voice') } }, 'en')).toBe('🎤 Voice message');
    expect(preview({ body: null, meta: { attachment: file('voice') } }, 'fa')).toBe('🎤 پیام صوتی');
    expect(preview({ body: ' here ', meta: { attachment: file('file', 'report.pdf') } }, 'en')).toBe(
      '📎 report.pdf here',
    );
    expect(preview({ body: null, meta: { attachment: file('file', 'گزارش.pdf') } }, 'fa')).toBe(
      '📎 گزارش.pdf',
    );
  });
});
