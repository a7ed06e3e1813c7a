import {
  AgentListSchema,
  AgentSchema,
  CannedReplyListSchema,
  CannedReplyQuerySchema,
  CannedReplySchema,
  CreateCannedReplySchema,
  CreateInboxSchema,
  CreateTeamSchema,
  InboxListSchema,
  InboxSchema,
  RenderCannedReplySchema,
  RenderedCannedReplySchema,
  SupportParamsSchema,
  TeamSchema,
  UpdateAgentSchema,
  UpdateCannedReplySchema,
  UpdateInboxSchema,
  UpdateTeamSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { AdminService } from './admin.service.js';
import type { CannedReplyService } from './canned-reply.service.js';

/** The desk's settings (teams, agents, inboxes: admins; supervisors read) and canned replies. */
export const adminRoutes =
  (deps: { admin: AdminService; canned: CannedReplyService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['support settings'];
    const security = bearer;
    const { admin, canned } = deps;
    const one = (summary: string) => ({ tags, security, summary, params: SupportParamsSchema });

    r.get(
      '/api/v1/support/teams',
      {
        schema: {
          tags,
          security,
          summary: 'Teams with their agents and supervisors',
          response: { 200: z.object({ items: z.array(TeamSchema) }), ...errors },
        },
      },
      async (request) => ({ items: await admin.listTeams(actorOf(request)) }),
    );
    r.post(
      '/api/v1/support/teams',
      {
        schema: {
          tags,
          security,
          summary: 'Create a team',
          body: CreateTeamSchema,
          response: { 201: TeamSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await admin.createTeam(actorOf(request), request.body)),
    );
    r.patch(
      '/api/v1/support/teams/:id',
      {
        schema: {
          ...one('Rename a team or set its members'),
          body: UpdateTeamSchema,
          response: { 200: TeamSchema, ...errors },
        },
      },
      async (request) => admin.updateTeam(actorOf(request), request.params.id, request.body),
    );

    r.get(
      '/api/v1/support/agents',
      {
        schema: {
          tags,
          security,
          summary: 'Staff with availability, capacity, teams and load',
          response: { 200: AgentListSchema, ...errors },
        },
      },
      async (request) => admin.listAgents(actorOf(request)),
    );
    r.get(
      '/api/v1/support/agents/:id',
      { schema: { ...one('One agent'), response: { 200: AgentSchema, ...errors } } },
      async (request) => admin.getAgent(actorOf(request), request.params.id),
    );
    r.patch(
      '/api/v1/support/agents/:id',
      {
        schema: {
          ...one('Set capacity (global, per inbox) and teams'),
          body: UpdateAgentSchema,
          response: { 200: AgentSchema, ...errors },
        },
      },
      async (request) => admin.updateAgent(actorOf(request), request.params.id, request.body),
    );

    r.get(
      '/api/v1/support/inboxes',
      {
        schema: {
          tags,
          security,
          summary: 'Inboxes with routing and timers',
          response: { 200: InboxListSchema, ...errors },
        },
      },
      async (request) => ({ items: await admin.listInboxes(actorOf(request)) }),
    );
    r.post(
      '/api/v1/support/inboxes',
      {
        schema: {
          tags,
          security,
          summary: 'Create an inbox (a website widget’s)',
          body: CreateInboxSchema,
          response: { 201: InboxSchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await admin.createInbox(actorOf(request), request.body)),
    );
    r.get(
      '/api/v1/support/inboxes/:id',
      { schema: { ...one('One inbox'), response: { 200: InboxSchema, ...errors } } },
      async (request) => admin.getInbox(actorOf(request), request.params.id),
    );
    r.patch(
      '/api/v1/support/inboxes/:id',
      {
        schema: {
          ...one('Set routing, queue order, teams, reopen window and timers'),
          body: UpdateInboxSchema,
          response: { 200: InboxSchema, ...errors },
        },
      },
      async (request) => admin.updateInbox(actorOf(request), request.params.id, request.body),
    );

    r.get(
      '/api/v1/support/canned-replies',
      {
        schema: {
          tags,
          security,
          summary: 'Canned replies I may use; ?shortcut= finds by the start of a shortcut',
          querystring: CannedReplyQuerySchema,
          response: { 200: CannedReplyListSchema, ...errors },
        },
      },
      async (request) => ({ items: await canned.list(actorOf(request), request.query) }),
    );
    r.post(
      '/api/v1/support/canned-replies',
      {
        schema: {
          tags,
          security,
          summary: 'Create a personal, team or shared canned reply',
          body: CreateCannedReplySchema,
          response: { 201: CannedReplySchema, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await canned.create(actorOf(request), request.body)),
    );
    r.patch(
      '/api/v1/support/canned-replies/:id',
      {
        schema: {
          ...one('Change a canned reply'),
          body: UpdateCannedReplySchema,
          response: { 200: CannedReplySchema, ...errors },
        },
      },
      async (request) => canned.update(actorOf(request), request.params.id, request.body),
    );
    r.delete(
      '/api/v1/support/canned-replies/:id',
      { schema: { ...one('Delete a canned reply'), response: { 204: z.null(), ...errors } } },
      async (request, reply) => {
        await canned.delete(actorOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    r.post(
      '/api/v1/support/canned-replies/:id/render',
      {
        schema: {
          ...one('The reply filled in for a conversation; unresolved variables block sending'),
          body: RenderCannedReplySchema,
          response: { 200: RenderedCannedReplySchema, ...errors },
        },
      },
      async (request) => canned.render(actorOf(request), request.params.id, request.body.conversationId),
    );
  };
