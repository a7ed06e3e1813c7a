import { IdSchema } from '@abrik/protocol';
import { z } from 'zod';
import { defineJob } from '../../platform/jobs/registry.js';
import type { AgentService } from './agent.service.js';
import type { TicketService } from './ticket.service.js';

const Time = z.iso.datetime({ offset: true });
const SnoozeSchema = z.object({ conversationId: IdSchema, until: Time });
const CloseSchema = z.object({ conversationId: IdSchema, resolvedAt: Time });
const NoReplySchema = z.object({ conversationId: IdSchema, assigneeId: IdSchema, since: Time });
const OfflineSchema = z.object({ agentId: IdSchema, offlineSince: Time });
const SweepSchema = z.object({});

declare module '../../platform/jobs/registry.js' {
  interface Jobs {
    /** A snooze with a time is over (moot if the snooze changed meanwhile). */
    'support-snooze': z.infer<typeof SnoozeSchema>;
    /** The reopen window after a resolve is over: closed for good (moot if reopened). */
    'support-close': z.infer<typeof CloseSchema>;
    /** Did the assignee answer the customer in time? (moot once they did, or it moved). */
    'support-no-reply': z.infer<typeof NoReplySchema>;
    /** An assignee went offline: hand their conversations on once the grace passed (moot if back). */
    'support-agent-offline': z.infer<typeof OfflineSchema>;
    /** Every minute: whatever a lost timer left due, and the queues handed out. */
    'support-sweep': z.infer<typeof SweepSchema>;
  }
}

const timer = { retryLimit: 5, retryBackoff: true };

/**
 * The support desk's timers. Each is a job armed by the change that starts it and checked
 * against the ticket when it runs, so a change that makes it moot needs no cancelling and a
 * restart loses none; the sweep is the safety net for anything still due.
 */
export const supportTimerJobs = (tickets: TicketService, agents: AgentService) => [
  defineJob({
    name: 'support-snooze',
    payload: SnoozeSchema,
    queue: timer,
    perform: (job) => tickets.snoozeEnded(job.conversationId, new Date(job.until)),
  }),
  defineJob({
    name: 'support-close',
    payload: CloseSchema,
    queue: timer,
    perform: (job) => tickets.reopenWindowEnded(job.conversationId, new Date(job.resolvedAt)),
  }),
  defineJob({
    name: 'support-no-reply',
    payload: NoReplySchema,
    queue: timer,
    perform: (job) => tickets.noReplyDue(job.conversationId, job.assigneeId, new Date(job.since)),
  }),
  defineJob({
    name: 'support-agent-offline',
    payload: OfflineSchema,
    queue: timer,
    perform: async (job) => {
      const offlineSince = new Date(job.offlineSince);
      const next = await tickets.assigneeOffline(job.agentId, offlineSince);
      if (next) await agents.armOffline(job.agentId, offlineSince, next);
    },
  }),
  defineJob({
    name: 'support-sweep',
    payload: SweepSchema,
    queue: { retryLimit: 1, expireInSeconds: 300 },
    cron: { schedule: '* * * * *', data: {} },
    perform: () => tickets.sweep(),
  }),
];
