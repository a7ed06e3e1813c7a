import { and, count, eq, lt, sql } from 'drizzle-orm';
import { type Executor, queryRows } from '../../platform/db/client.js';
import { members, messages } from '../chat/tables.js';
import { type DeviceRow, devices } from './tables.js';

/** A member to consider for a push about a conversation, and the kinds of devices they have. */
export interface PushTargetRow {
  conversationId: string;
  userId: string;
  web: boolean;
  phone: boolean;
}

export type NewDevice =
  | { userId: string; platform: 'android' | 'ios'; token: string; locale: 'fa' | 'en' }
  | {
      userId: string;
      platform: 'web';
      endpoint: string;
      p256dh: string;
      auth: string;
      locale: 'fa' | 'en';
    };

export class DeviceRepository {
  constructor(private readonly db: Executor) {}

  /**
   * Registers a device, or — when the token or endpoint is known — moves it to this user and
   * refreshes it (apps register at every start, and a phone may change hands).
   */
  async upsert(device: NewDevice): Promise<DeviceRow> {
    const common = {
      userId: device.userId,
      platform: device.platform,
      locale: device.locale,
      updatedAt: sql`now()`,
    };
    if (device.platform === 'web') {
      const [row] = await this.db
        .insert(devices)
        .values({ ...common, endpoint: device.endpoint, p256dh: device.p256dh, auth: device.auth })
        .onConflictDoUpdate({
          target: devices.endpoint,
          set: { ...common, p256dh: device.p256dh, auth: device.auth },
        })
        .returning();
      return row!;
    }
    const [row] = await this.db
      .insert(devices)
      .values({ ...common, token: device.token })
      .onConflictDoUpdate({ target: devices.token, set: common })
      .returning();
    return row!;
  }

  /**
   * Devices with their owners' read markers in the jobs' conversations, in one query for a whole
   * batch of push jobs (the push hot path). Keyed `deviceId:conversationId`; a missing key means
   * the device is gone; lastReadSeq undefined means the owner left the conversation.
   */
  async getManyForPush(
    pairs: { deviceId: string; conversationId: string }[],
  ): Promise<Map<string, { device: DeviceRow; lastReadSeq: number | undefined }>> {
    if (pairs.length === 0) return new Map();
    const rows = await this.db
      .select({ device: devices, lastReadSeq: members.lastReadSeq, conversationId: sql<string>`x.cid` })
      .from(
        sql`unnest(${sql.param(pairs.map((p) => p.deviceId))}::uuid[], ${sql.param(pairs.map((p) => p.conversationId))}::uuid[]) as x(did, cid)`,
      )
      .innerJoin(devices, sql`${devices.id} = x.did`)
      .leftJoin(members, and(eq(members.userId, devices.userId), sql`${members.conversationId} = x.cid`));
    return new Map(
      rows.map((r) => [
        `${r.device.id}:${r.conversationId}`,
        { device: r.device, lastReadSeq: r.lastReadSeq ?? undefined },
      ]),
    );
  }

  async listByUser(userId: string): Promise<DeviceRow[]> {
    return this.db.select().from(devices).where(eq(devices.userId, userId));
  }

  /**
   * For stored messages: each (conversation, member) to consider for a push — members other
   * than the message's sender who did not mute the conversation and have at least one device —
   * with the kinds of devices they have. Members without a device are not returned at all.
   */
  async pushTargets(messageIds: string[]): Promise<PushTargetRow[]> {
    if (messageIds.length === 0) return [];
    const rows = await queryRows<{ conversation_id: string; user_id: string; web: boolean; phone: boolean }>(
      this.db,
      sql`select msg.conversation_id, mem.user_id,
                 bool_or(d.platform = 'web') as web, bool_or(d.platform <> 'web') as phone
          from ${messages} msg
          join ${members} mem on mem.conversation_id = msg.conversation_id
            and mem.user_id is distinct from msg.sender_id and not mem.muted
          join ${devices} d on d.user_id = mem.user_id
          where msg.id = any(${sql.param(messageIds)}::uuid[]) and msg.deleted_at is null
          group by msg.conversation_id, mem.user_id`,
    );
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      userId: r.user_id,
      web: r.web,
      phone: r.phone,
    }));
  }

  async countByUser(userId: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(devices).where(eq(devices.userId, userId));
    return Number(row?.n ?? 0);
  }

  /** Deletes one of the user's devices; false when it is not theirs or not there. */
  async deleteOwn(userId: string, id: string): Promise<boolean> {
    const rows = await this.db
      .delete(devices)
      .where(and(eq(devices.id, id), eq(devices.userId, userId)))
      .returning({ id: devices.id });
    return rows.length > 0;
  }

  async delete(id: string): Promise<boolean> {
    const rows = await this.db.delete(devices).where(eq(devices.id, id)).returning({ id: devices.id });
    return rows.length > 0;
  }

  async countNotUpdatedSince(cutoff: Date): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(devices).where(lt(devices.updatedAt, cutoff));
    return Number(row?.n ?? 0);
  }

  async deleteNotUpdatedSince(cutoff: Date): Promise<number> {
    const rows = await this.db
      .delete(devices)
      .where(lt(devices.updatedAt, cutoff))
      .returning({ id: devices.id });
    return rows.length;
  }
}
