import {
  CsatAnswerSchema,
  CsatLinkSchema,
  CsatSurveyListSchema,
  CsatTokenParamsSchema,
  CsatViewSchema,
  SupportParamsSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../../platform/http/auth.js';
import { bearer, ErrorReply, clientErrors as errors } from '../../../platform/http/openapi.js';
import type { Routes } from '../../../platform/module.js';
import type { CsatService } from './csat.service.js';

const tags = ['support'];

/** The customer's answer in the app, and the staff's read of every cycle's survey. */
export const csatRoutes =
  (deps: { csat: CsatService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { csat } = deps;

    r.put(
      '/api/v1/support/conversations/:id/csat',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'The customer rates the latest resolve (1–5, a comment), or changes it within a day',
          params: SupportParamsSchema,
          body: CsatAnswerSchema,
          response: { 200: CsatViewSchema, ...errors },
        },
      },
      async (request) => csat.answer(actorOf(request), request.params.id, request.body),
    );

    r.get(
      '/api/v1/support/conversations/:id/csat',
      {
        schema: {
          tags,
          security: bearer,
          summary: 'Every resolve cycle’s satisfaction survey, with the agent and team of the time (staff)',
          params: SupportParamsSchema,
          response: { 200: CsatSurveyListSchema, ...errors },
        },
      },
      async (request) => csat.list(actorOf(request), request.params.id),
    );
  };

/** The SMS link's survey, without sign-in: the token is the key (rate-limited per IP). */
export const csatLinkRoutes =
  (deps: { csat: CsatService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const { csat } = deps;
    const linkErrors = {
      400: ErrorReply,
      404: ErrorReply,
      409: ErrorReply,
      410: ErrorReply,
      429: ErrorReply,
    };

    r.get(
      '/api/v1/csat/:token',
      {
        schema: {
          tags,
          summary: 'What the survey link’s page shows: the agent, the subject, the answer so far',
          params: CsatTokenParamsSchema,
          response: { 200: CsatLinkSchema, ...linkErrors },
        },
      },
      async (request) => csat.byLink(request.params.token, request.ip),
    );

    r.put(
      '/api/v1/csat/:token',
      {
        schema: {
          tags,
          summary: 'Rate through the survey link (or change the rating within a day)',
          params: CsatTokenParamsSchema,
          body: CsatAnswerSchema,
          response: { 200: CsatLinkSchema, ...linkErrors },
        },
      },
      async (request) => csat.answerByLink(request.params.token, request.ip, request.body),
    );
  };
