import pg from 'pg';
import { it } from 'vitest';
import { MessageRepository } from '../server/src/modules/chat/message.repository.js';
import { storedMessagesJob } from '../server/src/modules/notifications/notify-message.job.js';
import { startTestApp } from '../server/test/support/app.js';
import {
  cpuBetween,
  cpuSnapshot,
  createPairs,
  environment,
  knob,
  knobList,
  markdownTable,
  type ProcessGroup,
  progress,
  round,
  writeResults,
} from './harness/index.js';

interface BatchRow {
  size: number;
  statements: number;
  wallMsPerStatement: number;
  cpuMsPerStatement: number;
  cpuUsPerMessage: number;
  walBytesPerMessage: number;
}

/**
 * What one group commit costs the database, by batch size: the app's own statement (messages,
 * seqs, the notification job) run one after another on the app's writer connections, nothing
 * else writing. Reports per statement the wall time and the CPU of the writer's PostgreSQL
 * backends, per message the same and the WAL written — the fixed cost of a statement against
 * the cost of each message in it, which decides how full batches should be.
 */
it('batch: database cost of one group commit by batch size', async () => {
  const pairCount = knob('BENCH_PAIRS', 500, 1);
  const sizes = knobList('BENCH_BATCH_SIZES', [1, 2, 4, 8, 16, 32, 64, 128, 200]);
  const messagesPerSize = knob('BENCH_BATCH_MESSAGES', 4000, 1);
  const t = await startTestApp({ backend: 'postgres', env: { LOG_LEVEL: 'warn' } });
  const db = new pg.Client({ connectionString: t.database.url });
  try {
    await db.connect();
    const pairs = (await createPairs({ db }, pairCount)).map((p) => ({
      id: p.conversationId,
      a: p.a.id,
      b: p.b.id,
    }));

    const repo = new MessageRepository(t.app.database.db);
    const job = await storedMessagesJob(t.app.jobs);
    const writer = t.app.database.writer;
    const body = 'x'.repeat(64);
    let n = 0;
    // Each batch: `size` messages, one per conversation, both members taking turns to send.
    const batch = (size: number) =>
      Array.from({ length: size }, (_, k) => {
        const pair = pairs[(n + k) % pairs.length]!;
        n += 1;
        return { conversationId: pair.id, senderId: k % 2 ? pair.a : pair.b, clientMsgId: `b${n}`, body };
      });
    for (let i = 0; i < 20; i++) await repo.insertBatch(batch(1), job, writer);
    const writerPids = async () =>
      (
        await db.query<{ pid: number }>(
          `select pid from pg_stat_activity where datname = current_database() and application_name = 'abrik-writer'`,
        )
      ).rows.map((r) => r.pid);
    const pids = await writerPids();
    const groups: ProcessGroup[] = [{ name: 'writer', pids: () => pids }];
    const lsn = async () => (await db.query<{ l: string }>('select pg_current_wal_lsn() as l')).rows[0]!.l;

    const rows: BatchRow[] = [];
    for (const size of sizes) {
      const statements = Math.max(40, Math.round(messagesPerSize / size));
      const walBefore = await lsn();
      const before = await cpuSnapshot(groups);
      const started = performance.now();
      for (let s = 0; s < statements; s++) {
        const stored = (await repo.insertBatch(batch(size), job, writer)).filter(
          (o) => o.outcome === 'stored',
        );
        if (stored.length !== size) throw new Error(`batch of ${size} stored ${stored.length}`);
      }
      const wallMs = performance.now() - started;
      const after = await cpuSnapshot(groups);
      const cpuMs = cpuBetween(before, after, groups).writer! * wallMs;
      const wal = Number(
        (await db.query<{ d: string }>('select pg_wal_lsn_diff(pg_current_wal_lsn(), $1) as d', [walBefore]))
          .rows[0]!.d,
      );
      const row = {
        size,
        statements,
        wallMsPerStatement: round(wallMs / statements, 3),
        cpuMsPerStatement: round(cpuMs / statements, 3),
        cpuUsPerMessage: round((cpuMs * 1000) / (statements * size), 1),
        walBytesPerMessage: Math.round(wal / (statements * size)),
      };
      rows.push(row);
      progress(
        `size ${size}: ${row.wallMsPerStatement} ms a statement (${row.cpuMsPerStatement} ms of PostgreSQL CPU), ${row.cpuUsPerMessage} µs of CPU and ${row.walBytesPerMessage} WAL bytes a message`,
      );
    }
    if ((await writerPids()).join() !== pids.join())
      progress('note: the writer connections changed during the run');
    const first = rows[0]!;
    const last = rows.at(-1)!;
    const perMessageUs =
      last.size > first.size
        ? round(((last.cpuMsPerStatement - first.cpuMsPerStatement) * 1000) / (last.size - first.size), 1)
        : undefined;
    progress(
      `fixed cost ≈ ${first.cpuMsPerStatement} ms of PostgreSQL CPU a statement; each further message ≈ ${perMessageUs} µs`,
    );
    writeResults(
      'batch',
      {
        environment: await environment(db),
        settings: { pairs: pairCount, sizes, messagesPerSize, connections: 'the app writer (generic plan)' },
        rows,
        perMessageUs,
      },
      [
        `Fixed cost of a statement ≈ **${first.cpuMsPerStatement} ms** of PostgreSQL CPU; each further message ≈ **${perMessageUs} µs**.`,
        '',
        markdownTable(
          [
            'batch size',
            'statements',
            'ms a statement',
            'PostgreSQL CPU ms a statement',
            'µs CPU a message',
            'WAL bytes a message',
          ],
          rows.map((r) => [
            r.size,
            r.statements,
            r.wallMsPerStatement,
            r.cpuMsPerStatement,
            r.cpuUsPerMessage,
            r.walBytesPerMessage,
          ]),
        ),
      ].join('\n'),
    );
  } finally {
    await db.end().catch(() => {});
    await t.close();
  }
}, 600_000);
