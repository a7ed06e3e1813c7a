// Users, conversations and tokens, straight into the target's database: no SMS, no sign-in.
import { TokenService } from '../../server/src/modules/identity/token.service.js';
import type { Endpoint } from '../load/ipc.js';
import { SECRET, TOKEN_TTL_SECONDS } from './common.js';
import type { Target } from './server.js';

/** Fixtures need only the database of the target. */
export type FixtureTarget = Pick<Target, 'db'>;

export interface BenchUser {
  id: string;
  token: string;
}

/** `count` customers with tokens signed by the server's JWT secret (no sign-in, no SMS). */
export async function createUsers(target: FixtureTarget, count: number): Promise<BenchUser[]> {
  const rows = await target.db.query<{ id: string; phone: string }>(
    `insert into users (phone, name)
     select '+98912' || lpad((n + g)::text, 7, '0'), 'bench ' || (n + g)
     from generate_series(1, $1::int) g, (select count(*)::int as n from users) existing
     returning id, phone`,
    [count],
  );
  const ids = rows.rows.sort((a, b) => a.phone.localeCompare(b.phone)).map((r) => r.id);
  const tokens = new TokenService({ secret: SECRET, ttlSeconds: TOKEN_TTL_SECONDS, clockSkewSeconds: 30 });
  const out: BenchUser[] = [];
  for (let i = 0; i < ids.length; i += 1000) {
    const slice = ids.slice(i, i + 1000);
    const signed = await Promise.all(slice.map((id) => tokens.signAccess(id, 'customer')));
    signed.forEach((s, k) => {
      out.push({ id: slice[k]!, token: s.token });
    });
  }
  return out;
}

export interface Pair {
  conversationId: string;
  a: BenchUser;
  b: BenchUser;
}

/** Users two by two, each pair in a direct conversation of its own. */
export async function createPairs(target: FixtureTarget, count: number): Promise<Pair[]> {
  const users = await createUsers(target, count * 2);
  const keys: string[] = [];
  const creators: string[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = [users[2 * i]!.id, users[2 * i + 1]!.id];
    keys.push([a, b].sort().join(':'));
    creators.push(a);
  }
  const conversations = await target.db.query<{ id: string; direct_key: string }>(
    `insert into conversations (kind, direct_key, created_by)
     select 'direct', k, c from unnest($1::text[], $2::uuid[]) as t(k, c)
     returning id, direct_key`,
    [keys, creators],
  );
  const byKey = new Map(conversations.rows.map((r) => [r.direct_key, r.id]));
  const pairs = keys.map((key, i) => ({
    conversationId: byKey.get(key)!,
    a: users[2 * i]!,
    b: users[2 * i + 1]!,
  }));
  await target.db.query(
    `insert into members (conversation_id, user_id)
     select c, u from unnest($1::uuid[], $2::uuid[]) as t(c, u)`,
    [pairs.flatMap((p) => [p.conversationId, p.conversationId]), pairs.flatMap((p) => [p.a.id, p.b.id])],
  );
  await analyze(target);
  return pairs;
}

/** One group conversation of all `users`, the first its owner. */
export async function createGroup(target: FixtureTarget, users: BenchUser[], title: string): Promise<string> {
  const conversation = await target.db.query<{ id: string }>(
    `insert into conversations (kind, title, created_by) values ('group', $1, $2) returning id`,
    [title, users[0]!.id],
  );
  const id = conversation.rows[0]!.id;
  await target.db.query(
    `insert into members (conversation_id, user_id, role)
     select $1, u, case when n = 1 then 'owner' else 'member' end
     from unnest($2::uuid[]) with ordinality as t(u, n)`,
    [id, users.map((u) => u.id)],
  );
  await analyze(target);
  return id;
}

/**
 * Planner statistics for the rows just made, as autovacuum would gather them on a live database
 * (it may be off on a test machine): without them PostgreSQL plans for empty tables.
 */
async function analyze(target: FixtureTarget): Promise<void> {
  await target.db.query('analyze users, conversations, members, devices');
}

/** How a client reaches instance i: its URL, and the local address to connect from. */
export type Route = (instance: number) => { url: string; localAddress?: string };

/**
 * Both ends of every pair, pair i in load process i mod P (the two ends of a pair in the same
 * process, which times the message from send to the other end's receipt). With several
 * instances, end a of pair i connects to instance i mod N and end b to instance (i + 1) mod N:
 * every message crosses from one instance to another.
 */
export function pairEndpoints(target: Target, pairs: Pair[], processes: number, route?: Route): Endpoint[][] {
  const out: Endpoint[][] = Array.from({ length: processes }, () => []);
  const n = target.instances.length;
  const reach: Route = route ?? ((i) => ({ url: target.instances[i]!.url }));
  pairs.forEach((pair, i) => {
    out[i % processes]!.push(
      { ...reach(i % n), token: pair.a.token, sendTo: pair.conversationId },
      { ...reach((i + 1) % n), token: pair.b.token, sendTo: pair.conversationId },
    );
  });
  return out;
}
