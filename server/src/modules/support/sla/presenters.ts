import type { SlaPolicy, SlaTarget } from '@abrik/protocol';
import type { SlaPolicyRow, SlaTargetRow } from './tables.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toPolicy(row: SlaPolicyRow): SlaPolicy {
  return {
    id: row.id,
    name: row.name,
    inboxId: row.inboxId,
    priority: row.priority,
    firstResponseSeconds: row.firstResponseSeconds,
    firstResponseBusiness: row.firstResponseBusiness,
    nextResponseSeconds: row.nextResponseSeconds,
    nextResponseBusiness: row.nextResponseBusiness,
    resolutionSeconds: row.resolutionSeconds,
    resolutionBusiness: row.resolutionBusiness,
    pauseWhenPending: row.pauseWhenPending,
    pauseWhenSnoozed: row.pauseWhenSnoozed,
    warnBeforeSeconds: row.warnBeforeSeconds,
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toTarget(row: SlaTargetRow): SlaTarget {
  return {
    kind: row.kind,
    cycle: row.cycle,
    business: row.business,
    targetSeconds: row.targetSeconds,
    startedAt: row.startedAt.toISOString(),
    dueAt: iso(row.dueAt),
    paused: row.dueAt === null && row.metAt === null && row.stoppedAt === null,
    metAt: iso(row.metAt),
    breachedAt: iso(row.breachedAt),
    stoppedAt: iso(row.stoppedAt),
  };
}
