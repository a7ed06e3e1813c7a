import { createHash, randomBytes } from 'node:crypto';
import {
  CSAT_EDIT_HOURS,
  CSAT_LINK_DAYS,
  type CsatAnswer,
  type CsatChannel,
  type CsatLink,
  type CsatSurvey,
  type CsatView,
  isE164,
} from '@abrik/protocol';
import type { Actor } from '../../../platform/auth.js';
import type { Transactor } from '../../../platform/db/client.js';
import { AppError, ForbiddenError, NotFoundError } from '../../../platform/errors.js';
import type { DomainEvent, DomainEvents } from '../../../platform/events/domain-events.js';
import type { LiveEvents } from '../../../platform/events/live-events.js';
import { type Locale, t } from '../../../platform/i18n/messages.js';
import type { JobQueue } from '../../../platform/jobs/queue.js';
import type { Logger } from '../../../platform/logger.js';
import type { RateLimit, RateLimitFactory } from '../../../platform/redis/rate-limit.js';
import { type SmsProvider, SmsProviderError } from '../../../providers/sms/sms.provider.js';
import { isStaff } from '../../identity/policies.js';
import type { PresenceStore } from '../../presence/presence-store.js';
import { conversationSubject } from '../events.js';
import type { TicketRow } from '../tables.js';
import type { TicketRepository } from '../ticket.repository.js';
import { viewer } from '../ticket.service.js';
import type { CsatRepository } from './csat.repository.js';
import type { CsatRow } from './tables.js';

declare module '../../../platform/events/live-events.js' {
  interface LiveEventMap {
    /** A customer's survey was asked in the app, or its answer changed: their connections hear. */
    'support.csat.changed': { customerId: string; conversationId: string; cycle: number };
  }
}

const HOUR_MS = 3_600_000;
const EDIT_MS = CSAT_EDIT_HOURS * HOUR_MS;
const LINK_MS = CSAT_LINK_DAYS * 24 * HOUR_MS;
/** What a link's token looks like: 32 random bytes, base64url. Anything else is no link of ours. */
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
/** Link page reads and answers one IP address may make per hour (carrier NAT puts many behind one). */
export const CSAT_LINK_PER_IP_HOUR = 120;
const LISTED_EVENTS = ['support.status_changed', 'support.assigned'];
const PAGE = 500;

export interface CsatServiceDeps {
  db: Transactor;
  surveys: CsatRepository;
  tickets: Pick<TicketRepository, 'get' | 'isVisible' | 'names' | 'subjects' | 'contact'>;
  events: Pick<DomainEvents, 'record' | 'list'>;
  live: Pick<LiveEvents, 'publish'>;
  jobs: Pick<JobQueue, 'sendInTransaction'>;
  presence: Pick<PresenceStore, 'online'>;
  sms: SmsProvider;
  limits: RateLimitFactory;
  /** Where people open the web client; the SMS link is `${publicUrl}/csat/<token>`. */
  publicUrl: string;
  logger: Logger;
  now: () => number;
  linkPerIpHour?: number;
}

/**
 * Customer satisfaction: a survey per resolve cycle with the agent and team of the time, asked in
 * the app when the customer is connected and by an SMS link when not; one answer per cycle,
 * editable for a day; each answer a durable `support.csat_received` event.
 */
export class CsatService {
  private readonly log: Logger;
  private readonly perIp: RateLimit;

  constructor(private readonly deps: CsatServiceDeps) {
    this.log = deps.logger.child({ component: 'support' });
    this.perIp = deps.limits({
      name: 'csat:ip:1h',
      points: deps.linkPerIpHour ?? CSAT_LINK_PER_IP_HOUR,
      durationSeconds: 3600,
    });
  }

  // ---- asking (a listener of support.status_changed) -----------------------------------------

  /**
   * A conversation was resolved: its cycle's survey is created once (a listener may run twice),
   * then asked in the app if the customer is connected, or else by SMS from a job.
   */
  async resolved(event: DomainEvent<'support.status_changed'>): Promise<void> {
    if (event.payload.to !== 'resolved') return;
    const conversationId = event.subject.slice('conversation:'.length);
    const { tickets, surveys, presence, jobs, db } = this.deps;
    const ticket = await tickets.get(conversationId);
    if (!ticket) return;
    const at = await this.stateAt(event);
    const online = (await presence.online([ticket.customerId])).has(ticket.customerId);
    const created = await db.transaction(async (tx) => {
      const row = await surveys.insertIfAbsent(
        {
          conversationId,
          cycle: at.cycle,
          customerId: ticket.customerId,
          inboxId: ticket.inboxId,
          teamId: at.teamId,
          agentId: at.agentId,
          askedAt: new Date(this.deps.now()),
        },
        tx,
      );
      if (row && !online) await jobs.sendInTransaction(tx, 'support-csat-sms', [{ csatId: row.id }]);
      return row;
    });
    if (!created) return; // asked when this listener ran before
    if (online) this.changed(created);
    this.log.info(
      { conversationId, cycle: created.cycle, asked: online ? 'app' : 'sms' },
      'satisfaction survey asked',
    );
  }

  /**
   * The conversation as it was when `event` happened: the resolve cycle, the assignee — or,
   * unassigned then, its last assignee before, else whoever resolved it — and the team. From the event
   * itself where it says, else replayed from the conversation's durable events (older events);
   * never from the ticket, which a reopen or a transfer may have changed before this runs.
   */
  private async stateAt(
    event: DomainEvent<'support.status_changed'>,
  ): Promise<{ cycle: number; agentId: string | null; teamId: string | null }> {
    const { cycle, teamId, assigneeId } = event.payload;
    if (cycle !== undefined && teamId !== undefined && assigneeId !== undefined) {
      const agentId = assigneeId ?? (await this.replay(event)).lastAssignee ?? event.actorId;
      return { cycle, agentId, teamId };
    }
    const replayed = await this.replay(event);
    return {
      cycle: replayed.cycle,
      agentId: replayed.assignee ?? replayed.lastAssignee ?? event.actorId,
      teamId: replayed.teamId,
    };
  }

  /** Reopens, assignments and the team before `event`, from the conversation's durable events. */
  private async replay(event: DomainEvent<'support.status_changed'>) {
    let cycle = 0;
    let assignee: string | null = null;
    let lastAssignee: string | null = null;
    let teamId: string | null = null;
    for (let afterId = 0; ; ) {
      const page = await this.deps.events.list({
        subject: event.subject,
        types: LISTED_EVENTS,
        afterId,
        limit: PAGE,
      });
      const before = page.filter((e) => e.id < event.id);
      for (const e of before) {
        if (e.type === 'support.status_changed') {
          if ((e as DomainEvent<'support.status_changed'>).payload.reopened) cycle++;
        } else {
          const { toId, teamId: team } = (e as DomainEvent<'support.assigned'>).payload;
          assignee = toId;
          lastAssignee = toId ?? lastAssignee;
          teamId = team;
        }
      }
      const last = page.at(-1);
      if (before.length < page.length || page.length < PAGE || !last) break;
      afterId = last.id;
    }
    return { cycle, assignee, lastAssignee, teamId };
  }

  /** `support-csat-sms`: the link goes out, once; retried while the provider fails transiently. */
  async sendLink(csatId: string): Promise<void> {
    const { surveys, tickets, sms } = this.deps;
    const survey = await surveys.get(csatId);
    // Sent already, or answered in the app meanwhile.
    if (!survey || survey.linkSentAt || survey.answeredAt) return;
    const contact = await tickets.contact(survey.customerId);
    // A website visitor has no phone to text: the survey waits for them in the widget.
    if (!contact || !isE164(contact.phone)) return;
    // A fresh token each attempt: only its hash is kept, so a retry cannot send the last one again.
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.now();
    await surveys.setLink(survey.id, hashToken(token), new Date(now + LINK_MS));
    const ids = { csatId: survey.id, conversationId: survey.conversationId };
    try {
      await sms.sendText(contact.phone, t(localeOf(survey)).csatSms(`${this.deps.publicUrl}/csat/${token}`));
    } catch (error) {
      if (error instanceof SmsProviderError && error.transient) throw error; // pg-boss retries with backoff
      this.log.error(
        { err: error, ...ids },
        'satisfaction SMS refused by the provider; not retried (the survey stays unanswered)',
      );
      return;
    }
    await surveys.markLinkSent(survey.id, new Date(now));
    this.log.info(ids, 'satisfaction survey link sent by SMS');
  }

  /** The provider kept failing until no retry was left. */
  linkGaveUp(csatId: string, error: unknown): void {
    this.log.error(
      { err: error, csatId },
      'satisfaction SMS given up after its retries; check the SMS provider (abrik doctor)',
    );
  }

  // ---- what the customer sees and does ---------------------------------------------------------

  /** For the conversations' support views: the survey of the resolve that stands (else none). */
  async views(tickets: TicketRow[]): Promise<Map<string, CsatView>> {
    const ended = tickets.filter((t) => t.status === 'resolved' || t.status === 'closed');
    const latest = await this.deps.surveys.latest(ended.map((t) => t.conversationId));
    const views = new Map<string, CsatView>();
    for (const ticket of ended) {
      const survey = latest.get(ticket.conversationId);
      // A survey of an earlier cycle belongs to a resolve that a reopen undid.
      if (survey && survey.cycle === ticket.reopenCount) views.set(ticket.conversationId, toView(survey));
    }
    return views;
  }

  /** The customer answers (or changes within the day) the survey of their conversation's latest resolve. */
  async answer(actor: Actor, conversationId: string, input: CsatAnswer): Promise<CsatView> {
    if (isStaff(actor)) throw new ForbiddenError('support/forbidden');
    const ticket = await this.deps.tickets.get(conversationId);
    if (!ticket || ticket.customerId !== actor.id) throw new NotFoundError('conversation/not_found');
    const survey = (await this.deps.surveys.latest([conversationId])).get(conversationId);
    if (!survey) throw new NotFoundError('csat/not_found');
    return toView(await this.record(survey, input, 'app'));
  }

  /** The SMS link's page (no sign-in): who served them, about what, and their answer so far. */
  async byLink(token: string, ip: string): Promise<CsatLink> {
    await this.perIp.consume(ip);
    return this.presentLink(await this.surveyOfLink(token));
  }

  async answerByLink(token: string, ip: string, input: CsatAnswer): Promise<CsatLink> {
    await this.perIp.consume(ip);
    const survey = await this.surveyOfLink(token);
    return this.presentLink(await this.record(survey, input, 'sms'));
  }

  // ---- staff -----------------------------------------------------------------------------------

  /** Every cycle's survey of a conversation the staff member sees. */
  async list(actor: Actor, conversationId: string): Promise<{ items: CsatSurvey[] }> {
    if (!isStaff(actor)) throw new ForbiddenError('support/forbidden');
    const { tickets, surveys } = this.deps;
    if (!(await tickets.get(conversationId)) || !(await tickets.isVisible(conversationId, viewer(actor)))) {
      throw new NotFoundError('conversation/not_found');
    }
    const rows = await surveys.listOf(conversationId);
    const names = await tickets.names([...new Set(rows.flatMap((r) => (r.agentId ? [r.agentId] : [])))]);
    return {
      items: rows.map((r) => ({
        conversationId: r.conversationId,
        cycle: r.cycle,
        inboxId: r.inboxId,
        teamId: r.teamId,
        agentId: r.agentId,
        agentName: r.agentId ? (names.get(r.agentId) ?? null) : null,
        askedAt: r.askedAt.toISOString(),
        rating: r.rating,
        comment: r.comment,
        answeredAt: iso(r.answeredAt),
        updatedAt: iso(r.updatedAt),
        via: r.via,
        linkSentAt: iso(r.linkSentAt),
        linkExpiresAt: iso(r.linkExpiresAt),
      })),
    };
  }

  // ---- internals -----------------------------------------------------------------------------

  /**
   * Stores an answer and its `support.csat_received` event in one transaction; 409 csat/closed
   * once a day has passed since the first answer (checked again in the update, so a change racing
   * the deadline cannot slip through).
   */
  private async record(survey: CsatRow, input: CsatAnswer, via: CsatChannel): Promise<CsatRow> {
    const now = new Date(this.deps.now());
    const editableAfter = new Date(now.getTime() - EDIT_MS);
    if (survey.answeredAt && survey.answeredAt < editableAfter) throw new AppError(409, 'csat/closed');
    const comment = input.comment ?? null;
    const row = await this.deps.db.transaction(async (tx) => {
      const updated = await this.deps.surveys.answer(
        survey.id,
        { rating: input.rating, comment, via, at: now, editableAfter },
        tx,
      );
      if (!updated) return undefined;
      await this.deps.events.record(tx, {
        type: 'support.csat_received',
        actorId: survey.customerId,
        subject: conversationSubject(survey.conversationId),
        payload: {
          inboxId: survey.inboxId,
          teamId: survey.teamId,
          agentId: survey.agentId,
          cycle: survey.cycle,
          rating: input.rating,
          comment,
        },
      });
      return updated;
    });
    if (!row) throw new AppError(409, 'csat/closed');
    this.changed(row);
    return row;
  }

  /** The survey of a link: 404 csat/not_found for no link of ours, 410 csat/expired after its week. */
  private async surveyOfLink(token: string): Promise<CsatRow> {
    const survey = TOKEN.test(token) ? await this.deps.surveys.byTokenHash(hashToken(token)) : undefined;
    if (!survey?.linkExpiresAt) throw new NotFoundError('csat/not_found');
    if (survey.linkExpiresAt.getTime() <= this.deps.now()) throw new AppError(410, 'csat/expired');
    return survey;
  }

  private async presentLink(survey: CsatRow): Promise<CsatLink> {
    const [names, subjects] = await Promise.all([
      this.deps.tickets.names(survey.agentId ? [survey.agentId] : []),
      this.deps.tickets.subjects([survey.conversationId]),
    ]);
    return {
      ...toView(survey),
      agentName: survey.agentId ? (names.get(survey.agentId) ?? null) : null,
      subject: subjects.get(survey.conversationId) ?? null,
      expiresAt: (survey.linkExpiresAt ?? new Date(this.deps.now())).toISOString(),
    };
  }

  private changed(survey: CsatRow): void {
    this.deps.live.publish('support.csat.changed', {
      customerId: survey.customerId,
      conversationId: survey.conversationId,
      cycle: survey.cycle,
    });
  }
}

function toView(survey: CsatRow): CsatView {
  return {
    cycle: survey.cycle,
    rating: survey.rating,
    comment: survey.comment,
    editableUntil: survey.answeredAt ? new Date(survey.answeredAt.getTime() + EDIT_MS).toISOString() : null,
  };
}

const iso = (d: Date | null) => d?.toISOString() ?? null;

/** SHA-256 of a link's token, hex: what is stored and looked up. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * The language of the customer's SMS. Users carry no language of their own (only their devices
 * do, for push), so it is Persian, as the other SMS are; the place to choose `en` once they do.
 */
function localeOf(_survey: CsatRow): Locale {
  return 'fa';
}
