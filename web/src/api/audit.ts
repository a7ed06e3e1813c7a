import { AuditPageSchema } from '@abrik/protocol';
import type { ApiClient } from './client.js';

export interface AuditFilters {
  /** A user id. */
  actor?: string;
  /** An exact type or a prefix of types (`support.calendar`). */
  type?: string;
  /** ISO times with an offset: at or after, and before. */
  from?: string;
  to?: string;
}

/** The audit trail, newest first (admins); `cursor` is the page before's `nextCursor`. */
export function auditEntries(api: ApiClient, filters: AuditFilters, cursor?: number) {
  return api.request('GET', '/api/v1/audit', {
    query: { ...filters, cursor, limit: 50 },
    schema: AuditPageSchema,
  });
}
