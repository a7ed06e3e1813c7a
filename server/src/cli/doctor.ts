import {
  CHECKS,
  type DoctorContext,
  LIMITS,
  stopBackend,
  tehranOffset,
} from '../modules/ops/doctor/checks.js';
import {
  exitCode,
  renderJson,
  renderText,
  runChecks,
  scrubber,
  select,
} from '../modules/ops/doctor/doctor.js';
import { type Config, ConfigError, loadConfig } from '../platform/config.js';
import { createDatabase, type Database } from '../platform/db/client.js';
import { createLogger } from '../platform/logger.js';
import { connectRedis, type Redis } from '../platform/redis/client.js';
import { createPushProviders, createSmsProvider } from '../providers/index.js';
import type { PushProvider } from '../providers/push/push.provider.js';
import { KavenegarSmsProvider } from '../providers/sms/kavenegar.provider.js';
import { write } from './config.js';

export interface DoctorOptions {
  json?: boolean;
  cancel?: number;
  terminate?: number;
}

/** Values that must never be printed: every secret of the environment, and URL passwords. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  const secrets: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (/SECRET|TOKEN|PASSWORD|API_KEY|PRIVATE_KEY/.test(name)) secrets.push(value);
    if (/_URL$/.test(name)) {
      try {
        const url = new URL(value);
        if (url.password) secrets.push(url.password, decodeURIComponent(url.password));
      } catch {
        // not a URL
      }
    }
  }
  return secrets;
}

/**
 * `abrik doctor [--json] [check…]`: runs the checks (all, or the groups and ids named) and
 * answers 0 all ok, 1 any failed, 2 warnings only. `abrik doctor db --cancel PID` /
 * `--terminate PID` stops a long-running statement or its connection first.
 */
export async function doctor(
  selected: string[],
  options: DoctorOptions,
  env: NodeJS.ProcessEnv = process.env,
  out: (text: string) => void = write,
  /** Tests move the clock, the Node version or the thresholds. */
  overrides: Partial<Pick<DoctorContext, 'limits' | 'now' | 'nodeVersion' | 'tehranOffset'>> = {},
): Promise<number> {
  let config: Config | { problems: string[] };
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    config = { problems: error.problems };
  }
  const scrub = scrubber([...secretsOf(env), ...('problems' in config ? [] : [config.JWT_SECRET])]);
  const logger = createLogger({ level: 'silent' });
  const loaded = 'problems' in config ? undefined : config;

  let database: Promise<Database> | undefined;
  let redis: Promise<Redis | undefined> | undefined;
  let push: Promise<PushProvider[]> | undefined;
  const context: DoctorContext = {
    config,
    nodeVersion: process.versions.node,
    now: Date.now,
    limits: LIMITS,
    tehranOffset,
    ...overrides,
    database() {
      database ??= (async () => {
        if (!loaded) throw new Error('the configuration is invalid');
        if (!loaded.DATABASE_URL) {
          // A running server holds the embedded database: opening it here too would not be safe.
          throw new Error(
            'no DATABASE_URL: the embedded PGlite database is checked by the server itself (/health/ready)',
          );
        }
        return createDatabase({
          url: loaded.DATABASE_URL,
          dataDir: loaded.dataDir,
          poolSize: 2,
          statementTimeoutMs: 10_000,
          connectTimeoutMs: 5000,
          logger,
        });
      })();
      return database;
    },
    redis() {
      redis ??= loaded?.REDIS_URL
        ? connectRedis(loaded.REDIS_URL, loaded.REDIS_KEY_PREFIX, logger)
        : Promise.resolve(undefined);
      return redis;
    },
    async pushProviders() {
      if (!loaded) return [];
      push ??= createPushProviders(loaded, logger).then(({ phone, web }) =>
        [phone, web].filter((p, i, all): p is PushProvider => p !== undefined && all.indexOf(p) === i),
      );
      return (await push).map((p) => ({ name: p.name, check: () => p.checkCredentials() }));
    },
    smsAccount() {
      if (!loaded) return { name: 'none' };
      const provider = createSmsProvider(loaded, logger);
      return provider instanceof KavenegarSmsProvider
        ? { name: provider.name, info: () => provider.accountInfo() }
        : { name: provider.name };
    },
  };

  try {
    const stop =
      options.cancel !== undefined ? 'cancel' : options.terminate !== undefined ? 'terminate' : undefined;
    if (stop) {
      const pid = (options.cancel ?? options.terminate)!;
      const done = await stopBackend(await context.database(), pid, stop);
      out(
        done
          ? `${stop === 'cancel' ? 'cancelled the statement of' : 'terminated'} pid ${pid}`
          : `no backend with pid ${pid}`,
      );
      if (!done) return 1;
    }
    const results = await runChecks(select(CHECKS, selected), context, scrub);
    out(options.json ? renderJson(results) : renderText(results));
    return exitCode(results);
  } finally {
    await Promise.allSettled([
      database?.then((d) => d.close()),
      redis?.then((r) => r?.close()),
      push?.then((providers) => Promise.all(providers.map((p) => p.close()))),
    ]);
  }
}
