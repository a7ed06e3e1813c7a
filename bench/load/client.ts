// A load process: holds real socket.io-client WebSocket connections and does what the harness
// (bench/harness/) tells it over the IPC channel. It runs as its own process so its CPU is
// counted apart from the server's; several can run side by side. Run by Node directly (type
// stripping), so only erasable TypeScript here.
//
// Open model: in `run`, messages leave at a fixed rate whatever the server answers; each carries
// its send time, and latency is measured where it is received. Times come from the monotonic
// clock (CLOCK_MONOTONIC, the same for every process on the machine), so a message sent by one
// process and received by another is timed correctly too.
import type { ClientToServerEvents, ServerToClientEvents } from '@abrik/protocol';
import hdr, { type Histogram } from 'hdr-histogram-js';
import { io, type Socket } from 'socket.io-client';
import {
  type Command,
  type Endpoint,
  type LoadStats,
  noCounts,
  type Reply,
  type RunCounts,
  type RunParams,
} from './ipc.ts';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const reply = (message: Reply) => process.send!(message);
const newHistogram = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });

/** Dies with the harness: a closed IPC channel means it is gone. */
process.on('disconnect', () => process.exit(0));

const sockets: ClientSocket[] = [];
const endpoints: Endpoint[] = [];
const disconnects: Record<string, number> = {};
let presenceEvents = 0;

function stats(): LoadStats {
  return {
    sockets: sockets.length,
    connected: sockets.filter((s) => s.connected).length,
    disconnects: { ...disconnects },
    presenceEvents,
    rssBytes: process.memoryUsage().rss,
  };
}

function body(tag: string, sentAt: number, length: number, suffix = ''): string {
  return `${tag}|${sentAt.toFixed(3)}|${suffix}`.padEnd(length, 'x');
}

// ---- messages of a run ------------------------------------------------------------------------

interface InFlight {
  sender: number;
  sentAt: number;
  steady: boolean;
  acked: boolean;
  answered: boolean;
  delivered: boolean;
}
let run: { states: Map<string, InFlight>; counts: RunCounts; latency: Histogram } | undefined;

function onBenchMessage(index: number, clientMsgId: string | null): void {
  const state = clientMsgId ? run?.states.get(clientMsgId) : undefined;
  if (!run || !state || state.sender === index) return; // a stray (earlier run) or the sender's own echo
  if (state.delivered) {
    run.counts.duplicates++;
    return;
  }
  state.delivered = true;
  run.counts.delivered++;
  if (state.steady) {
    run.counts.steadyDelivered++;
    run.latency.recordValue(Math.max(1, Math.round((now() - state.sentAt) * 1000)));
  }
}

// ---- fan-out ----------------------------------------------------------------------------------

const fanoutReceived = new Map<number, number[]>();
const fanoutSenders = new Map<number, number>();

function onFanoutMessage(index: number, text: string): void {
  const at = now();
  const [, sentAt, tag] = text.split('|');
  const key = Number.parseInt(tag ?? '', 10);
  if (fanoutSenders.get(key) === index) return; // the sender's own echo
  let list = fanoutReceived.get(key);
  if (!list) {
    list = [];
    fanoutReceived.set(key, list);
  }
  list.push(at - Number(sentAt));
}

// ---- commands ---------------------------------------------------------------------------------

function open(endpoint: Endpoint): Promise<ClientSocket> {
  return new Promise((resolve, reject) => {
    const socket: ClientSocket = io(endpoint.url, {
      transports: ['websocket'],
      auth: { token: endpoint.token },
      reconnection: false,
      forceNew: true,
      timeout: 30_000,
      ...(endpoint.localAddress ? { localAddress: endpoint.localAddress } : {}),
    });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/** Opens one connection, retrying a refused one (e.g. db/unavailable under load) as an app would. */
async function openWithRetries(endpoint: Endpoint, attempts: number, onRetry: () => void) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await open(endpoint);
    } catch (error) {
      if (attempt >= attempts) throw error;
      onRetry();
      await sleep(250 * attempt);
    }
  }
}

async function connect(list: Endpoint[], concurrency: number): Promise<void> {
  const started = now();
  const opened: (ClientSocket | undefined)[] = new Array(list.length);
  let next = 0;
  let retries = 0;
  const errors = new Set<string>();
  const worker = async () => {
    while (next < list.length) {
      const position = next++;
      try {
        opened[position] = await openWithRetries(list[position]!, 4, () => {
          retries++;
        });
      } catch (error) {
        errors.add(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  // Sockets are numbered in the order of the list, whatever order they connected in.
  let failed = 0;
  opened.forEach((socket, position) => {
    if (!socket) {
      failed++;
      return;
    }
    const index = sockets.length;
    sockets.push(socket);
    endpoints.push(list[position]!);
    socket.on('message:new', (m) => {
      const text = m.body ?? '';
      if (text.startsWith('bench|')) onBenchMessage(index, m.clientMsgId);
      else if (text.startsWith('fanout|')) onFanoutMessage(index, text);
    });
    socket.on('presence', () => {
      presenceEvents++;
    });
    socket.on('disconnect', (reason) => {
      if (reason === 'io client disconnect') return; // closed by us
      disconnects[reason] = (disconnects[reason] ?? 0) + 1;
    });
  });
  reply({
    type: 'connected',
    opened: list.length - failed,
    failed,
    retries,
    errors: [...errors].slice(0, 5),
    seconds: (now() - started) / 1000,
    stats: stats(),
  });
}

async function runLoad(params: RunParams): Promise<void> {
  const senders = sockets.map((_, i) => i).filter((i) => endpoints[i]!.sendTo);
  const counts: RunCounts = noCounts();
  const states = new Map<string, InFlight>();
  const latency = newHistogram();
  const ackLatency = newHistogram();
  run = { states, counts, latency };
  const steadyFrom = params.startAt + params.warmupSeconds * 1000;
  const endAt = steadyFrom + params.steadySeconds * 1000;
  let seq = 0;
  let pending = 0;

  const send = () => {
    const index = senders[seq % senders.length]!;
    seq++;
    const sentAt = now();
    const clientMsgId = `b${process.pid}-${params.startAt.toFixed(0)}-${seq}`;
    const state: InFlight = {
      sender: index,
      sentAt,
      steady: sentAt >= steadyFrom && sentAt < endAt,
      acked: false,
      answered: false,
      delivered: false,
    };
    states.set(clientMsgId, state);
    counts.sent++;
    if (state.steady) counts.steadySent++;
    pending++;
    sockets[index]!.timeout(60_000).emit(
      'message:send',
      {
        conversationId: endpoints[index]!.sendTo!,
        clientMsgId,
        body: body('bench', sentAt, params.bodyLength),
      },
      (err, ack) => {
        if (run?.states !== states) return; // answered after its run was reported
        pending--;
        state.answered = true;
        if (!err && ack.ok) {
          state.acked = true;
          counts.acked++;
          if (state.steady) {
            counts.steadyAcked++;
            ackLatency.recordValue(Math.max(1, Math.round((now() - sentAt) * 1000)));
          }
        } else {
          counts.failed++;
          const code = err ? 'no_ack' : ack.ok ? 'unknown' : ack.error.code;
          if (state.steady) counts.errors[code] = (counts.errors[code] ?? 0) + 1;
        }
      },
    );
  };

  if (senders.length > 0 && params.rate > 0) {
    await sleep(Math.max(0, params.startAt - now()));
    const start = params.startAt;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        const t = now();
        const due = Math.floor(((Math.min(t, endAt) - start) / 1000) * params.rate);
        while (counts.sent < due) send();
        if (t >= endAt) {
          clearInterval(timer);
          resolve();
        }
      }, 2);
    });
  } else {
    await sleep(Math.max(0, endAt - now()));
  }
  const undelivered = () => {
    let n = 0;
    for (const s of states.values()) if (s.acked && !s.delivered) n++;
    return n;
  };
  const drainUntil = now() + params.drainSeconds * 1000;
  while ((pending > 0 || undelivered() > 0) && now() < drainUntil) await sleep(50);
  for (const s of states.values()) {
    if (!s.steady) continue;
    if (!s.answered) counts.steadyUnacked++;
    else if (!s.acked) counts.steadyFailed++;
    else if (!s.delivered) counts.steadyLost++;
  }
  run = undefined;
  reply({
    type: 'ran',
    counts,
    latency: hdr.encodeIntoCompressedBase64(latency),
    ack: hdr.encodeIntoCompressedBase64(ackLatency),
    stats: stats(),
  });
}

async function fanoutSend(command: Extract<Command, { type: 'fanout-send' }>): Promise<void> {
  const socket = sockets[command.socket]!;
  fanoutSenders.set(command.tag, command.socket);
  const sentAt = now();
  try {
    const ack = await socket.timeout(30_000).emitWithAck('message:send', {
      conversationId: command.conversationId,
      clientMsgId: `f${process.pid}-${command.tag}-${Math.round(sentAt)}`,
      body: body('fanout', sentAt, command.bodyLength, String(command.tag)),
    });
    reply({
      type: 'fanout-sent',
      tag: command.tag,
      ok: ack.ok,
      ...(ack.ok ? {} : { error: ack.error.code }),
      ackMs: now() - sentAt,
    });
  } catch {
    reply({ type: 'fanout-sent', tag: command.tag, ok: false, error: 'no_ack', ackMs: now() - sentAt });
  }
}

process.on('message', (command: Command) => {
  const done = (error: unknown) =>
    reply({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  switch (command.type) {
    case 'connect':
      connect(command.endpoints, command.concurrency).catch(done);
      break;
    case 'disconnect':
      for (const socket of sockets.splice(0)) socket.close();
      endpoints.splice(0);
      reply({ type: 'disconnected', stats: stats() });
      break;
    case 'run':
      runLoad(command).catch(done);
      break;
    case 'fanout-send':
      fanoutSend(command).catch(done);
      break;
    case 'fanout-report':
      reply({ type: 'fanout-report', received: Object.fromEntries(fanoutReceived), stats: stats() });
      break;
    case 'stats':
      reply({ type: 'stats', stats: stats() });
      break;
  }
});
reply({ type: 'ready' });
