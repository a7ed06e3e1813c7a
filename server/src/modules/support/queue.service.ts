import type { LiveEvents } from '../../platform/events/live-events.js';
import type { DirectoryRepository, InboxWithTeams } from './directory.repository.js';
import type { TicketRepository } from './ticket.repository.js';

/** Waits of this many recent assignments, over at most this time, make the estimate. */
const RECENT_ASSIGNMENTS = 50;
const RECENT_WINDOW_MS = 24 * 3600_000;
/** An estimate longer than this is no estimate. */
const MAX_ETA_SECONDS = 24 * 3600;
/** The queue's places are told at most this often per inbox. */
const THROTTLE_MS = 1000;

export interface QueuePlace {
  conversationId: string;
  customerId: string;
  position: number;
  etaSeconds: number | null;
}

/** The median of the numbers (the mean of the middle two for an even count); undefined for none. */
export function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * The estimated wait at a place in the queue: the place times the median wait of the inbox's
 * recent conversations (entering its queue → assigned), rounded up. Null — never a made-up
 * number — when no agent serving the inbox is online, or nothing was assigned from it lately.
 */
export function estimateWait(position: number, recentWaits: number[], agentsOnline: number): number | null {
  const typical = median(recentWaits);
  if (agentsOnline === 0 || typical === undefined) return null;
  return Math.min(MAX_ETA_SECONDS, Math.ceil(typical * position));
}

/** Customers' places in the queues and their estimated waits, told when they change. */
export class QueueService {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly deps: {
      tickets: TicketRepository;
      directory: Pick<DirectoryRepository, 'getInbox'>;
      live: Pick<LiveEvents, 'publish'>;
      now: () => number;
    },
  ) {}

  /** Every waiting conversation of the inbox with its place and estimate, in serving order. */
  async places(inbox: InboxWithTeams): Promise<QueuePlace[]> {
    const { tickets } = this.deps;
    const queued = await tickets.queue(inbox.id, inbox.queueOrder);
    if (queued.length === 0) return [];
    const [waits, online] = await Promise.all([
      tickets.recentWaits(inbox.id, new Date(this.deps.now() - RECENT_WINDOW_MS), RECENT_ASSIGNMENTS),
      tickets.agentsOnline(inbox.id),
    ]);
    return queued.map((q, i) => ({
      conversationId: q.conversationId,
      customerId: q.customerId,
      position: i + 1,
      etaSeconds: estimateWait(i + 1, waits, online),
    }));
  }

  /** The inbox's queue changed: its customers (and staff) hear of it, at most once a second. */
  changed(inboxId: string): void {
    if (this.timers.has(inboxId)) return;
    const timer = setTimeout(() => {
      this.timers.delete(inboxId);
      this.deps.live.publish('support.queue.changed', { inboxId });
    }, THROTTLE_MS);
    timer.unref();
    this.timers.set(inboxId, timer);
  }

  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
