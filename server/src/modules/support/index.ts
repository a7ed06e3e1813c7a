import type { Db, Transactor } from '../../platform/db/client.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import type { LatePort } from '../../platform/late-port.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
import type { RateLimitFactory } from '../../platform/redis/rate-limit.js';
import type { SmsProvider } from '../../providers/sms/sms.provider.js';
import type { ChatModule } from '../chat/index.js';
import type { SupportPort } from '../chat/support-port.js';
import type { AvailabilityPort } from '../presence/presence.service.js';
import type { PresenceStore } from '../presence/presence-store.js';
import { adminRoutes } from './admin.routes.js';
import { AdminService } from './admin.service.js';
import { AgentService } from './agent.service.js';
import { CannedReplyRepository } from './canned-reply.repository.js';
import { CannedReplyService } from './canned-reply.service.js';
import { csatJobs } from './csat/csat.job.js';
import { CsatRepository } from './csat/csat.repository.js';
import { csatLinkRoutes, csatRoutes } from './csat/csat.routes.js';
import { CsatService } from './csat/csat.service.js';
import { DirectoryRepository } from './directory.repository.js';
import { CalendarRepository } from './hours/calendar.repository.js';
import { calendarRoutes } from './hours/calendar.routes.js';
import { CalendarService } from './hours/calendar.service.js';
import { OutOfHoursNotice } from './hours/out-of-hours.js';
import { QueueService } from './queue.service.js';
import { ReportRecorder } from './reports/recorder.service.js';
import { ReportRepository } from './reports/report.repository.js';
import { reportRoutes } from './reports/report.routes.js';
import { ReportService } from './reports/report.service.js';
import { ReportEventRepository } from './reports/report-event.repository.js';
import { RoutingService } from './routing.service.js';
import type { SupportDefaults } from './settings.js';
import { SlaRepository } from './sla/sla.repository.js';
import { slaRoutes } from './sla/sla.routes.js';
import { SlaService } from './sla/sla.service.js';
import { slaTimerJobs } from './sla/sla-timer.job.js';
import { supportRoutes } from './support.routes.js';
import { supportSocket } from './support.socket.js';
import { TicketRepository } from './ticket.repository.js';
import { TicketService, type WidgetContactPort } from './ticket.service.js';
import { supportTimerJobs } from './timers.job.js';
import { type WebhookDeliverySettings, WebhookSender, webhookDeliveryJob } from './webhooks/delivery.job.js';
import { WebhookRepository } from './webhooks/webhook.repository.js';
import { webhookRoutes } from './webhooks/webhook.routes.js';
import { WebhookService } from './webhooks/webhook.service.js';

export interface SupportModule extends Module {
  tickets: TicketService;
  agents: AgentService;
  /** Satisfaction surveys: asked at each resolve, answered in the app or by an SMS link. */
  csat: CsatService;
  /** What chat asks of the desk about support conversations. */
  port: SupportPort;
  /** Staff availability for presence replies. */
  availability: AvailabilityPort;
  /** Checks the agents marked connected against presence (gateway processes, now and then). */
  reconcile(): Promise<void>;
  /** Business calendars; `calendarOf(inboxId)` is an inbox's hours (cached per process). */
  calendars: CalendarService;
  /** SLA policies and each conversation's clocks. */
  sla: SlaService;
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
  /** The website widget, once built: what it knows of a visitor customer (the customer panel). */
  widgetContacts?: LatePort<WidgetContactPort>;
  webhooks: WebhookDeliverySettings;
  /** The satisfaction survey's SMS link: the provider, where links point, per-IP limits of its page. */
  sms: SmsProvider;
  publicUrl: string;
  limits: RateLimitFactory;
  /** The organisation's time zone (SUPPORT_TIME_ZONE): the reports' ranges and Jalali buckets. */
  timeZone: string;
}): SupportModule {
  const { db, chat, events, live, jobs, logger, defaults, now } = deps;
  const transactor: Transactor = db;
  const tickets = new TicketRepository(db);
  const directory = new DirectoryRepository(db);
  const routing = new RoutingService({ db: transactor, tickets, events, defaults, now });
  const queue = new QueueService({ tickets, directory, live, now });
  const csat = new CsatService({
    db: transactor,
    surveys: new CsatRepository(db),
    tickets,
    events,
    live,
    jobs,
    presence: deps.presence,
    sms: deps.sms,
    limits: deps.limits,
    publicUrl: deps.publicUrl,
    logger,
    now,
  });
  // At least once: a survey per cycle whatever the retries (CsatService.resolved).
  events.listen('support.status_changed', 'support.csat-ask', (event) => csat.resolved(event));
  const calendars = new CalendarService({
    db: transactor,
    calendars: new CalendarRepository(db),
    events,
    now,
  });
  const slaClocks = new SlaRepository(db);
  const sla = new SlaService({
    db: transactor,
    sla: slaClocks,
    tickets,
    calendars,
    events,
    live,
    jobs,
    logger,
    now,
  });
  calendars.onHoursChanged((before) => sla.hoursChanged(before));

  const recorder = new ReportRecorder({ events: new ReportEventRepository(db), tickets, calendars });
  // Durable and at least once: opens, reopens and resolves reach the reports whatever the crashes.
  events.listen('support.opened', 'support.report-opened', (event) => recorder.opened(event));
  events.listen('support.status_changed', 'support.report-status', (event) => recorder.statusChanged(event));
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
    csat,
    slaClocks,
    widgetContacts: deps.widgetContacts,
    // In order: the clocks and the reports first; the customer's notice last (a retry may repeat it).
    observers: [sla, recorder, new OutOfHoursNotice({ calendars, conversations: chat.conversations })],
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
    calendars,
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
  const reports = new ReportService({
    reports: new ReportRepository(db),
    events,
    db,
    timeZone: deps.timeZone,
  });
  const webhookSender = new WebhookSender(deps.webhooks, now);
  const webhooks = new WebhookService({
    db: transactor,
    webhooks: new WebhookRepository(db),
    events,
    jobs,
    settings: deps.webhooks,
    logger,
    now,
  });
  webhooks.listen();
  return {
    name: 'support',
    tickets: ticketService,
    agents,
    csat,
    port: ticketService,
    availability: agents,
    reconcile: () => agents.reconcile(),
    calendars,
    sla,
    routes: {
      public: [csatLinkRoutes({ csat })],
      authenticated: [
        supportRoutes({ tickets: ticketService }),
        adminRoutes({ admin, canned }),
        webhookRoutes({ webhooks }),
        csatRoutes({ csat }),
        calendarRoutes({ calendars }),
        slaRoutes({ sla }),
        reportRoutes({ reports }),
      ],
    },
    socket: supportSocket({ agents, directory, queue, live, logger }),
    jobs: [
      ...supportTimerJobs(ticketService, agents),
      ...csatJobs(csat),
      ...slaTimerJobs(sla),
      webhookDeliveryJob({ webhooks, sender: webhookSender, settings: deps.webhooks }),
    ],
    async stop() {
      queue.stop();
      await webhookSender.close();
    },
  };
}
