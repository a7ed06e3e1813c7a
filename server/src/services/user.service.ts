import type { Me, User } from '@abrik/protocol';
import { NotFoundError } from '../errors.js';
import type { Role, UserRepository } from '../repositories/user.repository.js';
import { requirePhone } from './auth.service.js';
import { toMe, toUser } from './dto.js';
import type { RateLimit, RateLimitFactory } from './rate-limit.js';

export class UserService {
  private readonly lookupLimit: RateLimit;

  constructor(
    private readonly users: UserRepository,
    lookupsPerHour: number,
    limits: RateLimitFactory,
  ) {
    this.lookupLimit = limits({
      name: 'lookup:user:1h',
      points: lookupsPerHour,
      durationSeconds: 3600,
    });
  }

  async me(userId: string): Promise<Me> {
    const user = await this.users.getById(userId);
    if (!user) throw new NotFoundError('user/not_found');
    return toMe(user);
  }

  async rename(userId: string, name: string): Promise<Me> {
    const user = await this.users.updateName(userId, name);
    if (!user) throw new NotFoundError('user/not_found');
    return toMe(user);
  }

  /**
   * Finds a user by phone number so people can start a chat. Answers only for existing users and
   * counts every look-up, found or not, against a per-user hourly limit (against enumeration).
   */
  async lookup(viewerId: string, phoneInput: string): Promise<User> {
    await this.lookupLimit.consume(viewerId);
    const user = await this.users.getByPhone(requirePhone(phoneInput));
    if (!user) throw new NotFoundError('user/not_found');
    return toUser(user);
  }

  /** Creates or updates a user with a role; for operators (`abrik user create`). */
  async createWithRole(phoneInput: string, role: Role, name?: string): Promise<Me> {
    return toMe(await this.users.upsert(requirePhone(phoneInput), { role, name }));
  }
}
