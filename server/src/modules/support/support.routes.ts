import {
  AssignmentHistorySchema,
  AssignSchema,
  LabelsChangeSchema,
  PriorityChangeSchema,
  StatusChangeSchema,
  SupportCustomerSchema,
  SupportListQuerySchema,
  SupportListSchema,
  SupportParamsSchema,
  SupportQueueSchema,
  SupportTicketSchema,
  TransferSchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../platform/http/openapi.js';
import type { Routes } from '../../platform/module.js';
import type { TicketService } from './ticket.service.js';

/** The support desk for staff: views, the queue, and what agents do to a conversation. */
export const supportRoutes =
  (deps: { tickets: TicketService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['support'];
    const security = bearer;
    const { tickets } = deps;
    const action = (summary: string) => ({ tags, security, summary, params: SupportParamsSchema });

    r.get(
      '/api/v1/support/conversations',
      {
        schema: {
          tags,
          security,
          summary: 'Support conversations I may see, most recent activity first, with counts per view',
          querystring: SupportListQuerySchema,
          response: { 200: SupportListSchema, ...errors },
        },
      },
      async (request) => tickets.list(actorOf(request), request.query),
    );

    r.get(
      '/api/v1/support/queue',
      {
        schema: {
          tags,
          security,
          summary: 'Per inbox: conversations waiting and the oldest wait',
          response: { 200: SupportQueueSchema, ...errors },
        },
      },
      async (request) => tickets.queueSummary(actorOf(request)),
    );

    r.get(
      '/api/v1/support/conversations/:id',
      {
        schema: {
          ...action('One support conversation (staff)'),
          response: { 200: SupportTicketSchema, ...errors },
        },
      },
      async (request) => tickets.get(actorOf(request), request.params.id),
    );

    r.get(
      '/api/v1/support/conversations/:id/assignments',
      {
        schema: {
          ...action('Who had it, from when, and why'),
          response: { 200: AssignmentHistorySchema, ...errors },
        },
      },
      async (request) => tickets.assignments(actorOf(request), request.params.id),
    );

    r.get(
      '/api/v1/support/conversations/:id/customer',
      {
        schema: {
          ...action('The customer: name, phone, and their other support conversations'),
          response: { 200: SupportCustomerSchema, ...errors },
        },
      },
      async (request) => tickets.customer(actorOf(request), request.params.id),
    );

    r.post(
      '/api/v1/support/conversations/:id/assign',
      {
        schema: {
          ...action('Assign to an agent (supervisors, admins), or back to the queue with null'),
          body: AssignSchema,
          response: { 200: SupportTicketSchema, ...errors },
        },
      },
      async (request) => tickets.assign(actorOf(request), request.params.id, request.body.agentId),
    );

    r.post(
      '/api/v1/support/conversations/:id/claim',
      {
        schema: {
          ...action('Take a conversation nobody has (within my capacity)'),
          response: { 200: SupportTicketSchema, ...errors },
        },
      },
      async (request) => tickets.claim(actorOf(request), request.params.id),
    );

    r.post(
      '/api/v1/support/conversations/:id/transfer',
      {
        schema: {
          ...action('Hand over to an agent or a team; the note goes beside it as a private note'),
          body: TransferSchema,
          response: { 200: SupportTicketSchema, ...errors },
        },
      },
      async (request) => tickets.transfer(actorOf(request), request.params.id, request.body),
    );

    r.post(
      '/api/v1/support/conversations/:id/status',
      {
        schema: {
          ...action('Open, pending, snoozed (until a time, or the customer’s reply) or resolved'),
          body: StatusChangeSchema,
          response: { 200: SupportTicketSchema, ...errors },
        },
      },
      async (request) => tickets.setStatus(actorOf(request), request.params.id, request.body),
    );

    r.put(
      '/api/v1/support/conversations/:id/priority',
      {
        schema: {
          ...action('Set the priority'),
          body: PriorityChangeSchema,
          response: { 200: SupportTicketSchema, ...errors },
        },
      },
      async (request) => tickets.setPriority(actorOf(request), request.params.id, request.body.priority),
    );

    r.put(
      '/api/v1/support/conversations/:id/labels',
      {
        schema: {
          ...action('Set the labels'),
          body: LabelsChangeSchema,
          response: { 200: SupportTicketSchema, ...errors },
        },
      },
      async (request) => tickets.setLabels(actorOf(request), request.params.id, request.body.labels),
    );
  };
