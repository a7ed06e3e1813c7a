import type { Me, User } from '@abrik/protocol';
import type { UserRow } from './tables.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    lastSeenAt: iso(row.lastSeenAt),
    ...(row.avatarFileId ? { avatarId: row.avatarFileId } : {}),
  };
}

export function toMe(row: UserRow): Me {
  return { ...toUser(row), phone: row.phone };
}
