import { timingSafeEqual } from 'node:crypto';
import type { Database } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Routes } from '../../platform/module.js';
import type { Redis } from '../../platform/redis/client.js';

export interface HealthDeps {
  database: Database;
  redis: Redis | undefined;
  instanceId: string;
  metrics: Metrics;
  isDraining: () => boolean;
  /** When set, `/metrics` answers only `authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
}

interface Check {
  ok: boolean;
  error?: string;
}

/** Liveness, readiness (names each failed check) and Prometheus metrics. */
export const healthRoutes =
  (deps: HealthDeps): Routes =>
  async (app) => {
    const startedAt = Date.now();

    app.get('/health', { schema: { hide: true } }, async () => ({
      status: 'ok',
      instance: deps.instanceId,
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
      // Without Redis an instance still serves its own clients: degraded, not unready, so a load
      // balancer keeps it (taking every instance out would turn a Redis blip into an outage).
      const degraded: string[] = [];
      if (deps.redis) {
        try {
          await deps.redis.ping(1000);
          checks.redis = { ok: true };
        } catch (error) {
          checks.redis = { ok: false, error: error instanceof Error ? error.message : String(error) };
          degraded.push('redis');
        }
      }
      const failed = Object.entries(checks)
        .filter(([name, c]) => !c.ok && !degraded.includes(name))
        .map(([name]) => name);
      const status = failed.length > 0 ? 'unavailable' : degraded.length > 0 ? 'degraded' : 'ready';
      return reply
        .status(failed.length === 0 ? 200 : 503)
        .send({ status, failed, ...(degraded.length > 0 ? { degraded } : {}), checks });
    });

    const expected = deps.metricsToken ? Buffer.from(`Bearer ${deps.metricsToken}`) : undefined;
    app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
      if (expected) {
        const given = Buffer.from(request.headers.authorization ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new AppError(401, 'auth/unauthenticated');
        }
      }
      return reply.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
    });
  };
