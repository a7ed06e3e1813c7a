/**
 * At most `limit` tasks of one key (a user) run at once; the others wait their turn, in order.
 * One person's heavy reads then hold at most `limit` of the pool's connections, whatever they send.
 */
export class KeyedGate {
  private readonly keys = new Map<string, { running: number; waiting: (() => void)[] }>();

  constructor(private readonly limit: number) {}

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    let entry = this.keys.get(key);
    if (!entry) {
      entry = { running: 0, waiting: [] };
      this.keys.set(key, entry);
    }
    const mine = entry;
    if (mine.running < this.limit) mine.running++;
    else await new Promise<void>((resolve) => mine.waiting.push(resolve)); // a finishing task hands over its slot
    try {
      return await task();
    } finally {
      const next = mine.waiting.shift();
      if (next) next();
      else if (--mine.running === 0) this.keys.delete(key);
    }
  }

  /** Tasks of this key running now (for tests and metrics). */
  running(key: string): number {
    return this.keys.get(key)?.running ?? 0;
  }
}
