import { z } from 'zod';

/** The shape of every error reply, for the OpenAPI document. */
export const ErrorReply = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const bearer = [{ bearerAuth: [] }];

/** The client errors most routes behind the access token may answer. */
export const clientErrors = {
  400: ErrorReply,
  401: ErrorReply,
  403: ErrorReply,
  404: ErrorReply,
  409: ErrorReply,
};
