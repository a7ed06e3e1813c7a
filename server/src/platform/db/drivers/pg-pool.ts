/**
 * The one place that patches node-postgres' pool; `pg-pool.test.ts` fails when pg, or Drizzle's
 * use of it, changes shape.
 *
 * drizzle-orm's pooled transaction() (0.45) runs BEGIN before the try/finally that releases the
 * client, so a BEGIN that fails (connection lost, query read timeout) leaks the client for good
 * and the pool shrinks until it hangs (drizzle-orm#6241, #6114). It also releases without the
 * error, so a client whose query timed out is handed out again. Here a failed BEGIN releases the
 * client, and a client that saw a connection-level error is destroyed instead of reused.
 */
import pg from 'pg';
import { isDatabaseUnavailable } from '../../errors.js';

/** Guards the clients `pool.connect()` hands out without a callback (Drizzle's transactions). */
export function guardPoolTransactions(pool: pg.Pool): pg.Pool {
  const connect = pool.connect.bind(pool);
  pool.connect = ((callback?: Parameters<typeof connect>[0]) =>
    callback ? connect(callback) : connect().then(guardTransactionClient)) as typeof pool.connect;
  return pool;
}

function guardTransactionClient(client: pg.PoolClient): pg.PoolClient {
  const release = client.release;
  let released = false;
  let broken: Error | undefined;
  const releaseOnce = (error?: Error | boolean) => {
    if (released) return;
    released = true;
    delete (client as { query?: unknown }).query;
    release(error || broken);
  };
  client.query = ((...args: unknown[]) => {
    const result = (pg.Client.prototype.query as (...a: unknown[]) => unknown).apply(client, args);
    if (!result || typeof (result as Promise<unknown>).then !== 'function') return result;
    return (result as Promise<unknown>).then(undefined, (error: unknown) => {
      if (isDatabaseUnavailable(error)) broken ??= error as Error;
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: unknown } | undefined)?.text;
      if (typeof text === 'string' && /^\s*begin\b/i.test(text)) releaseOnce(error as Error);
      throw error;
    });
  }) as typeof client.query;
  client.release = releaseOnce;
  return client;
}
