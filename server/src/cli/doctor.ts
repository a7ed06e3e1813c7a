import { doctorPush } from '../modules/ops/push-doctor.js';
import type { Config } from '../platform/config.js';
import { createLogger } from '../platform/logger.js';
import { createPushProviders } from '../providers/index.js';
import { write } from './config.js';
import { withCore } from './open.js';

/** `abrik doctor push`: exit code 1 when a provider's credentials fail. */
export async function doctorPushCommand(config: Config): Promise<number> {
  const providers = await createPushProviders(config, createLogger({ level: 'silent' }));
  try {
    const checks = [providers.phone, providers.web]
      .filter((p, i, all): p is NonNullable<typeof p> => p !== undefined && all.indexOf(p) === i)
      .map((p) => ({ name: p.name, check: () => p.checkCredentials() }));
    return await withCore(config, (core) =>
      doctorPush({
        providers: checks,
        report: core.notifications.report,
        jobs: core.jobs,
        dailyLimit: config.PUSH_DAILY_LIMIT,
        staleDays: config.PUSH_TOKEN_STALE_DAYS,
        write,
      }),
    );
  } finally {
    await Promise.allSettled([providers.phone?.close(), providers.web?.close()]);
  }
}
