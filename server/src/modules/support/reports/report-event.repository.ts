import type { Executor } from '../../../platform/db/client.js';
import { type ReportEventRow, supportReportEvents } from './tables.js';

export type NewReportEvent = Omit<ReportEventRow, 'id'>;

export class ReportEventRepository {
  constructor(private readonly db: Executor) {}

  /** Records facts once: the same (conversation, kind, cycle, time) again is dropped. */
  async record(events: NewReportEvent[], tx: Executor = this.db): Promise<number> {
    if (events.length === 0) return 0;
    const rows = await tx
      .insert(supportReportEvents)
      .values(events)
      .onConflictDoNothing()
      .returning({ id: supportReportEvents.id });
    return rows.length;
  }
}
