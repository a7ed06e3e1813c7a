/**
 * `load` run once, its promise shared by every caller — unless it fails: a failed load (a chunk
 * fetched on a line that dropped) is forgotten, so the next call tries again instead of failing
 * for the rest of the page's life.
 */
export function onceUntilFailed<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
