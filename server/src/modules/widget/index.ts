import type { Db } from '../../platform/db/client.js';
import type { DomainEvents } from '../../platform/events/domain-events.js';
import type { Logger } from '../../platform/logger.js';
import type { Module } from '../../platform/module.js';
import type { Redis } from '../../platform/redis/client.js';
import type { RateLimitFactory } from '../../platform/redis/rate-limit.js';
import type { ChatModule } from '../chat/index.js';
import type { VisitorPort } from '../chat/support-port.js';
import type { UserService } from '../identity/user.service.js';
import type { SupportModule } from '../support/index.js';
import type { WidgetContactPort } from '../support/ticket.service.js';
import { widgetAdminRoutes } from './admin.routes.js';
import { WidgetAdminService } from './admin.service.js';
import './events.js';
import { frameRoutes } from './frame.routes.js';
import { replayGuard } from './replay-guard.js';
import { sessionRoutes } from './session.routes.js';
import { WidgetSessionService, type WidgetSessionSettings } from './session.service.js';
import { VisitorTokens } from './session-token.js';
import { visitorRoutes } from './visitor.routes.js';
import { type VisitorSettings, WidgetVisitorService } from './visitor.service.js';
import { WidgetRepository } from './widget.repository.js';

export interface WidgetModule extends Module {
  admin: WidgetAdminService;
  sessions: WidgetSessionService;
  visitorTokens: VisitorTokens;
  /** What the chat frame's visitors do; also checks their socket handshakes. */
  visitors: WidgetVisitorService;
  /** Chat's check of each visitor message. */
  port: VisitorPort;
  /** The desk's customer panel: what the widget knows of a visitor customer. */
  contacts: WidgetContactPort;
}

export interface WidgetSettings extends WidgetSessionSettings, VisitorSettings {
  /** The server's key (JWT_SECRET): visitor session tokens are signed with it. */
  tokenSecret: string;
  sessionTtlSeconds: number;
  /** How long a widget's previous secret stays valid after a rotation, unless the admin says. */
  rotationGraceSeconds: number;
}

/** The website widget: embed settings, visitor sessions and the proof of who a visitor is. */
export function createWidgetModule(deps: {
  db: Db;
  redis: Redis | undefined;
  events: DomainEvents;
  users: UserService;
  chat: Pick<ChatModule, 'conversations' | 'messages'>;
  support: Pick<SupportModule, 'calendars' | 'tickets' | 'csat'>;
  limits: RateLimitFactory;
  logger: Logger;
  now: () => number;
  publicUrl: string;
  /** The built web client (its widget/frame/index.html is the chat frame's page); false: none. */
  webDistDir: string | false;
  settings: WidgetSettings;
}): WidgetModule {
  const { db, now, settings } = deps;
  const widgets = new WidgetRepository(db);
  const admin = new WidgetAdminService({
    db,
    widgets,
    events: deps.events,
    publicUrl: deps.publicUrl,
    now,
    rotationGraceSeconds: settings.rotationGraceSeconds,
  });
  const visitorTokens = new VisitorTokens({
    secret: settings.tokenSecret,
    ttlSeconds: settings.sessionTtlSeconds,
    now,
  });
  const sessions = new WidgetSessionService({
    widgets,
    users: deps.users,
    tokens: visitorTokens,
    replay: replayGuard(deps.redis, deps.logger, now),
    limits: deps.limits,
    now,
    settings,
  });
  const visitors = new WidgetVisitorService({
    widgets,
    sessions,
    tokens: visitorTokens,
    users: deps.users,
    chat: deps.chat,
    support: deps.support,
    limits: deps.limits,
    now,
    settings,
  });
  return {
    name: 'widget',
    admin,
    sessions,
    visitorTokens,
    visitors,
    port: { guardSend: (actor, conversationId) => visitors.guardSend(actor, conversationId) },
    contacts: { contactOf: (customerId, conversationId) => visitors.contactOf(customerId, conversationId) },
    routes: {
      public: [
        sessionRoutes({ sessions, rememberSeconds: settings.resumeWithinSeconds }),
        visitorRoutes({ visitors }),
        frameRoutes({ widgets, webDistDir: deps.webDistDir }),
      ],
      authenticated: [widgetAdminRoutes({ admin })],
    },
  };
}
