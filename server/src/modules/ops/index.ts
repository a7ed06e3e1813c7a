import type { Database } from '../../platform/db/client.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Metrics } from '../../platform/metrics.js';
import type { Module } from '../../platform/module.js';
import type { Redis } from '../../platform/redis/client.js';
import { DeadLetters } from './dead-letters.js';
import { healthRoutes } from './health.routes.js';

export interface OpsModule extends Module {
  deadLetters: DeadLetters;
}

/** Health, readiness and metrics on HTTP; dead letters and diagnosis for the command line. */
export function createOpsModule(deps: {
  database: Database;
  redis: Redis | undefined;
  jobs: JobQueue;
  metrics: Metrics;
  instanceId: string;
  isDraining: () => boolean;
  metricsToken?: string | undefined;
}): OpsModule {
  return {
    name: 'ops',
    deadLetters: new DeadLetters(deps.jobs),
    routes: { public: [healthRoutes(deps)] },
  };
}
