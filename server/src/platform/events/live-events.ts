import { EventEmitter } from 'node:events';

/**
 * What services announce for realtime delivery, by name. Each module adds its own events
 * (declaration merging); the realtime layer decides who hears them. Not durable: for what must
 * survive a crash, see DomainEvents.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the modules.
export interface LiveEventMap {}
export type LiveEventName = keyof LiveEventMap & string;

/**
 * A typed in-process event bus for realtime fan-out. Delivery is deferred with setImmediate, so
 * the caller's reply (a socket ack, an HTTP response) always goes out before the broadcast the
 * event causes — the order the architecture promises: ack first, then fan-out.
 */
export class LiveEvents<M extends object = LiveEventMap> {
  private readonly emitter = new EventEmitter();

  constructor(private readonly onListenerError: (error: unknown, event: string) => void = () => {}) {
    this.emitter.setMaxListeners(50);
  }

  on<K extends keyof M & string>(event: K, listener: (event: M[K]) => void): () => void {
    const safe = (payload: M[K]) => {
      try {
        listener(payload);
      } catch (error) {
        this.onListenerError(error, event);
      }
    };
    this.emitter.on(event, safe);
    return () => this.emitter.off(event, safe);
  }

  publish<K extends keyof M & string>(event: K, payload: M[K]): void {
    setImmediate(() => this.emitter.emit(event, payload));
  }
}
