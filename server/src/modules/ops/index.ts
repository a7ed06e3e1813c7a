import type { Database } from '../../platform/db/client.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Module } from '../../platform/module.js';
import type { Redis } from '../../platform/redis/client.js';
import { AuditRepository } from './audit/audit.repository.js';
import { auditRoutes } from './audit/audit.routes.js';
import { AuditService } from './audit/audit.service.js';
import { DeadLetters } from './dead-letters.js';
import { healthRoutes } from './health.routes.js';

export interface OpsModule extends Module {
  deadLetters: DeadLetters;
  /** The audit trail (admins, read-only). */
  audit: AuditService;
}

/**
 * Health, readiness and metrics on HTTP; the audit trail for admins; dead letters and diagnosis
 * for the command line.
 */
export function createOpsModule(deps: {
  database: Database;
  redis: Redis | undefined;
  jobs: JobQueue;
  metrics: Metrics;
  instanceId: string;
  isDraining: () => boolean;
  metricsToken?: string | undefined;
}): OpsModule {
  const audit = new AuditService({ audit: new AuditRepository(deps.database.db) });
  return {
    name: 'ops',
    deadLetters: new DeadLetters(deps.jobs),
    audit,
    routes: { public: [healthRoutes(deps)], authenticated: [auditRoutes({ audit })] },
  };
}
