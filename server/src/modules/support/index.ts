import type { Db, Transactor } from '../../platform/db/client.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
import type { ChatModule } from '../chat/index.js';
import type { SupportPort } from '../chat/support-port.js';
import type { AvailabilityPort } from '../presence/presence.service.js';
import type { PresenceStore } from '../presence/presence-store.js';
import { adminRoutes } from './admin.routes.js';
import { AdminService } from './admin.service.js';
import { AgentService } from './agent.service.js';
import { CannedReplyRepository } from './canned-reply.repository.js';
import { CannedReplyService } from './canned-reply.service.js';
import { DirectoryRepository } from './directory.repository.js';
import { QueueService } from './queue.service.js';
import { RoutingService } from './routing.service.js';
import type { SupportDefaults } from './settings.js';
import { supportRoutes } from './support.routes.js';
import { supportSocket } from './support.socket.js';
import { TicketRepository } from './ticket.repository.js';
import { TicketService } from './ticket.service.js';
import { supportTimerJobs } from './timers.job.js';

export interface SupportModule extends Module {
  tickets: TicketService;
  agents: AgentService;
  /** What chat asks of the desk about support conversations. */
  port: SupportPort;
  /** Staff availability for presence replies. */
  availability: AvailabilityPort;
  /** Checks the agents marked connected against presence (gateway processes, now and then). */
  reconcile(): Promise<void>;
}

/**
 * The support desk: tickets beside support conversations, teams and inboxes, routing that is
 * fair and never strands a customer, timers as jobs, staff views and actions, canned replies.
 */
export function createSupportModule(deps: {
  db: Db;
  chat: Pick<ChatModule, 'conversations' | 'messages'>;
  presence: PresenceStore;
  events: DomainEvents;
  live: LiveEvents;
  jobs: JobQueue;
  logger: Logger;
  defaults: SupportDefaults;
  now: () => number;
}): SupportModule {
  const { db, chat, events, live, jobs, logger, defaults, now } = deps;
  const transactor: Transactor = db;
  const tickets = new TicketRepository(db);
  const directory = new DirectoryRepository(db);
  const routing = new RoutingService({ db: transactor, tickets, events, defaults, now });
  const queue = new QueueService({ tickets, directory, live, now });
  const ticketService = new TicketService({
    db: transactor,
    tickets,
    directory,
    routing,
    queue,
    conversations: chat.conversations,
    messages: chat.messages,
    events,
    live,
    jobs,
    defaults,
    logger,
    now,
  });
  const agents = new AgentService({
    directory,
    tickets: ticketService,
    presence: deps.presence,
    live,
    jobs,
    defaults,
    logger,
  });
  const admin = new AdminService({
    db: transactor,
    directory,
    tickets: ticketService,
    events,
    live,
    defaults,
  });
  const canned = new CannedReplyService({
    replies: new CannedReplyRepository(db),
    directory,
    tickets: ticketService,
    names: (ids) => tickets.names(ids),
  });
  return {
    name: 'support',
    tickets: ticketService,
    agents,
    port: ticketService,
    availability: agents,
    reconcile: () => agents.reconcile(),
    routes: { authenticated: [supportRoutes({ tickets: ticketService }), adminRoutes({ admin, canned })] },
    socket: supportSocket({ agents, directory, queue, live, logger }),
    jobs: supportTimerJobs(ticketService, agents),
    async stop() {
      queue.stop();
    },
  };
}
