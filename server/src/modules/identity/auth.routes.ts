import {
  AuthTokensSchema,
  OtpRequestSchema,
  OtpSentSchema,
  RefreshRequestSchema,
  VerifyRequestSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ErrorReply } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { AuthService, IssuedTokens } from './auth.service.js';
import { toMe } from './presenters.js';

const tokensReply = (issued: IssuedTokens) => ({
  accessToken: issued.accessToken,
  accessTokenExpiresAt: issued.accessTokenExpiresAt.toISOString(),
  refreshToken: issued.refreshToken,
  user: toMe(issued.user),
});

/** Phone sign-in: request a code, verify it, refresh and log out. */
export const authRoutes =
  (deps: { auth: AuthService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['auth'];

    r.post(
      '/api/v1/auth/otp',
      {
        schema: {
          tags,
          summary: 'Send a 6-digit sign-in code by SMS',
          body: OtpRequestSchema,
          response: {
            200: OtpSentSchema,
            400: ErrorReply,
            429: ErrorReply,
            502: ErrorReply,
            503: ErrorReply,
          },
        },
      },
      async (request) => {
        const { expiresInSeconds, retryAfterSeconds } = await deps.auth.requestCode(
          request.body.phone,
          request.ip,
          request.locale,
        );
        return { sent: true as const, expiresInSeconds, retryAfterSeconds };
      },
    );

    r.post(
      '/api/v1/auth/verify',
      {
        schema: {
          tags,
          summary: 'Exchange a sign-in code for tokens; a new phone becomes a customer',
          body: VerifyRequestSchema,
          response: { 200: AuthTokensSchema, 400: ErrorReply, 429: ErrorReply },
        },
      },
      async (request) =>
        tokensReply(await deps.auth.verifyCode(request.body.phone, request.body.code, request.ip)),
    );

    r.post(
      '/api/v1/auth/refresh',
      {
        schema: {
          tags,
          summary: 'Rotate the refresh token; reusing an old one revokes the session',
          body: RefreshRequestSchema,
          response: { 200: AuthTokensSchema, 401: ErrorReply },
        },
      },
      async (request) => tokensReply(await deps.auth.refresh(request.body.refreshToken)),
    );

    r.post(
      '/api/v1/auth/logout',
      {
        schema: {
          tags,
          summary: 'End the session of this refresh token',
          body: RefreshRequestSchema,
          response: { 204: z.null(), 401: ErrorReply },
        },
      },
      async (request, reply) => {
        await deps.auth.logout(request.body.refreshToken);
        return reply.status(204).send(null);
      },
    );
  };
