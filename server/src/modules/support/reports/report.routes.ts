import { ReportQuerySchema, ReportSchema } from '@abrik/protocol';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { actorOf } from '../../../platform/http/auth.js';
import { bearer, clientErrors as errors } from '../../../platform/http/openapi.js';
import type { Routes } from '../../../platform/module.js';
import type { ReportService } from './report.service.js';

/** The support reports, as JSON and as CSV (supervisors: their teams'; admins: everything). */
export const reportRoutes =
  (deps: { reports: ReportService }): Routes =>
  async (app) => {
    const r = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['support reports'];
    const security = bearer;
    const { reports } = deps;

    r.get(
      '/api/v1/support/reports',
      {
        schema: {
          tags,
          security,
          summary: 'Volumes, response and resolution times, CSAT and SLA met % per Jalali day, week or month',
          querystring: ReportQuerySchema,
          response: { 200: ReportSchema, ...errors },
        },
      },
      async (request) => reports.report(actorOf(request), request.query),
    );
    r.get(
      '/api/v1/support/reports.csv',
      {
        schema: {
          tags,
          security,
          summary:
            'The same report as CSV (UTF-8 with BOM; one row per group and bucket); the download is audited',
          querystring: ReportQuerySchema,
          response: { ...errors },
        },
      },
      async (request, reply) => {
        const csv = await reports.csv(actorOf(request), request.query);
        return (
          reply
            .type('text/csv; charset=utf-8')
            .header('content-disposition', `attachment; filename="${csv.filename}"`)
            .header('cache-control', 'no-store')
            // Text, not JSON: no 200 schema, so nothing serialises it (the typed reply expects one).
            .send(csv.body as never)
        );
      },
    );
  };
