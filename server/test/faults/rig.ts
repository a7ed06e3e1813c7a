import { type AuthResult, uniquePhone } from '../support/app.js';
import {
  type ChatClient,
  type Cluster,
  clusterAvailable,
  httpJson,
  startCluster,
} from '../support/cluster.js';
import { type Books, type Sent, settle, traffic } from '../support/ledger.js';
import { type OwnPostgres, ownPostgresAvailable, startOwnPostgres } from '../support/own-postgres.js';

/**
 * The fault suite's rig: `abrik serve` processes (server/dist) on a PostgreSQL cluster and a
 * Redis of the suite's own — the machine's database and Redis are never touched — and a group
 * whose members are real socket.io clients spread over the instances. Under CI=true a missing
 * toolchain fails the suite instead of leaving it out.
 */
export const FAULTS_AVAILABLE = clusterAvailable() && ownPostgresAvailable();

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Rig {
  pg: OwnPostgres;
  cluster: Cluster;
  /** The group's members, in order; member i is connected to instance i mod the instance count. */
  users: AuthResult[];
  members: ChatClient[];
  /** A new group of all the members (each case counts its own conversation). */
  newGroup(): Promise<string>;
  /** Traffic from `senders` while `fault` runs: `before` ms of it first, `after` ms once it is over. */
  run(
    group: string,
    senders: ChatClient[],
    tag: string,
    fault: () => Promise<void>,
    timing?: {
      before?: number;
      after?: number;
      pauseMs?: number;
      body?: (sender: ChatClient, i: number) => string;
    },
  ): Promise<Sent[]>;
  /** The books, once every member holds every stored message (or the wait ran out). */
  books(group: string, sent: Sent[], liveMembers?: ChatClient[]): Promise<Books>;
  /** A metric of an instance, summed over its series (0 when absent). */
  metric(instance: number, name: string): Promise<number>;
  close(): Promise<void>;
}

export async function startRig(
  options: { instances?: number; members?: number; env?: Record<string, string> } = {},
): Promise<Rig> {
  const pg = await startOwnPostgres();
  let cluster: Cluster;
  try {
    cluster = await startCluster({
      instances: options.instances ?? 2,
      nginx: false,
      databaseUrl: pg.url,
      env: {
        // An outage is noticed within a second or two, as the outage suite runs it.
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        DATABASE_STATEMENT_TIMEOUT_MS: '2000',
        DATABASE_POOL_SIZE: '6',
        SYNC_PER_USER_MINUTE: '100000',
        HISTORY_PER_USER_MINUTE: '100000',
        ...options.env,
      },
    });
  } catch (error) {
    await pg.destroy();
    throw error;
  }
  const close = async () => {
    try {
      await cluster.close();
    } finally {
      await pg.destroy();
    }
  };
  try {
    const count = options.members ?? 4;
    const users: AuthResult[] = [];
    for (let i = 0; i < count; i++) users.push(await cluster.signIn(uniquePhone(), `m${i + 1}`));
    const members: ChatClient[] = [];
    for (const [i, user] of users.entries()) {
      const instance = cluster.instances[i % cluster.instances.length]!;
      members.push(await cluster.client(`m${i + 1}@${instance.id}`, instance.url, user));
    }
    await Promise.all(members.map((m) => m.synced()));

    return {
      pg,
      cluster,
      users,
      members,
      async newGroup() {
        const created = await cluster.request('POST', '/api/v1/conversations', {
          token: users[0]!.accessToken,
          body: { kind: 'group', title: 'faults', memberIds: users.slice(1).map((u) => u.user.id) },
        });
        if (created.status !== 201) throw new Error(`group not created: ${JSON.stringify(created.body)}`);
        // Every member's connection is in the group's room once its sync lists it.
        await Promise.all(members.map((m) => m.synced()));
        return created.body.id as string;
      },
      async run(group, senders, tag, fault, timing = {}) {
        let running = true;
        const sending = traffic(senders, group, tag, () => running, {
          pauseMs: timing.pauseMs ?? 10,
          ...(timing.body ? { body: timing.body } : {}),
        });
        await sleep(timing.before ?? 1000);
        try {
          await fault();
          await sleep(timing.after ?? 1500);
        } finally {
          running = false;
        }
        return sending;
      },
      books: (group, sent, liveMembers) =>
        settle(pg.url, group, members, sent, { liveMembers: liveMembers ?? [] }),
      async metric(instance, name) {
        const reply = await httpJson(cluster.instances[instance]!.url, 'GET', '/metrics', {
          timeoutMs: 3000,
        });
        let sum = 0;
        for (const line of String(reply.body).split('\n')) {
          const match = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`).exec(line);
          if (match) sum += Number(match[1]);
        }
        return sum;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
