import pg from 'pg';
import { it } from 'vitest';
import { createLogger } from '../server/src/platform/logger.js';
import { FcmPushProvider } from '../server/src/providers/push/fcm/fcm.provider.js';
import { startFakeFcm } from '../server/test/fakes/fcm.fake.js';
import { startTestApp, uniquePhone } from '../server/test/support/app.js';
import {
  cpuBetween,
  cpuSnapshot,
  environment,
  markdownTable,
  type ProcessGroup,
  postgresGroup,
  writeResults,
} from './harness/index.js';

/**
 * Pushes per second through the whole pipeline to a fake FCM on PostgreSQL: one message to a
 * group whose offline members have devices → notify-message → notify-user → one push-send job
 * per device → FcmPushProvider (real OAuth, real HTTP) → the fake. Goal (issue 4): ≥ 2,000/s.
 */
it('push: pushes per second through the pipeline to a fake FCM', async () => {
  const members = Number(process.env.BENCH_PUSH_MEMBERS ?? 400);
  const devicesPerMember = Number(process.env.BENCH_PUSH_DEVICES ?? 25);
  const total = members * devicesPerMember;
  const fcm = await startFakeFcm();
  const provider = new FcmPushProvider({
    serviceAccount: fcm.serviceAccount,
    baseUrl: fcm.url,
    logger: createLogger({ level: 'silent' }),
  });
  const t = await startTestApp({
    backend: 'postgres',
    push: { phone: provider },
    env: {
      LOG_LEVEL: 'warn',
      PUSH_PROVIDERS: 'fcm',
      FIREBASE_SERVICE_ACCOUNT_PATH: '/dev/null',
      DATABASE_POOL_SIZE: '20',
    },
  });
  let db: pg.Client | undefined;
  try {
    const owner = await t.signIn(uniquePhone(), 'Owner');
    const people = [];
    for (let i = 0; i < members; i++) people.push(await t.signIn(uniquePhone(), `Member ${i}`));
    const group = await t.request('POST', '/api/v1/conversations', {
      token: owner.accessToken,
      body: { kind: 'group', title: 'bench', memberIds: people.map((p) => p.user.id) },
    });
    let n = 0;
    for (const person of people) {
      for (let d = 0; d < devicesPerMember; d++) {
        n += 1;
        const res = await t.request('POST', '/api/v1/devices', {
          token: person.accessToken,
          body: { platform: 'android', token: `bench${n}:APA91b${'x'.repeat(140)}` },
        });
        if (res.status !== 201) throw new Error(`device registration failed: ${res.status}`);
      }
    }
    // The app and the fake FCM run in this process; PostgreSQL in its own.
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    const groups: ProcessGroup[] = [
      { name: 'app+fake', pids: () => [process.pid] },
      postgresGroup(db, new URL(t.database.url!).pathname.slice(1)),
    ];
    const before = await cpuSnapshot(groups);
    const started = performance.now();
    await t.request('POST', `/api/v1/conversations/${group.body.id}/messages`, {
      token: owner.accessToken,
      body: { clientMsgId: 'bench-1', body: 'سلام به همه' },
    });
    let firstAt: number | undefined;
    while (fcm.messages.length < total) {
      if (fcm.messages.length > 0 && firstAt === undefined) firstAt = performance.now();
      if (performance.now() - started > 120_000) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const ended = performance.now();
    const cpu = cpuBetween(before, await cpuSnapshot(groups), groups);
    const delivered = fcm.messages.length;
    const seconds = (ended - (firstAt ?? started)) / 1000;
    const result = {
      environment: await environment(db),
      settings: { members, devicesPerMember, total, database: 'postgres', provider: 'fcm (fake, HTTP/1.1)' },
      delivered,
      secondsFirstToLast: Number(seconds.toFixed(2)),
      secondsFromSend: Number(((ended - started) / 1000).toFixed(2)),
      pushesPerSecond: Math.round(delivered / seconds),
      cpu,
    };
    process.stdout.write(`\n${JSON.stringify(result, null, 2)}\n`);
    writeResults(
      'push',
      result,
      markdownTable(
        [
          'pushes',
          'delivered',
          's first → last',
          's from send',
          'pushes/s',
          ...Object.keys(cpu).map((k) => `CPU ${k}`),
        ],
        [
          [
            total,
            delivered,
            result.secondsFirstToLast,
            result.secondsFromSend,
            result.pushesPerSecond,
            ...Object.values(cpu),
          ],
        ],
      ),
    );
  } finally {
    await db?.end().catch(() => {});
    await t.close(); // closes the provider too
    await fcm.close();
  }
});
