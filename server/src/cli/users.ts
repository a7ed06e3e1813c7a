import type { PlatformRole } from '@abrik/protocol';
import type { Config } from '../platform/config.js';
import { write } from './config.js';
import { withCore } from './open.js';

/** `abrik user create`: creates a user, or changes the role and name of the one with this phone. */
export async function createUser(
  config: Config,
  options: { phone: string; role: PlatformRole; name?: string },
): Promise<void> {
  await withCore(config, async (core) => {
    const user = await core.identity.users.createWithRole(options.phone, options.role, options.name);
    write(JSON.stringify({ id: user.id, role: user.role, name: user.name }));
  });
}
