import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from './db/client.js';

/** Prometheus metrics of one process, on a registry of its own (tests run several apps at once). */
export class Metrics {
  readonly registry = new Registry();

  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly realtimeConnections = new Gauge({
    name: 'realtime_connections',
    help: 'Open Socket.IO connections on this instance',
    registers: [this.registry],
  });

  readonly messagesTotal = new Counter({
    name: 'messages_total',
    help: 'Messages stored, by the way they arrived',
    labelNames: ['transport'] as const,
    registers: [this.registry],
  });

  readonly messageBatchSize = new Histogram({
    name: 'message_batch_size',
    help: 'Messages stored by one group-commit statement',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200],
    registers: [this.registry],
  });

  readonly messageBatchFailures = new Counter({
    name: 'message_batch_failures_total',
    help: 'Group commits that failed for a reason other than an outage (their messages were stored one by one), by SQLSTATE',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly messagePersistDuration = new Histogram({
    name: 'message_persist_duration_seconds',
    help: 'Time from receiving a message to its committed transaction',
    buckets: [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [this.registry],
  });

  readonly realtimeEventsRejected = new Counter({
    name: 'realtime_events_rejected_total',
    help: 'Socket events refused: unknown event, invalid payload, not allowed, or throttled',
    labelNames: ['event', 'reason'] as const,
    registers: [this.registry],
  });

  readonly realtimeSlowConsumers = new Counter({
    name: 'realtime_slow_consumers_total',
    help: 'Connections closed because their client stopped reading and too many packets waited for it',
    registers: [this.registry],
  });

  readonly errorsTotal = new Counter({
    name: 'app_errors_total',
    help: 'Errors answered to clients, by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly notificationsSent = new Counter({
    name: 'notifications_sent_total',
    help: 'Push attempts by provider and outcome (sent, invalid_token, retry, auth_error, failed, circuit_open, quota_skipped, already_read)',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly pushTokensRemoved = new Counter({
    name: 'push_tokens_removed_total',
    help: 'Device tokens and subscriptions deleted, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly smsSent = new Counter({
    name: 'sms_sent_total',
    help: 'Fallback SMS by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly pushQuotaUsed = new Gauge({
    name: 'push_quota_used',
    help: 'Pushes sent today, against PUSH_DAILY_LIMIT',
    registers: [this.registry],
  });

  readonly pushTokensStale = new Gauge({
    name: 'push_tokens_stale',
    help: 'Devices not refreshed for PUSH_TOKEN_STALE_DAYS, as of the last daily check',
    registers: [this.registry],
  });

  constructor(sources: {
    poolStats: () => PoolStats;
    /** With Redis: whether it is connected now. */
    redisUp?: (() => boolean) | undefined;
    /** With Redis: open connections of every live instance together. */
    clusterConnections?: (() => Promise<number | undefined>) | undefined;
    /** With workers: depth and oldest waiting job of every queue. */
    jobQueues?: (() => Promise<{ queue: string; depth: number; oldestSeconds: number }[]>) | undefined;
  }) {
    const { poolStats, redisUp, clusterConnections, jobQueues } = sources;
    if (jobQueues) {
      let last: Promise<{ queue: string; depth: number; oldestSeconds: number }[]> | undefined;
      // One read serves both gauges of a scrape.
      const read = () => {
        last ??= jobQueues()
          .catch(() => [])
          .finally(() => setTimeout(() => (last = undefined), 1000).unref());
        return last;
      };
      new Gauge({
        name: 'job_queue_depth',
        help: 'Jobs waiting (queued or to retry) per queue',
        labelNames: ['queue'] as const,
        registers: [this.registry],
        async collect() {
          for (const q of await read()) this.set({ queue: q.queue }, q.depth);
        },
      });
      new Gauge({
        name: 'job_queue_oldest_seconds',
        help: 'Age of the oldest waiting job per queue',
        labelNames: ['queue'] as const,
        registers: [this.registry],
        async collect() {
          for (const q of await read()) this.set({ queue: q.queue }, q.oldestSeconds);
        },
      });
    }
    collectDefaultMetrics({ register: this.registry });
    if (redisUp) {
      new Gauge({
        name: 'redis_up',
        help: '1 while this instance is connected to Redis',
        registers: [this.registry],
        collect() {
          this.set(redisUp() ? 1 : 0);
        },
      });
    }
    if (clusterConnections) {
      new Gauge({
        name: 'realtime_connections_cluster',
        help: 'Open Socket.IO connections on every live instance together (absent while Redis is down)',
        registers: [this.registry],
        async collect() {
          const total = await clusterConnections().catch(() => undefined);
          if (total === undefined) this.reset();
          else this.set(total);
        },
      });
    }
    const pool = (name: string, help: string, pick: (s: PoolStats) => number) =>
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.set(pick(poolStats()));
        },
      });
    pool('db_pool_connections_total', 'Database connections open in the pool', (s) => s.total);
    pool('db_pool_connections_idle', 'Database connections idle in the pool', (s) => s.idle);
    pool('db_pool_requests_waiting', 'Queries waiting for a database connection', (s) => s.waiting);
    pool('db_pool_connections_max', 'Most connections the pool may open', (s) => s.max);
  }
}
