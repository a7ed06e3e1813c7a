import pg from 'pg';
import { expect } from 'vitest';
import type { ChatClient, SendOutcome } from './cluster.js';

/**
 * The books of a conversation under traffic and faults: what was sent, acked, stored and
 * delivered, counted from the clients' own records and the database — nothing sampled.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Sent extends SendOutcome {
  sender: string;
}

export interface StoredMessage {
  id: string;
  seq: number;
  clientMsgId: string | null;
  senderId: string | null;
}

/** The stored messages of a conversation, by seq, read straight from PostgreSQL. */
export async function storedMessages(databaseUrl: string, conversationId: string): Promise<StoredMessage[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  client.on('error', () => {});
  await client.connect();
  try {
    const { rows } = await client.query<{
      id: string;
      seq: string;
      client_msg_id: string | null;
      sender_id: string | null;
    }>('select id, seq, client_msg_id, sender_id from messages where conversation_id = $1 order by seq', [
      conversationId,
    ]);
    return rows.map((r) => ({
      id: r.id,
      seq: Number(r.seq),
      clientMsgId: r.client_msg_id,
      senderId: r.sender_id,
    }));
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Steady traffic: each sender sends one message, waits for its ack (retrying a refused or
 * unanswered send under the same clientMsgId), pauses `pauseMs`, and goes on while `running()`.
 */
export async function traffic(
  senders: ChatClient[],
  conversationId: string,
  tag: string,
  running: () => boolean,
  options: { pauseMs?: number; body?: (sender: ChatClient, i: number) => string } = {},
): Promise<Sent[]> {
  const pauseMs = options.pauseMs ?? 20;
  const bodyOf = options.body ?? ((sender, i) => `${sender.name} #${i}`);
  const sent: Sent[] = [];
  const idOf = (name: string) => name.replace(/[^\w.:-]/g, '_');
  await Promise.all(
    senders.map(async (sender) => {
      for (let i = 0; running(); i++) {
        const outcome = await sender.send(
          conversationId,
          `${tag}-${idOf(sender.name)}-${i}`,
          bodyOf(sender, i),
          Date.now() + 20_000,
        );
        sent.push({ sender: sender.name, ...outcome });
        await sleep(pauseMs);
      }
    }),
  );
  return sent;
}

export interface Books {
  /** Sends started (distinct clientMsgIds). */
  sent: number;
  /** Acked {ok:true}, after retries under the same clientMsgId. */
  acked: number;
  /** Finally refused (not a transient error), or never answered before the sender gave up. */
  refused: number;
  unanswered: number;
  /** Attempts retried: refused as transient, or unanswered. */
  retries: number;
  /** Rows of the conversation. */
  stored: number;
  /** Stored messages every member holds (live, through sync, or from their own ack). */
  delivered: number;
  /** Stored messages that reached every one of `liveMembers` but their sender as `message:new`. */
  live: number;
  /** Acked, but not stored. */
  lost: number;
  /** A clientMsgId stored more than once, or one held under two ids by a member. */
  duplicated: number;
  /** Finally refused with a permanent error, yet stored. */
  storedThoughRefused: number;
  /** Missing seqs below the highest one stored. */
  gaps: number;
}

/**
 * Counts the books once every member holds every stored message (or `settleMs` passed): the
 * members keep syncing and hearing while it waits.
 */
export async function settle(
  databaseUrl: string,
  conversationId: string,
  members: ChatClient[],
  sent: Sent[],
  options: { liveMembers?: ChatClient[]; settleMs?: number } = {},
): Promise<Books> {
  const deadline = Date.now() + (options.settleMs ?? 20_000);
  let stored = await storedMessages(databaseUrl, conversationId);
  const holdsAll = () => members.every((m) => stored.every((s) => m.received.has(s.id)));
  while (!holdsAll() && Date.now() < deadline) {
    await sleep(100);
    stored = await storedMessages(databaseUrl, conversationId);
  }
  return count(conversationId, stored, members, sent, options.liveMembers ?? []);
}

export function count(
  conversationId: string,
  stored: StoredMessage[],
  members: ChatClient[],
  sent: Sent[],
  liveMembers: ChatClient[],
): Books {
  const storedIds = new Set(stored.map((m) => m.id));
  const storedClientIds = new Set(stored.map((m) => m.clientMsgId));
  const acked = sent.filter((s) => s.result === 'ok');
  const perClientId = new Map<string, number>();
  for (const m of stored) {
    if (m.clientMsgId) perClientId.set(m.clientMsgId, (perClientId.get(m.clientMsgId) ?? 0) + 1);
  }
  let duplicated = [...perClientId.values()].reduce((n, copies) => n + copies - 1, 0);
  for (const member of members) {
    const ids = new Map<string, Set<string>>();
    for (const m of member.received.values()) {
      if (m.conversationId !== conversationId || !m.clientMsgId) continue;
      const held = ids.get(`${m.senderId}:${m.clientMsgId}`) ?? new Set<string>();
      held.add(m.id);
      ids.set(`${m.senderId}:${m.clientMsgId}`, held);
    }
    for (const held of ids.values()) duplicated += held.size - 1;
  }
  const top = stored.at(-1)?.seq ?? 0;
  const heard = liveMembers.map((m) => ({ userId: m.user.user.id, ids: new Set(m.live.map((l) => l.id)) }));
  const heardByAll = (s: StoredMessage) => heard.every((h) => h.userId === s.senderId || h.ids.has(s.id));
  return {
    sent: sent.length,
    acked: acked.length,
    refused: sent.filter((s) => s.result === 'refused').length,
    unanswered: sent.filter((s) => s.result === 'lost').length,
    retries: sent.reduce((n, s) => n + s.attempts - 1, 0),
    stored: stored.length,
    delivered: stored.filter((s) => members.every((m) => m.received.has(s.id))).length,
    live: liveMembers.length === 0 ? 0 : stored.filter(heardByAll).length,
    lost: acked.filter((s) => !storedIds.has(s.message!.id)).length,
    duplicated,
    storedThoughRefused: sent.filter((s) => s.result === 'refused' && storedClientIds.has(s.clientMsgId))
      .length,
    gaps: top - new Set(stored.map((s) => s.seq)).size,
  };
}

/** One line for the test output and the notes: the case and its books. */
export function report(name: string, books: Books, extra = ''): string {
  const line =
    `faults: ${name}: sent ${books.sent}, acked ${books.acked}, refused ${books.refused}, unanswered ${books.unanswered}, ` +
    `retries ${books.retries}; stored ${books.stored}, delivered to all ${books.delivered}, live to all ${books.live}; ` +
    `lost ${books.lost}, duplicated ${books.duplicated}, gaps ${books.gaps}${extra ? `; ${extra}` : ''}`;
  process.stdout.write(`${line}\n`);
  return line;
}

/**
 * What every fault case must show: no acked message lost, none stored twice or refused yet
 * stored, gap-free seqs, every stored message with every member — and, with `live`, every stored
 * message heard live by the members whose connection the fault left alone.
 */
export function expectSound(books: Books, options: { live?: boolean } = {}): void {
  expect({
    lost: books.lost,
    duplicated: books.duplicated,
    gaps: books.gaps,
    storedThoughRefused: books.storedThoughRefused,
    notDelivered: books.stored - books.delivered,
    ...(options.live ? { notLive: books.stored - books.live } : {}),
  }).toEqual({
    lost: 0,
    duplicated: 0,
    gaps: 0,
    storedThoughRefused: 0,
    notDelivered: 0,
    ...(options.live ? { notLive: 0 } : {}),
  });
  expect(books.acked).toBeGreaterThan(0);
}

export function describeDelivery(members: ChatClient[]): string {
  return members
    .map(
      (m) =>
        `${m.name}: first live ${m.firstVia.live} / sync ${m.firstVia.sync} (${m.missedByHighestSeq} below the highest seq held)` +
        ` / own ack ${m.firstVia.ack}, resync ${m.resyncs.length}, connects ${m.connects}`,
    )
    .join('; ');
}
