import type { Message } from '@abrik/protocol';
import { Store } from '../lib/store.js';

/** An own message not yet acknowledged by the server. */
export interface OutboxItem {
  clientMsgId: string;
  conversationId: string;
  body: string;
  /** A private note beside a support conversation (staff only; stored in its notes conversation). */
  internal?: boolean;
  /** The seq of the message this one answers. */
  replyToSeq?: number;
  /** A copy of another conversation's message (its `body` is empty then). */
  forward?: { conversationId: string; messageId: string };
  /** A file already stored by the server (uploaded before the message was queued); `body` is its caption. */
  attachmentId?: string;
  createdAt: string;
  /** `queued`: waits for (or is in) its turn; `failed`: refused, until the person retries. */
  status: 'queued' | 'failed';
  /** The server's reason for a refusal, in the UI language. */
  error?: string;
}

export type SendResult =
  | { ok: true; message: Message }
  /** `retryable`: the server was not reached or asked to try later; the item waits its turn again. */
  | { ok: false; retryable: boolean; error?: string };

export type Transport = (item: OutboxItem) => Promise<SendResult>;

/** A clientMsgId: random, URL-safe; `crypto.randomUUID` is missing outside secure contexts. */
export function newClientMsgId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `w-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * Own messages waiting to be stored, kept in localStorage so a reload or a crash loses none. They
 * go out one at a time in the order written; a message is retried with the same clientMsgId until
 * the server acknowledges it (the server stores a clientMsgId once, so a retry never duplicates).
 */
export class Outbox {
  readonly store: Store<OutboxItem[]>;
  private online = false;
  private running: Promise<void> | null = null;
  /** Something changed while a run was going (online again, a retry): go round once more. */
  private rerun = false;
  private backoffMs = 0;

  constructor(
    private readonly transport: Transport,
    private readonly onStored: (item: OutboxItem, message: Message) => void,
    private readonly storage: Storage,
    private readonly storageKey: string,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    this.store = new Store(this.read());
  }

  get items(): OutboxItem[] {
    return this.store.get();
  }

  /** Queues a message and sends it when its turn comes. */
  enqueue(
    conversationId: string,
    body: string,
    options: Pick<OutboxItem, 'replyToSeq' | 'forward' | 'attachmentId'> & {
      clientMsgId?: string;
      internal?: boolean;
    } = {},
  ): OutboxItem {
    const item: OutboxItem = {
      clientMsgId: options.clientMsgId ?? newClientMsgId(),
      conversationId,
      body,
      ...(options.internal ? { internal: true } : {}),
      ...(options.replyToSeq ? { replyToSeq: options.replyToSeq } : {}),
      ...(options.forward ? { forward: options.forward } : {}),
      ...(options.attachmentId ? { attachmentId: options.attachmentId } : {}),
      createdAt: new Date().toISOString(),
      status: 'queued',
    };
    this.write([...this.items, item]);
    void this.pump();
    return item;
  }

  /** Sends a refused message again, with the same clientMsgId. */
  retry(clientMsgId: string): void {
    this.write(
      this.items.map((i) =>
        i.clientMsgId === clientMsgId ? { ...i, status: 'queued' as const, error: undefined } : i,
      ),
    );
    this.backoffMs = 0;
    void this.pump();
  }

  discard(clientMsgId: string): void {
    this.write(this.items.filter((i) => i.clientMsgId !== clientMsgId));
  }

  /** The server holds a message with this clientMsgId (seen in `sync` or `message:new`): it is done. */
  settle(clientMsgIds: Iterable<string>): void {
    const done = new Set(clientMsgIds);
    if (this.items.some((i) => done.has(i.clientMsgId))) {
      this.write(this.items.filter((i) => !done.has(i.clientMsgId)));
    }
  }

  /** Forget messages of conversations that are no longer mine. */
  dropConversation(conversationId: string): void {
    this.write(this.items.filter((i) => i.conversationId !== conversationId));
  }

  setOnline(online: boolean): void {
    this.online = online;
    if (online) {
      this.backoffMs = 0;
      void this.pump();
    }
  }

  /** Another tab changed the stored outbox. */
  reload(): void {
    this.store.set(this.read());
  }

  /**
   * Sends queued messages in order while online. Resolves when the queue is empty or sending must
   * wait; a call while sending returns the same run (which also picks up what was queued meanwhile).
   */
  pump(): Promise<void> {
    if (this.running) {
      this.rerun = true;
      return this.running;
    }
    const run = async () => {
      do {
        this.rerun = false;
        await this.drain();
      } while (this.rerun && this.online);
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async drain(): Promise<void> {
    while (this.online) {
      const item = this.items.find((i) => i.status === 'queued');
      if (!item) return;
      let result: SendResult;
      try {
        result = await this.transport(item);
      } catch {
        result = { ok: false, retryable: true };
      }
      if (result.ok) {
        this.backoffMs = 0;
        this.write(this.items.filter((i) => i.clientMsgId !== item.clientMsgId));
        this.onStored(item, result.message);
      } else if (result.retryable) {
        // Not reached, or asked to wait: keep it first in line and try again after a pause.
        if (!this.online) return;
        this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs ? this.backoffMs * 2 : 1_000);
        await this.sleep(this.backoffMs);
      } else {
        const error = result.error;
        this.write(
          this.items.map((i) =>
            i.clientMsgId === item.clientMsgId
              ? { ...i, status: 'failed' as const, ...(error ? { error } : {}) }
              : i,
          ),
        );
      }
    }
  }

  private write(items: OutboxItem[]): void {
    this.store.set(items);
    try {
      this.storage.setItem(this.storageKey, JSON.stringify(items));
    } catch {
      // Storage full or unavailable: the queue still lives in memory.
    }
  }

  private read(): OutboxItem[] {
    try {
      const parsed: unknown = JSON.parse(this.storage.getItem(this.storageKey) ?? '[]');
      return Array.isArray(parsed)
        ? parsed.filter(
            (i): i is OutboxItem =>
              typeof i?.clientMsgId === 'string' &&
              typeof i.conversationId === 'string' &&
              typeof i.body === 'string' &&
              (i.status === 'queued' || i.status === 'failed'),
          )
        : [];
    } catch {
      return [];
    }
  }
}
