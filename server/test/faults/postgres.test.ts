import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSound, report } from '../support/ledger.js';
import { FAULTS_AVAILABLE, type Rig, sleep, startRig } from './rig.js';

/**
 * PostgreSQL fails under steady group traffic on two instances: stopped and started again, then
 * frozen (SIGSTOP) for longer than a send waits for its ack. The clients keep their connections
 * and retry unacked sends under the same clientMsgId, as the web client does.
 */
describe.skipIf(!FAULTS_AVAILABLE)('faults: PostgreSQL', () => {
  let rig: Rig;

  beforeAll(async () => {
    rig = await startRig({ instances: 2, members: 4 });
  }, 90_000);
  afterAll(async () => {
    await rig?.close();
  }, 30_000);

  it('stopped for 2 s and started again: nothing acked is lost, nothing doubled, everything heard live', async () => {
    const group = await rig.newGroup();
    const [m1, m2] = rig.members;
    let downMs = 0;
    const sent = await rig.run(group, [m1!, m2!], 'pg-stop', async () => {
      const at = Date.now();
      await rig.pg.stop();
      await sleep(2000);
      await rig.pg.start();
      downMs = Date.now() - at;
    });
    const books = await rig.books(group, sent, rig.members);
    report('PostgreSQL stopped and restarted', books, `down ${downMs} ms`);
    expectSound(books, { live: true });
    // The outage was felt (refused attempts were retried), and every send got through in the end.
    expect(books.retries).toBeGreaterThan(0);
    expect(books.acked).toBe(books.sent);
  }, 60_000);

  it('frozen past the ack timeout: sends answered db/unavailable, retried, stored once, heard live', async () => {
    const group = await rig.newGroup();
    const [, , m3, m4] = rig.members;
    const errorsBefore = await rig.metric(0, 'app_errors_total');
    const sent = await rig.run(group, [m3!, m4!], 'pg-freeze', async () => {
      rig.pg.freeze();
      try {
        await sleep(4000); // the statement timeout is 2 s, the wait for a connection 1 s
      } finally {
        rig.pg.thaw();
      }
    });
    const books = await rig.books(group, sent, rig.members);
    const errors = (await rig.metric(0, 'app_errors_total')) - errorsBefore;
    report('PostgreSQL frozen 4 s', books, `${errors} errors answered by i1`);
    expectSound(books, { live: true });
    expect(books.retries).toBeGreaterThan(0);
    expect(books.acked).toBe(books.sent);
  }, 60_000);
});
