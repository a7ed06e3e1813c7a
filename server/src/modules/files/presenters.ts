import type { Attachment } from '@abrik/protocol';
import type { FileRow } from './tables.js';

/** The summary a message carries of its file (messages.meta.attachment). */
export function toAttachment(row: FileRow): Attachment {
  if (row.kind === 'avatar') throw new Error('a profile photo is no attachment');
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    mime: row.mime,
    size: row.size,
    width: row.width,
    height: row.height,
    durationMs: row.durationMs,
  };
}
