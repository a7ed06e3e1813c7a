import { createHash } from 'node:crypto';
import {
  type Conversation,
  type CsatAnswer,
  type CsatView,
  NameSchema,
  normalizePhone,
  type SupportWidgetContact,
  type WidgetAttributes,
  type WidgetConversation,
  type WidgetStarted,
  type WidgetState,
} from '@abrik/protocol';
import type { Actor, VisitorContext } from '../../platform/auth.js';
import { AppError, ForbiddenError, ValidationError } from '../../platform/errors.js';
import type { RateLimit, RateLimitFactory } from '../../platform/redis/rate-limit.js';
import type { ChatModule } from '../chat/index.js';
import type { UserService } from '../identity/user.service.js';
import type { SupportModule } from '../support/index.js';
import type { WidgetSessionService } from './session.service.js';
import { isOwnOrigin } from './session.service.js';
import type { VisitorClaims, VisitorTokens } from './session-token.js';
import type { WidgetContactRow, WidgetRow } from './tables.js';
import type { WidgetRepository } from './widget.repository.js';

export interface VisitorSettings {
  /** Messages (and conversation starts) per minute from one IP address, over all widgets. */
  messagesPerIpMinute: number;
  /** Messages per minute to one widget's conversations, from all its visitors. */
  messagesPerWidgetMinute: number;
  /** How long a widget's settings are cached per process for the message path. */
  widgetCacheMs: number;
}

/** A visitor's session, checked: its claims and its widget as it is now. */
export interface VisitorSession {
  claims: VisitorClaims & { expiresAt: number };
  widget: WidgetRow;
}

/** The customer user key of an anonymous visitor's contact: never an E.164 number (see session.service). */
const visitorUserKey = (widgetId: string, visitorId: string) =>
  `widget:${widgetId}:v:${createHash('sha256').update(visitorId, 'utf8').digest('hex').slice(0, 32)}`;

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,190}\.[^\s@]{2,}$/;

/**
 * What a widget's visitor does from the chat frame: sees the widget's state and their own
 * conversations, starts a conversation with their first message (becoming a contact then, not
 * before), updates their attributes, rates a resolve. Their messages go through chat's message
 * path as the contact's customer user; `guardSend` is chat's check on each of them.
 */
export class WidgetVisitorService {
  private readonly perIp: RateLimit;
  private readonly perWidget: RateLimit;
  private readonly cache = new Map<string, { widget: WidgetRow | undefined; at: number }>();

  constructor(
    private readonly deps: {
      widgets: WidgetRepository;
      sessions: WidgetSessionService;
      tokens: VisitorTokens;
      users: Pick<UserService, 'signUpOrFind' | 'rename'>;
      chat: Pick<ChatModule, 'conversations' | 'messages'>;
      support: Pick<SupportModule, 'calendars' | 'tickets' | 'csat'>;
      limits: RateLimitFactory;
      now: () => number;
      settings: VisitorSettings;
    },
  ) {
    this.perIp = deps.limits({
      name: 'widget-message-ip',
      points: deps.settings.messagesPerIpMinute,
      durationSeconds: 60,
    });
    this.perWidget = deps.limits({
      name: 'widget-message-widget',
      points: deps.settings.messagesPerWidgetMinute,
      durationSeconds: 60,
    });
  }

  // ---- sessions ------------------------------------------------------------------------------

  /**
   * A visitor's bearer token, checked against the widget as it is now: enabled, the page's origin
   * still on its list, and a verified visitor where identity is required. 401/403 otherwise.
   */
  async session(token: string | undefined): Promise<VisitorSession> {
    if (!token) throw new AppError(401, 'auth/unauthenticated');
    const claims = await this.deps.tokens.verify(token);
    if (!claims) throw new AppError(401, 'auth/invalid_token');
    const widget = await this.widget(claims.widgetId, true);
    if (!widget) throw new ForbiddenError('widget/not_found');
    if (!widget.enabled) throw new ForbiddenError('widget/disabled');
    if (!claims.hostOrigin || !widget.allowedOrigins.includes(claims.hostOrigin)) {
      throw new ForbiddenError('widget/origin_not_allowed');
    }
    if (widget.identityMode === 'required' && !claims.verified) {
      throw new AppError(401, 'widget/identity_required');
    }
    return { claims, widget };
  }

  /**
   * The socket handshake of a visitor: their session, from our chat frame (or a page of the
   * widget's), as the customer user of their contact. A visitor who is not a contact yet has
   * nothing to connect for.
   */
  async authenticateSocket(
    token: string,
    handshake: { origin: string | undefined; host: string | undefined; ip: string },
  ): Promise<{ actor: Actor; expiresAt: number }> {
    const { claims, widget } = await this.session(token);
    const origin = handshake.origin;
    if (!isOwnOrigin(origin, handshake.host) && !(origin && widget.allowedOrigins.includes(origin))) {
      throw new ForbiddenError('widget/origin_not_allowed');
    }
    if (!claims.contactId || !claims.userId) throw new AppError(401, 'widget/no_contact');
    return { actor: this.actorOf(claims, handshake.ip), expiresAt: claims.expiresAt };
  }

  /** The customer actor of a visitor who is a contact. */
  actorOf(claims: VisitorClaims, ip: string): Actor & { visitor: VisitorContext } {
    return {
      id: claims.userId as string,
      role: 'customer',
      visitor: {
        widgetId: claims.widgetId,
        contactId: claims.contactId as string,
        verified: claims.verified,
        hostOrigin: claims.hostOrigin,
        ip,
      },
    };
  }

  // ---- what the frame shows -----------------------------------------------------------------

  async state(session: VisitorSession, ip: string): Promise<WidgetState> {
    const { claims, widget } = session;
    const [opening, agentsAvailable] = await Promise.all([
      this.deps.support.calendars.opening(widget.inboxId),
      this.deps.support.tickets.agentsOnline(widget.inboxId),
    ]);
    const contact =
      claims.contactId && claims.userId
        ? await this.deps.widgets.getContact(widget.id, claims.contactId)
        : undefined;
    const conversations = contact ? await this.conversationsOf(claims, ip) : [];
    const current = conversations.find((c) => c.status !== 'closed') ?? null;
    const views = await Promise.all(conversations.map((c) => this.present(c)));
    return {
      widget: {
        id: widget.id,
        name: widget.name,
        theme: widget.theme,
        greeting: widget.greeting,
        offlineText: widget.offlineText,
        identityMode: widget.identityMode,
        prechat: widget.prechat,
        waitOfferSeconds: widget.waitOfferSeconds,
      },
      opening,
      agentsAvailable,
      verified: claims.verified,
      contact: contact
        ? {
            userId: contact.userId,
            name: contact.name,
            phone: contact.phone,
            email: contact.email,
            verified: contact.verified,
          }
        : null,
      conversation: current ? (views[conversations.indexOf(current)] ?? null) : null,
      history: views
        .filter((v) => v.id !== current?.id)
        .map(({ id, status, createdAt, lastSeq }) => ({ id, status, createdAt, lastSeq })),
      unread: conversations.reduce((sum, c) => sum + c.unreadCount, 0),
    };
  }

  /** The visitor's support conversations, newest first (their own only: chat's membership). */
  private async conversationsOf(claims: VisitorClaims, ip: string): Promise<Conversation[]> {
    const actor = this.actorOf(claims, ip);
    const { items } = await this.deps.chat.conversations.list(actor, { kind: 'support', limit: 20 });
    return items;
  }

  private async present(conversation: Conversation): Promise<WidgetConversation> {
    const support = conversation.support;
    const status = support?.status ?? 'open';
    const agents = conversation.members.filter((m) => m.role !== 'customer');
    const waiting = support?.queuePosition !== null && support?.queuePosition !== undefined;
    return {
      id: conversation.id,
      status,
      createdAt: conversation.createdAt,
      assignee: support?.assigneeId ? { id: support.assigneeId, name: support.assigneeName } : null,
      queuePosition: support?.queuePosition ?? null,
      etaSeconds: support?.etaSeconds ?? null,
      waitingSince: waiting ? conversation.createdAt : null,
      readSeq: conversation.lastReadSeq,
      agentReadSeq: agents.reduce((max, m) => Math.max(max, m.lastReadSeq), 0),
      lastSeq: conversation.lastSeq,
      csat: support?.csat
        ? {
            cycle: support.csat.cycle,
            rating: support.csat.rating,
            comment: support.csat.comment,
            editableUntil: support.csat.editableUntil,
          }
        : null,
      writable: status !== 'closed',
    };
  }

  // ---- starting a conversation ---------------------------------------------------------------

  /**
   * The visitor's first message opens a conversation in the widget's inbox; an anonymous visitor
   * becomes an (unverified) contact now. Retried with the same `clientMsgId`, it answers the
   * conversation and message it already made.
   */
  async start(
    session: VisitorSession,
    input: {
      clientMsgId: string;
      body: string;
      form?: Record<string, string> | undefined;
      attributes?: WidgetAttributes | undefined;
      offline: boolean;
    },
    ip: string,
  ): Promise<WidgetStarted> {
    const { claims, widget } = session;
    await this.consume(widget.id, ip);
    const form = this.checkForm(widget, claims, input.form ?? {}, input.offline);
    const contact = await this.contactFor(session, form, input.attributes);
    const renewed = await this.deps.sessions.issue(widget, {
      visitorId: claims.visitorId,
      contact: { id: contact.id, userId: contact.userId, verified: contact.verified },
      hostOrigin: claims.hostOrigin,
    });
    const newClaims: VisitorClaims = {
      ...claims,
      contactId: contact.id,
      userId: contact.userId,
      verified: contact.verified,
    };
    const base = this.actorOf(newClaims, ip);
    const actor = { ...base, visitor: { ...base.visitor, counted: true } };
    const started = await this.deps.widgets.conversationStartedBy(contact.id, input.clientMsgId);
    // A visitor has one conversation at a time: while one is not closed (a second tab, the
    // offer to leave a message while waiting), what they send goes to it, with the form's answers.
    const current = started ? undefined : await this.currentConversation(contact.id);
    if (current) await this.deps.widgets.addToConversation(current, form, input.offline);
    const conversationId =
      started?.conversationId ??
      current ??
      (await this.open(actor, widget, contact, input, form, claims.hostOrigin)).conversationId;
    // Idempotent by (sender, clientMsgId): a retried start answers the message it stored before.
    const { message } = await this.deps.chat.messages.send(actor, {
      conversationId,
      clientMsgId: input.clientMsgId,
      body: input.body,
    });
    const conversation = await this.deps.chat.conversations.get(actor, conversationId);
    return {
      session: renewed,
      conversation: await this.present(conversation),
      message: { id: message.id, seq: message.seq, createdAt: message.createdAt },
    };
  }

  /** The contact's latest widget conversation that is not closed, if any. */
  private async currentConversation(contactId: string): Promise<string | undefined> {
    for (const id of await this.deps.widgets.conversationsOfContact(contactId, 5)) {
      const status = await this.deps.support.tickets.statusOf(id);
      if (status && status !== 'closed') return id;
    }
    return undefined;
  }

  private async open(
    actor: Actor,
    widget: WidgetRow,
    contact: WidgetContactRow,
    input: { clientMsgId: string; offline: boolean },
    form: Record<string, string>,
    hostOrigin: string | null,
  ): Promise<{ conversationId: string }> {
    const { conversation } = await this.deps.chat.conversations.create(
      actor,
      { kind: 'support' },
      {
        inboxId: widget.inboxId,
        within: async (tx, row) => {
          await this.deps.widgets.insertConversation(
            {
              conversationId: row.id,
              widgetId: widget.id,
              contactId: contact.id,
              startClientMsgId: input.clientMsgId,
              form,
              offline: input.offline,
              hostOrigin,
            },
            tx,
          );
        },
      },
    );
    return { conversationId: conversation.id };
  }

  /**
   * The pre-chat or offline form's answers, checked against the widget's form: required fields
   * present, a phone (Persian digits too) normalised to E.164, an e-mail that reads as one. A
   * verified visitor skips the pre-chat form (their site vouches); the offline form asks every
   * visitor how to reach them back.
   */
  private checkForm(
    widget: WidgetRow,
    claims: VisitorClaims,
    answers: Record<string, string>,
    offline: boolean,
  ): Record<string, string> {
    const fields = widget.prechat.enabled ? widget.prechat.fields : [];
    const known = new Map(fields.map((f) => [f.key, f]));
    const out: Record<string, string> = {};
    const problems: { path: string[]; message: string }[] = [];
    for (const [key, raw] of Object.entries(answers)) {
      const value = raw.trim();
      if (value === '') continue;
      const kind = known.get(key)?.kind ?? (['name', 'phone', 'email'].includes(key) ? key : undefined);
      if (!kind) continue; // not asked: dropped, never stored
      if (kind === 'phone') {
        const phone = normalizePhone(value);
        if (!phone) problems.push({ path: [key], message: 'not a phone number' });
        else out[key] = phone;
      } else if (kind === 'email') {
        if (!EMAIL.test(value)) problems.push({ path: [key], message: 'not an e-mail address' });
        else out[key] = value.toLowerCase();
      } else if (kind === 'name') {
        const name = NameSchema.safeParse(value);
        if (!name.success) problems.push({ path: [key], message: 'not a name' });
        else out[key] = name.data;
      } else {
        out[key] = value;
      }
    }
    const asked = !claims.verified && !claims.contactId;
    if (asked) {
      for (const field of fields) {
        if (field.required && out[field.key] === undefined && !problems.some((p) => p.path[0] === field.key))
          problems.push({ path: [field.key], message: 'required' });
      }
    }
    if (offline && !claims.verified) {
      const reach = Object.entries(out).some(([key]) => {
        const kind = known.get(key)?.kind ?? key;
        return kind === 'phone' || kind === 'email';
      });
      if (!reach) problems.push({ path: ['phone'], message: 'a phone number or e-mail to answer you' });
    }
    if (problems.length > 0) throw new ValidationError('widget/form_invalid', problems);
    return out;
  }

  /** The visitor's contact: their verified one, an earlier unverified one, or a new one now. */
  private async contactFor(
    session: VisitorSession,
    form: Record<string, string>,
    attributes: WidgetAttributes | undefined,
  ): Promise<WidgetContactRow> {
    const { claims, widget } = session;
    const kindOf = (kind: string) => {
      const field = widget.prechat.fields.find((f) => f.kind === kind);
      return form[field?.key ?? kind] ?? null;
    };
    const details = { name: kindOf('name'), phone: kindOf('phone'), email: kindOf('email') };
    if (claims.contactId) {
      const known = await this.deps.widgets.getContact(widget.id, claims.contactId);
      if (!known) throw new AppError(401, 'auth/invalid_token');
      // A verified contact's details are the site's, signed; the form never overwrites them.
      const changes = known.verified
        ? { attributes }
        : {
            ...Object.fromEntries(Object.entries(details).filter(([, v]) => v !== null)),
            attributes,
          };
      return (await this.deps.widgets.updateContact(known.id, changes)) ?? known;
    }
    const existing = await this.deps.widgets.getVisitorContact(widget.id, claims.visitorId);
    if (existing) return existing;
    const user = await this.deps.users.signUpOrFind(visitorUserKey(widget.id, claims.visitorId));
    if (details.name) await this.deps.users.rename(user.id, details.name);
    const inserted = await this.deps.widgets.insertVisitorContact({
      widgetId: widget.id,
      visitorId: claims.visitorId,
      userId: user.id,
      ...details,
      attributes: stripNulls(attributes ?? {}),
    });
    return inserted ?? (await this.deps.widgets.getVisitorContact(widget.id, claims.visitorId))!;
  }

  // ---- attributes, surveys -------------------------------------------------------------------

  async setAttributes(session: VisitorSession, attributes: WidgetAttributes): Promise<WidgetAttributes> {
    const { claims, widget } = session;
    if (!claims.contactId) throw new AppError(409, 'widget/no_contact');
    const contact = await this.deps.widgets.updateContact(claims.contactId, { attributes });
    if (!contact || contact.widgetId !== widget.id) throw new AppError(401, 'auth/invalid_token');
    return contact.attributes;
  }

  async answerCsat(
    session: VisitorSession,
    conversationId: string,
    answer: CsatAnswer,
    ip: string,
  ): Promise<CsatView> {
    if (!session.claims.contactId) throw new AppError(409, 'widget/no_contact');
    return this.deps.support.csat.answer(this.actorOf(session.claims, ip), conversationId, answer);
  }

  // ---- the desk's customer panel ----------------------------------------------------------------

  /** What the widget knows of a customer who came through it (null for an app customer). */
  async contactOf(customerId: string, conversationId: string): Promise<SupportWidgetContact | null> {
    const started = await this.deps.widgets.conversationOf(conversationId);
    const contact = started
      ? await this.deps.widgets.getContact(started.widgetId, started.contactId)
      : await this.deps.widgets.contactOfUser(customerId);
    if (!contact || contact.userId !== customerId) return null;
    const widget = await this.widget(contact.widgetId);
    return {
      widgetId: contact.widgetId,
      widgetName: widget?.name ?? '',
      verified: contact.verified,
      externalId: contact.verified ? contact.externalId : null,
      name: contact.name,
      email: contact.email,
      phone: contact.phone,
      attributes: contact.attributes,
      form: started?.form ?? {},
      offline: started?.offline ?? false,
      hostOrigin: started?.hostOrigin ?? null,
    };
  }

  // ---- chat's check of each visitor message ---------------------------------------------------

  /**
   * Before chat stores a visitor's message: the widget still allows the visitor, the
   * conversation is one of this widget's and not closed (a closed one is never written into: the
   * frame starts a new one), and the widget's and the IP's rates hold.
   */
  async guardSend(actor: Actor, conversationId: string): Promise<void> {
    const visitor = actor.visitor;
    if (!visitor) return;
    const widget = await this.widget(visitor.widgetId);
    if (!widget?.enabled) throw new ForbiddenError(widget ? 'widget/disabled' : 'widget/not_found');
    if (widget.identityMode === 'required' && !visitor.verified) {
      throw new AppError(401, 'widget/identity_required');
    }
    if (!visitor.counted) await this.consume(widget.id, visitor.ip);
    const origin = await this.deps.widgets.conversationOf(conversationId);
    if (!origin || origin.contactId !== visitor.contactId) throw new ForbiddenError('auth/forbidden');
    const ticket = await this.deps.support.tickets.statusOf(conversationId);
    if (ticket === 'closed') throw new AppError(409, 'widget/conversation_closed');
  }

  private async consume(widgetId: string, ip: string): Promise<void> {
    await this.perIp.consume(ip);
    await this.perWidget.consume(widgetId);
  }

  /** A widget's settings, cached briefly per process (they are read on every visitor message). */
  private async widget(id: string, fresh = false): Promise<WidgetRow | undefined> {
    const cached = this.cache.get(id);
    const now = this.deps.now();
    if (!fresh && cached && now - cached.at < this.deps.settings.widgetCacheMs) return cached.widget;
    const widget = await this.deps.widgets.getById(id);
    this.cache.set(id, { widget, at: now });
    if (this.cache.size > 1000) this.cache.delete(this.cache.keys().next().value as string);
    return widget;
  }

  /** Forgets a widget's cached settings (its admin just changed them, on this process). */
  forget(widgetId: string): void {
    this.cache.delete(widgetId);
  }
}

function stripNulls(attributes: WidgetAttributes): WidgetAttributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null));
}
