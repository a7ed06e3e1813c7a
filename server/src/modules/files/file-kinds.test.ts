import { describe, expect, it } from 'vitest';
import { cleanName, documentType, voiceType } from './file-kinds.js';

describe(documentType.name, () => {
  it('keeps harmless sniffed types and turns anything a browser could run into octet-stream', () => {
    expect(documentType('application/pdf')).toBe('application/pdf');
    expect(documentType('application/zip')).toBe('application/zip');
    for (const risky of [
      undefined,
      'text/html',
      'application/xhtml+xml',
      'application/xml',
      'image/svg+xml',
      'text/javascript',
      'application/wasm',
      'bad type',
    ]) {
      expect(documentType(risky)).toBe('application/octet-stream');
    }
  });
});

describe(voiceType.name, () => {
  it('serves recorded containers as audio, whatever their sniffed parameters', () => {
    expect(voiceType('audio/ogg; codecs=opus')).toBe('audio/ogg');
    expect(voiceType('video/webm')).toBe('audio/webm');
    expect(voiceType('video/mp4')).toBe('audio/mp4');
    expect(voiceType('audio/mpeg')).toBe('audio/mpeg');
    expect(voiceType('application/pdf')).toBeUndefined();
    expect(voiceType(undefined)).toBeUndefined();
  });
});

describe(cleanName.name, () => {
  it('drops paths and control or direction-override characters, keeps the Persian half-space', () => {
    expect(cleanName('../../etc/passwd', 'file')).toBe('passwd');
    expect(cleanName('C:\\Users\\x\\report.pdf', 'file')).toBe('report.pdf');
    expect(cleanName('invoice\u202Efdp.exe', 'file')).toBe('invoicefdp.exe');
    expect(cleanName('نامه\u200cها.pdf', 'file')).toBe('نامه\u200cها.pdf');
    expect(cleanName('  a\n\tb  ', 'file')).toBe('a b');
    expect(cleanName(undefined, 'voice')).toBe('voice');
    expect(cleanName('..', 'file')).toBe('file');
    expect([...cleanName('ب'.repeat(300), 'file')].length).toBe(200);
  });
});
