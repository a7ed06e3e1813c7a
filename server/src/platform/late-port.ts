/**
 * A dependency on a module built later (two modules that ask each other something): the
 * composition root sets it once both exist. `get` is undefined until then.
 */
export class LatePort<T> {
  private value: T | undefined;

  constructor(private readonly what: string) {}

  set(value: T): void {
    this.value = value;
  }

  get(): T | undefined {
    return this.value;
  }

  require(): T {
    if (!this.value) throw new Error(`${this.what} is not wired yet`);
    return this.value;
  }
}
