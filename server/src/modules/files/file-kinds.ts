import type { AttachmentKind } from '@abrik/protocol';

/** What an upload may be: an attachment kind, or a profile photo. */
export type UploadKind = AttachmentKind | 'avatar';

/** Largest upload per kind, in bytes (FILE_MAX_*_BYTES; a profile photo is an image). */
export interface SizeLimits {
  image: number;
  voice: number;
  file: number;
}

export function limitOf(kind: UploadKind, limits: SizeLimits): number {
  return kind === 'avatar' ? limits.image : limits[kind];
}

/** Images sharp reads and the web shows everywhere. */
export const IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
]);

/**
 * Audio a browser records or plays. The container is sniffed, not the tracks: a WebM or MP4 from
 * MediaRecorder sniffs as video, and is served as audio.
 */
const VOICE_TYPES: ReadonlyMap<string, string> = new Map([
  ['audio/ogg', 'audio/ogg'],
  ['audio/opus', 'audio/ogg'],
  ['audio/webm', 'audio/webm'],
  ['video/webm', 'audio/webm'],
  ['audio/mp4', 'audio/mp4'],
  ['audio/x-m4a', 'audio/mp4'],
  ['audio/m4a', 'audio/mp4'],
  ['video/mp4', 'audio/mp4'],
  ['audio/mpeg', 'audio/mpeg'],
  ['audio/aac', 'audio/aac'],
]);

/** The served type of a voice note sniffed as `mime`, or undefined when it is not audio we take. */
export function voiceType(mime: string | undefined): string | undefined {
  return mime ? VOICE_TYPES.get(essence(mime)) : undefined;
}

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
function essence(mime: string): string {
  return mime.split(';')[0]!.trim().toLowerCase();
}

/**
 * The Content-Type a document is served with: what the bytes sniffed as, unless a browser could
 * run it as a page or a script (HTML, SVG, XML, JavaScript…), then application/octet-stream.
 */
export function documentType(sniffed: string | undefined): string {
  const mime = sniffed && essence(sniffed);
  if (!mime || !/^[a-z]+\/[\w.+-]+$/.test(mime)) return 'application/octet-stream';
  if (/^text\/|html|xml|svg|javascript|ecmascript|x-sh\b|wasm/.test(mime)) return 'application/octet-stream';
  return mime;
}

/** A file name as given, made safe to show and to put in Content-Disposition: no paths, no controls. */
export function cleanName(name: string | undefined, fallback: string): string {
  const base = (name ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/\s+/g, ' ')
    .replace(/[\p{Cc}\p{Cf}]/gu, (c) => (c === '\u200c' ? c : ''))
    .trim();
  const cut = [...clean].slice(0, 200).join('');
  return cut && cut !== '.' && cut !== '..' ? cut : fallback;
}
