import type { FastifyInstance } from 'fastify';
import type { Database } from '../../db/client.js';
import type { Metrics } from '../../metrics.js';

export interface HealthDeps {
  database: Database;
  metrics: Metrics;
  isDraining: () => boolean;
}

interface Check {
  ok: boolean;
  error?: string;
}

/** Liveness, readiness (names each failed check) and Prometheus metrics. */
export async function healthRoutes(app: FastifyInstance, deps: HealthDeps) {
  const startedAt = Date.now();

  app.get('/health', { schema: { hide: true } }, async () => ({
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  }));

  app.get('/health/ready', { schema: { hide: true } }, async (_request, reply) => {
    const checks: Record<string, Check> = {};
    try {
      await deps.database.ping(1500);
      checks.database = { ok: true };
      const pending = await deps.database.pendingMigrations();
      checks.migrations =
        pending === 0 ? { ok: true } : { ok: false, error: `${pending} migration(s) not applied` };
    } catch (error) {
      checks.database = { ok: false, error: error instanceof Error ? error.message : String(error) };
      checks.migrations = { ok: false, error: 'unknown: database unreachable' };
    }
    if (deps.isDraining()) checks.server = { ok: false, error: 'shutting down' };
    const failed = Object.entries(checks)
      .filter(([, c]) => !c.ok)
      .map(([name]) => name);
    return reply
      .status(failed.length === 0 ? 200 : 503)
      .send({ status: failed.length === 0 ? 'ready' : 'unavailable', failed, checks });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
}
