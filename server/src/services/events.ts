import { EventEmitter } from 'node:events';
import type { MessageRow } from '../db/schema.js';

/** What services announce; the realtime gateway (and later the job queue) decides who hears it. */
export interface DomainEventMap {
  /** `origin`: the socket that sent it, which has the message in its ack and is not sent it again. */
  'message.created': { message: MessageRow; origin?: string | undefined };
  'message.updated': { message: MessageRow };
  'message.deleted': { message: MessageRow };
  'members.added': { conversationId: string; userIds: string[] };
  'members.removed': { conversationId: string; userIds: string[] };
  'read.advanced': { conversationId: string; userId: string; seq: number };
  'presence.changed': {
    userId: string;
    status: 'online' | 'offline';
    lastSeenAt: Date | null;
    availability?: 'available' | 'away';
  };
}

type Listener<K extends keyof DomainEventMap> = (event: DomainEventMap[K]) => void;

/**
 * A typed in-process event bus. Delivery is deferred with setImmediate, so the caller's reply (a
 * socket ack, an HTTP response) always goes out before the broadcast the event causes — the
 * order the architecture promises: ack first, then fan-out.
 */
export class DomainEvents {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onListenerError: (error: unknown, event: string) => void = () => {}) {
    this.emitter.setMaxListeners(50);
  }

  on<K extends keyof DomainEventMap>(event: K, listener: Listener<K>): () => void {
    const safe = (payload: DomainEventMap[K]) => {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  publish<K extends keyof DomainEventMap>(event: K, payload: DomainEventMap[K]): void {
    setImmediate(() => this.emitter.emit(event, payload));
  }
}
