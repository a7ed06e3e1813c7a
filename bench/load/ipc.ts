// What the harness (bench/harness/) and a load process (bench/load/client.ts) say to each other
// over the Node IPC channel. Type declarations only: the load process runs under Node's type
// stripping, which erases this import.

/** One connection a load process opens. */
export interface Endpoint {
  /** Server (or instance) URL, http://127.0.0.1:PORT. */
  url: string;
  /** Access token signed with the JWT secret the harness gave the server. */
  token: string;
  /** Conversation this socket sends to in `run`; unset: it only receives. */
  sendTo?: string;
  /** Local address to connect from (127.0.0.x), so a proxy hashing the client address places it. */
  localAddress?: string;
}

export interface RunParams {
  /** Messages per second this process sends (round robin over its senders). */
  rate: number;
  /** When to start, on the shared monotonic clock (ms, see `now()` in client.ts). */
  startAt: number;
  warmupSeconds: number;
  steadySeconds: number;
  /** How long to wait after the last send for outstanding acks and deliveries. */
  drainSeconds: number;
  /** Body length in characters. */
  bodyLength: number;
}

export type Command =
  | { type: 'connect'; endpoints: Endpoint[]; concurrency: number }
  | { type: 'disconnect' }
  | ({ type: 'run' } & RunParams)
  | { type: 'fanout-send'; socket: number; conversationId: string; tag: number; bodyLength: number }
  | { type: 'fanout-report' }
  | { type: 'stats' };

/** Counts of one `run`; `steady*` only for messages sent in the steady window. */
export interface RunCounts {
  sent: number;
  acked: number;
  failed: number;
  delivered: number;
  steadySent: number;
  steadyAcked: number;
  steadyDelivered: number;
  /** Refused by the server ({ok: false}), by error code. */
  steadyFailed: number;
  /** No ack at all by the end of the drain. */
  steadyUnacked: number;
  /** Acked but not delivered to the other member by the end of the drain. */
  steadyLost: number;
  /** Delivered more than once to the other member. */
  duplicates: number;
  errors: Record<string, number>;
}

/** Counts before anything was sent. */
export function noCounts(): RunCounts {
  return {
    sent: 0,
    acked: 0,
    failed: 0,
    delivered: 0,
    steadySent: 0,
    steadyAcked: 0,
    steadyDelivered: 0,
    steadyFailed: 0,
    steadyUnacked: 0,
    steadyLost: 0,
    duplicates: 0,
    errors: {},
  };
}

export interface LoadStats {
  sockets: number;
  connected: number;
  /** Disconnects of sockets that had connected, by reason, since the process started. */
  disconnects: Record<string, number>;
  presenceEvents: number;
  rssBytes: number;
}

export type Reply =
  | { type: 'ready' }
  | {
      type: 'connected';
      opened: number;
      failed: number;
      /** Connection attempts refused and tried again (each connection gets 4 attempts). */
      retries: number;
      errors: string[];
      seconds: number;
      stats: LoadStats;
    }
  | { type: 'disconnected'; stats: LoadStats }
  | {
      type: 'ran';
      counts: RunCounts;
      /** HDR histograms (µs), compressed base64, of the steady window: send → other member, send → ack. */
      latency: string;
      ack: string;
      stats: LoadStats;
    }
  | { type: 'fanout-sent'; tag: number; ok: boolean; error?: string; ackMs: number }
  | {
      type: 'fanout-report';
      /** tag → latency (ms, send → receive) at each receiving socket of this process. */
      received: Record<string, number[]>;
      stats: LoadStats;
    }
  | { type: 'stats'; stats: LoadStats }
  | { type: 'error'; message: string };
