import {
  CreateSlaPolicySchema,
  SlaPolicyListSchema,
  SlaPolicySchema,
  SlaTargetListSchema,
  SupportParamsSchema,
  UpdateSlaPolicySchema,
} from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../../platform/http/openapi.js';
import type { Routes } from '../../../platform/module.js';
import type { SlaService } from './sla.service.js';

/** SLA policies (admins write, supervisors read) and a conversation's clocks (staff who see it). */
export const slaRoutes =
  (deps: { sla: SlaService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['support SLA'];
    const security = bearer;
    const { sla } = deps;
    const one = (summary: string) => ({ tags, security, summary, params: SupportParamsSchema });

    r.get(
      '/api/v1/support/sla-policies',
      {
        schema: {
          tags,
          security,
          summary: 'SLA policies, most specific first',
          response: { 200: SlaPolicyListSchema, ...errors },
        },
      },
      async (request) => ({ items: await sla.listPolicies(actorOf(request)) }),
    );
    r.post(
      '/api/v1/support/sla-policies',
      {
        schema: {
          tags,
          security,
          summary: 'Create a policy for an inbox (or all) and a priority (or any)',
          body: CreateSlaPolicySchema,
          response: { 201: SlaPolicySchema, ...errors },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await sla.createPolicy(actorOf(request), request.body)),
    );
    r.patch(
      '/api/v1/support/sla-policies/:id',
      {
        schema: {
          ...one('Change a policy (clocks already running keep their targets)'),
          body: UpdateSlaPolicySchema,
          response: { 200: SlaPolicySchema, ...errors },
        },
      },
      async (request) =>
        sla.updatePolicy(actorOf(request), request.params.id, withoutUndefined(request.body)),
    );
    r.delete(
      '/api/v1/support/sla-policies/:id',
      { schema: { ...one('Delete a policy'), response: { 204: z.null(), ...errors } } },
      async (request, reply) => {
        await sla.deletePolicy(actorOf(request), request.params.id);
        return reply.status(204).send(null);
      },
    );
    r.get(
      '/api/v1/support/conversations/:id/sla',
      {
        schema: {
          ...one('The conversation’s SLA targets, every cycle: due, met, breached, paused'),
          response: { 200: SlaTargetListSchema, ...errors },
        },
      },
      async (request) => ({ items: await sla.targets(actorOf(request), request.params.id) }),
    );
  };

function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as never;
}
