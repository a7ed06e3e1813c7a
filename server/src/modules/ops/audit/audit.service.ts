import {
  AUDIT_EVENT_TYPES,
  AUDIT_PERSON_ONLY_TYPES,
  type AuditEntry,
  type AuditQuery,
} from '@abrik/protocol';
import type { Actor } from '../../../platform/auth.js';
import { ForbiddenError } from '../../../platform/errors.js';
import type { AuditRepository } from './audit.repository.js';
import { mayReadAudit } from './policies.js';

/**
 * The audit trail: the durable events that are admin and supervisor actions (AUDIT_EVENT_TYPES),
 * read-only. Nothing here changes an entry; the database refuses that anyway (a trigger on
 * domain_events, migration 0005).
 */
export class AuditService {
  constructor(private readonly deps: { audit: AuditRepository }) {}

  async list(actor: Actor, query: AuditQuery): Promise<{ items: AuditEntry[]; nextCursor: number | null }> {
    if (!mayReadAudit(actor)) throw new ForbiddenError('auth/forbidden');
    const wanted = query.type;
    // `type` is an exact type or a prefix of types (`support.calendar`).
    const types = wanted ? AUDIT_EVENT_TYPES.filter((t) => t.startsWith(wanted)) : [...AUDIT_EVENT_TYPES];
    if (types.length === 0) return { items: [], nextCursor: null };
    const rows = await this.deps.audit.list({
      types,
      personOnly: AUDIT_PERSON_ONLY_TYPES,
      actorId: query.actor,
      subject: query.subject,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
      beforeId: query.cursor,
      limit: query.limit + 1,
    });
    const page = rows.slice(0, query.limit);
    return {
      items: page.map((row) => ({ ...row, at: row.at.toISOString() })),
      nextCursor: rows.length > query.limit ? page.at(-1)!.id : null,
    };
  }
}
