import { z } from 'zod';

/** The shape of every error reply, for the OpenAPI document. */
export const ErrorReply = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const bearer = [{ bearerAuth: [] }];
