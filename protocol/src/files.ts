import { z } from 'zod';
import { AttachmentKindSchema } from './chat.js';
import { IdSchema } from './common.js';

/**
 * `POST /api/v1/conversations/:id/files?kind=&name=`: the body is the file's bytes
 * (`Content-Type: application/octet-stream`). The type is sniffed from the bytes, never taken from
 * the name. The reply (201) is the `Attachment` to send with a message (`attachmentId`).
 */
export const UploadFileQuerySchema = z.object({
  kind: AttachmentKindSchema,
  /** Shown to the others (documents); at most 255 characters, paths dropped. */
  name: z.string().max(255).optional(),
  /** Voice notes: the length the recorder measured, shown beside the player. */
  durationMs: z.coerce.number().int().min(0).max(10_800_000).optional(),
});
export type UploadFileQuery = z.infer<typeof UploadFileQuerySchema>;

export const FileParamsSchema = z.object({ id: IdSchema });
