import { randomUUID } from 'node:crypto';
import type { Report, ReportMetrics, ReportQuery, ReportTime } from '@abrik/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageRow } from '../src/modules/chat/tables.js';
import { conversations } from '../src/modules/chat/tables.js';
import { users } from '../src/modules/identity/tables.js';
import { supportCsat } from '../src/modules/support/csat/tables.js';
import { BusinessCalendar } from '../src/modules/support/hours/calendar.js';
import { CALENDAR_TEMPLATE_HOURS } from '../src/modules/support/hours/templates.js';
import { ReportRecorder } from '../src/modules/support/reports/recorder.service.js';
import { ReportRepository } from '../src/modules/support/reports/report.repository.js';
import { ReportService } from '../src/modules/support/reports/report.service.js';
import { ReportEventRepository } from '../src/modules/support/reports/report-event.repository.js';
import { supportSlaTargets } from '../src/modules/support/sla/tables.js';
import {
  supportInboxes,
  supportInboxTeams,
  supportTeamMembers,
  supportTeams,
  supportTickets,
  type TicketRow,
} from '../src/modules/support/tables.js';
import type { Actor } from '../src/platform/auth.js';
import { createDatabase, type Database, queryRows } from '../src/platform/db/client.js';
import type { DomainEvent } from '../src/platform/events/domain-events.js';
import { createLogger } from '../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from './support/databases.js';

/**
 * The golden dataset: 28 hand-built support conversations fed to the ReportRecorder as the desk
 * would (hand-built tickets, messages and domain events with explicit times), CSAT and SLA rows
 * written with explicit values, then reports asked for fixed ranges and compared with numbers
 * computed by hand below. Times are Tehran wall times (+03:30 in 1405).
 *
 * People: Ali (A) and Bahar (B) are agents of team Sales (T1), Sima (S) its supervisor; Cyrus (C)
 * is the agent of team Tech (T2). Inbox I1 (served by Sales) keeps "Iran — Sat–Wed 8–17, Thu
 * 8–13, Fri closed"; inbox I2 (served by Tech) is open all hours (business time = wall time).
 *
 * Days used (Jalali 1405 = Gregorian): 30 Aban = Sat 2026-11-21, 1 Azar = Sun 11-22,
 * 25 Azar = Wed 12-16, 26 Azar = Thu 12-17, 27 Azar = Fri 12-18, 28 Azar = Sat 12-19 (week 40
 * starts), 29 Azar = Sun 12-20, 30 Azar = Mon 12-21, 1 Dey = Tue 12-22, 2 Dey = Wed 12-23,
 * 3 Dey = Thu 12-24, 4 Dey = Fri 12-25, 5 Dey = Sat 12-26 (week 41), 12 Dey = Sat 2027-01-02,
 * 30 Dey = Wed 2027-01-20.
 *
 * What each conversation records (FR first response, R reply, RES resolution; wall/business s):
 *  C1  I1 A    opened 28 Az 09:00 · FR A 09:01 60/60 · RES 09:30 1800/1800 · CSAT 5 · SLA FR met
 *  C2  I1 A    opened 28 Az 10:00 · FR 10:02 120/120 · customer 10:10, R A 10:15 300/300 ·
 *              RES 11:00 3600/3600 · CSAT 4 · SLA FR met, next response breached 10:12
 *  C3  I1 B    opened 28 Az 11:00 · FR B 11:15 900/900 · RES 12:00 3600/3600 · CSAT unanswered ·
 *              SLA FR breached 11:05 (met late), resolution met 12:00
 *  C8  I1 A    out of hours: customer Thu 26 Az 16:30, answered Sat 28 Az 08:30 · FR wall 40 h
 *              = 144000, business 1800 (Thu closes 13:00, Fri closed, Sat opens 08:00) ·
 *              RES Sat 09:00: wall 40.5 h = 145800, business 3600 · CSAT unanswered ·
 *              SLA FR (1 business hour) due Sat 09:00, met 08:30
 *  C4  I1 A    reopen: opened 29 Az 09:00 · FR A 09:05 300 · RES 09:20 1200 · CSAT 2 ·
 *              reopened 14:00 (cycle 1, Ali had it), Ali assigned again, Bahar replies 14:10:
 *              FR of cycle 1 = 600 from the reopen, replier B, assignee A · RES 15:00 3600 ·
 *              CSAT of cycle 1: 4
 *  C5  I1      transfer: opened 29 Az 10:00 to A, transferred to B 10:20 · FR B 10:30 1800
 *              (B as replier and assignee; A nothing) · RES B 11:00 3600 · CSAT unanswered
 *  C6  I2      team transfer: opened 29 Az 12:00 · FR C 12:05 300 (team Tech) · customer 12:10,
 *              moved to Sales/A 12:20 · R A 12:30 1200 (Sales) · RES A 13:00 3600 (Sales) · CSAT 3
 *  C23 I2 C    opened 29 Az 08:00 · FR 08:01 60 · RES 08:11 660 · CSAT 5
 *  C24 I2 C    opened 29 Az 09:00 · FR 09:05 300 · RES 09:35 2100 · CSAT unanswered
 *  C7  I1 A    pending and snoozed: opened 30 Az 09:00 · FR 09:10 600 · pending 09:11 ·
 *              customer 13:00 (open again) · R 13:30 1800 · snoozed 13:31 · awake Tue 09:00 ·
 *              RES Tue 1 Dey 10:00: wall 25 h = 90000, business Mon 09–17 8 h + Tue 08–10 2 h
 *              = 36000 · CSAT 5 · SLA resolution due Mon 17:00, breached then
 *  C9  I2 C    hand-off: opened 30 Az 10:00, Cyrus greets 10:00 before the customer wrote (no
 *              first response), customer 10:20 · FR 10:25 300 (from 10:20) · RES 11:00 3600
 *              (from the opening) · CSAT 1 · SLA FR due 10:22, met 10:25, not marked: breached
 *  C10 I2 C    opened Mon 30 Az 23:59 · FR Tue 1 Dey 00:01 120 · RES 00:31 1920 · CSAT 5
 *  C25 I1 B    opened Mon 30 Az 16:50 · FR 17:10: wall 1200, business 600 (closes 17:00) ·
 *              RES Tue 08:10: wall 15 h 20 min = 55200, business 600 + 600 = 1200 · CSAT 4 ·
 *              SLA FR (30 business min) due Tue 08:20, met Mon 17:10
 *  C11 I2 C    opened Tue 1 Dey 00:01 · FR 00:03 120 · SLA next response still running
 *  C18 I2 C    two reopens, on Tue 1 Dey: opened 12:00 · FR 12:01 60 · RES 12:10 600 (CSAT 5,
 *              SLA resolution met) · reopened 13:00 · FR 13:02 120 · RES 13:30 1800 (CSAT
 *              unanswered, SLA met on its due time) · reopened 14:00 · FR 14:05 300 ·
 *              RES 14:20 1200 (CSAT 3, SLA due 14:15, breached)
 *  C15 I2      opened Wed 2 Dey 09:00, never answered, resolved by the system 10:00 with nobody
 *              assigned · RES 3600 (no agent) · SLA FR stopped by the resolve (not counted)
 *  C26 I1 A    opened Wed 2 Dey 09:30, not answered
 *  C27 I1 B    opened Wed 2 Dey 10:00, the customer never wrote; Bahar wrote 10:00 (no FR)
 *  C16 I1 A    opened Thu 3 Dey 12:00 · FR 12:30 1800/1800 · RES 16:00: wall 14400, business
 *              3600 (Thu closes 13:00)
 *  C28 I2 C    opened Thu 3 Dey 22:00 · FR 22:30 1800 · customer 22:40, R 23:00 1200 ·
 *              customer 23:10, R 23:15 300 · RES 23:30 5400
 *  C17 I1 B    Friday: customer Fri 4 Dey 10:00 · FR B 10:30: wall 1800, business 0 (closed) ·
 *              RES 11:00: wall 3600, business 0
 *  C12 I2 C    opened Fri 4 Dey 23:50 (week 40) · FR Sat 5 Dey 00:10 1200 (week 41)
 *  C13 I2 C    opened Wed 25 Az 12:00 · FR 12:10 600 · RES 12:30 1800
 *  C14 I2 C    opened Fri 27 Az 20:00 · FR 20:20 1200
 *  C19 I1 B    opened Sat 12 Dey 09:00 · FR 09:40 2400 · RES 10:00 3600
 *  C20 I2 C    opened Wed 30 Dey 16:00 · FR 16:03 180 · RES 17:00 3600
 *  C21 I1 A    opened Sun 1 Azar 09:00 · FR 09:20 1200 · RES 10:00 3600
 *  C22 I1 A    opened Sat 30 Aban 23:00 (closed) · FR Sun 1 Azar 08:10: wall 9 h 10 min = 33000,
 *              business 600 · RES 09:00: wall 36000, business 3600
 */

const TEHRAN = 'Asia/Tehran';
/** A Tehran wall time in 1405 (+03:30, no daylight saving since 2022). */
const teh = (local: string) => new Date(`${local.replace(' ', 'T')}:00+03:30`);

describe('support reports: the golden dataset on postgres', () => {
  let database: TestDatabase;
  let db: Database;
  let recorder: ReportRecorder;
  let service: ReportService;
  const tickets = new Map<string, TicketRow>();
  const id = {
    admin: randomUUID(),
    sima: randomUUID(),
    ali: randomUUID(),
    bahar: randomUUID(),
    cyrus: randomUUID(),
    customer: randomUUID(),
    sales: randomUUID(),
    tech: randomUUID(),
    i1: randomUUID(),
    i2: randomUUID(),
  };
  const conv: Record<string, string> = {};
  const admin: Actor = { id: id.admin, role: 'admin' };

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    db = await createDatabase({
      url: database.url,
      dataDir: '/tmp/abrik-test-unused',
      poolSize: 4,
      statementTimeoutMs: 10_000,
      connectTimeoutMs: 5000,
      logger: createLogger({ level: 'silent' }),
    });
    await db.migrate();
    const d = db.db;
    const person = (uid: string, name: string, role: Actor['role'], n: number) => ({
      id: uid,
      name,
      role,
      phone: `+98912000${String(n).padStart(4, '0')}`,
    });
    await d
      .insert(users)
      .values([
        person(id.admin, 'Admin', 'admin', 1),
        person(id.sima, 'Sima', 'supervisor', 2),
        person(id.ali, 'Ali', 'agent', 3),
        person(id.bahar, 'Bahar', 'agent', 4),
        person(id.cyrus, 'Cyrus', 'agent', 5),
        person(id.customer, 'Customer', 'customer', 6),
      ]);
    await d.insert(supportTeams).values([
      { id: id.sales, name: 'Sales' },
      { id: id.tech, name: 'Tech' },
    ]);
    await d.insert(supportTeamMembers).values([
      { teamId: id.sales, userId: id.ali, role: 'agent' },
      { teamId: id.sales, userId: id.bahar, role: 'agent' },
      { teamId: id.sales, userId: id.sima, role: 'supervisor' },
      { teamId: id.tech, userId: id.cyrus, role: 'agent' },
    ]);
    await d.insert(supportInboxes).values([
      { id: id.i1, name: 'Sales inbox', kind: 'widget' },
      { id: id.i2, name: 'Tech inbox', kind: 'widget' },
    ]);
    await d.insert(supportInboxTeams).values([
      { inboxId: id.i1, teamId: id.sales },
      { inboxId: id.i2, teamId: id.tech },
    ]);

    const calendars = new Map<string, BusinessCalendar>([
      [
        id.i1,
        BusinessCalendar.of({ timeZone: TEHRAN, weekly: CALENDAR_TEMPLATE_HOURS.iran_standard, days: [] }),
      ],
      [id.i2, BusinessCalendar.always(TEHRAN)],
    ]);
    recorder = new ReportRecorder({
      events: new ReportEventRepository(d),
      tickets: { get: async (conversationId) => tickets.get(conversationId) },
      calendars: { calendarOf: async (inboxId) => calendars.get(inboxId)! },
    });
    service = new ReportService({
      reports: new ReportRepository(d),
      events: { record: async () => {} },
      db: d,
      timeZone: TEHRAN,
    });
    await seed();
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  /** One conversation's life, told to the recorder the way the desk tells it. */
  class Story {
    ticket: TicketRow;
    private eventId = 0;

    constructor(
      readonly name: string,
      inboxId: string,
      opened: Date,
    ) {
      const conversationId = randomUUID();
      conv[name] = conversationId;
      this.ticket = {
        conversationId,
        notesConversationId: randomUUID(),
        inboxId,
        teamId: null,
        assigneeId: null,
        customerId: id.customer,
        status: 'open',
        priority: 'none',
        labels: [],
        waitingSince: null,
        queuedAt: opened,
        assignedAt: null,
        firstCustomerMessageAt: null,
        firstAgentReplyAt: null,
        lastActivityAt: opened,
        resolvedAt: null,
        closedAt: null,
        snoozedUntil: null,
        snoozedUntilReply: false,
        reopenCount: 0,
        cycleStartedAt: null,
        cycleFirstReplyAt: null,
        lastStaffReplyAt: null,
        lastReplyWaitedSince: null,
        autoReassigns: 0,
        excludedAgentIds: [],
        escalatedAt: null,
        previousAssigneeId: null,
        linkedFrom: null,
        version: 1,
        createdAt: opened,
      };
    }

    /** The conversation, its ticket and the durable `support.opened`. */
    async open(): Promise<this> {
      const t = this.ticket;
      await db.db.insert(conversations).values([
        { id: t.notesConversationId, kind: 'notes', createdAt: t.createdAt },
        { id: t.conversationId, kind: 'support', createdBy: id.customer, createdAt: t.createdAt },
      ]);
      await db.db.insert(supportTickets).values({ ...t, version: 1 });
      tickets.set(t.conversationId, t);
      await recorder.opened(
        this.event('support.opened', id.customer, t.createdAt, { inboxId: t.inboxId, linkedFrom: null }),
      );
      return this;
    }

    /** The customer writes: the wait starts (if it had not). */
    customer(local: string): this {
      const at = teh(local);
      this.set({
        firstCustomerMessageAt: this.ticket.firstCustomerMessageAt ?? at,
        waitingSince: this.ticket.waitingSince ?? at,
      });
      return this;
    }

    assign(agentId: string | null, teamId: string): this {
      this.set({ assigneeId: agentId, teamId });
      return this;
    }

    /** A public staff reply (TicketService.staffReplied; a reply while nobody has it claims it). */
    async reply(agentId: string, local: string): Promise<this> {
      const at = teh(local);
      const before = this.ticket;
      const start = before.reopenCount === 0 ? before.firstCustomerMessageAt : before.cycleStartedAt;
      const answers = start !== null && at.getTime() >= start.getTime();
      const after: TicketRow = {
        ...before,
        firstAgentReplyAt: before.firstAgentReplyAt ?? at,
        cycleFirstReplyAt: before.cycleFirstReplyAt ?? (answers ? at : null),
        lastStaffReplyAt: at,
        lastReplyWaitedSince: before.waitingSince,
        waitingSince: null,
        lastActivityAt: at,
      };
      await recorder.observe({
        kind: 'agent_reply',
        before,
        after,
        message: message(before, agentId, at),
        agentId,
      });
      this.ticket = after;
      if (after.assigneeId === null) this.set({ assigneeId: agentId });
      return this;
    }

    /** A status change and its durable `support.status_changed` (inbox, team, assignee before it). */
    async status(to: TicketRow['status'], local: string, actorId: string | null): Promise<this> {
      const at = teh(local);
      const before = this.ticket;
      const reopened = before.status === 'resolved' && to === 'open';
      this.set({
        status: to,
        lastActivityAt: at,
        ...(reopened
          ? {
              reopenCount: before.reopenCount + 1,
              cycleStartedAt: at,
              cycleFirstReplyAt: null,
              assigneeId: null,
            }
          : {}),
        ...(to === 'resolved' ? { waitingSince: null, resolvedAt: at } : {}),
      });
      const after = this.ticket;
      await recorder.statusChanged(
        this.event('support.status_changed', actorId, at, {
          from: before.status,
          to,
          reopened,
          cycle: after.reopenCount,
          at: at.toISOString(),
          cycleStartedAt: after.cycleStartedAt?.toISOString() ?? null,
          inboxId: before.inboxId,
          teamId: before.teamId,
          assigneeId: before.assigneeId,
        }),
      );
      return this;
    }

    resolve(local: string, actorId: string | null) {
      return this.status('resolved', local, actorId);
    }

    /** The customer writes after a resolve: the reopen, then their message. */
    async reopen(local: string): Promise<this> {
      await this.status('open', local, id.customer);
      return this.customer(local);
    }

    /** The ticket as it ends (the SLA figures are placed by it). */
    async save(): Promise<void> {
      const t = this.ticket;
      await db.db.execute(
        sql`update support_tickets set inbox_id = ${t.inboxId}, team_id = ${t.teamId}, assignee_id = ${t.assigneeId},
              status = ${t.status}, reopen_count = ${t.reopenCount}
            where conversation_id = ${t.conversationId}`,
      );
    }

    private set(patch: Partial<TicketRow>) {
      this.ticket = { ...this.ticket, ...patch };
      tickets.set(this.ticket.conversationId, this.ticket);
    }

    private event<T extends 'support.opened' | 'support.status_changed'>(
      type: T,
      actorId: string | null,
      at: Date,
      payload: DomainEvent<T>['payload'],
    ): DomainEvent<T> {
      return {
        id: ++this.eventId,
        type,
        actorId,
        subject: `conversation:${this.ticket.conversationId}`,
        payload,
        at,
      };
    }
  }

  const message = (ticket: TicketRow, senderId: string, at: Date): MessageRow => ({
    id: randomUUID(),
    conversationId: ticket.conversationId,
    seq: 1,
    senderId,
    clientMsgId: null,
    kind: 'text',
    body: 'reply',
    createdAt: at,
    editedAt: null,
    deletedAt: null,
    replyToSeq: null,
    meta: null,
  });

  const story = async (name: string, inbox: 'i1' | 'i2', opened: string) =>
    new Story(name, id[inbox], teh(opened)).open();

  async function seed() {
    const { ali: A, bahar: B, cyrus: C, sales: T1, tech: T2 } = id;
    const stories: Story[] = [];
    const told = async (s: Promise<Story>) => {
      stories.push(await s);
    };

    // Week 40, Saturday 28 Azar.
    await told(
      story('C1', 'i1', '2026-12-19 09:00').then((s) =>
        s
          .customer('2026-12-19 09:00')
          .assign(A, T1)
          .reply(A, '2026-12-19 09:01')
          .then((s) => s.resolve('2026-12-19 09:30', A)),
      ),
    );
    await told(
      (async () => {
        const s = await story('C2', 'i1', '2026-12-19 10:00');
        s.customer('2026-12-19 10:00').assign(A, T1);
        await s.reply(A, '2026-12-19 10:02');
        s.customer('2026-12-19 10:10');
        await s.reply(A, '2026-12-19 10:15');
        return s.resolve('2026-12-19 11:00', A);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C3', 'i1', '2026-12-19 11:00');
        s.customer('2026-12-19 11:00').assign(B, T1);
        await s.reply(B, '2026-12-19 11:15');
        return s.resolve('2026-12-19 12:00', B);
      })(),
    );
    // Out of hours: Thursday 16:30, answered Saturday 08:30.
    await told(
      (async () => {
        const s = await story('C8', 'i1', '2026-12-17 16:30');
        s.customer('2026-12-17 16:30').assign(A, T1);
        await s.reply(A, '2026-12-19 08:30');
        return s.resolve('2026-12-19 09:00', A);
      })(),
    );

    // Sunday 29 Azar.
    await told(
      (async () => {
        const s = await story('C4', 'i1', '2026-12-20 09:00');
        s.customer('2026-12-20 09:00').assign(A, T1);
        await s.reply(A, '2026-12-20 09:05');
        await s.resolve('2026-12-20 09:20', A);
        await s.reopen('2026-12-20 14:00');
        s.assign(A, T1); // the previous assignee gets it back
        await s.reply(B, '2026-12-20 14:10'); // a teammate answers Ali's conversation
        return s.resolve('2026-12-20 15:00', A);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C5', 'i1', '2026-12-20 10:00');
        s.customer('2026-12-20 10:00').assign(A, T1);
        s.assign(B, T1); // transferred before Ali answered
        await s.reply(B, '2026-12-20 10:30');
        return s.resolve('2026-12-20 11:00', B);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C6', 'i2', '2026-12-20 12:00');
        s.customer('2026-12-20 12:00').assign(C, T2);
        await s.reply(C, '2026-12-20 12:05');
        s.customer('2026-12-20 12:10');
        s.assign(A, T1); // to another team
        await s.reply(A, '2026-12-20 12:30');
        return s.resolve('2026-12-20 13:00', A);
      })(),
    );
    for (const [name, opened, replied, resolved] of [
      ['C23', '2026-12-20 08:00', '2026-12-20 08:01', '2026-12-20 08:11'],
      ['C24', '2026-12-20 09:00', '2026-12-20 09:05', '2026-12-20 09:35'],
    ] as const) {
      await told(
        (async () => {
          const s = await story(name, 'i2', opened);
          s.customer(opened).assign(C, T2);
          await s.reply(C, replied);
          return s.resolve(resolved, C);
        })(),
      );
    }

    // Monday 30 Azar.
    await told(
      (async () => {
        const s = await story('C7', 'i1', '2026-12-21 09:00');
        s.customer('2026-12-21 09:00').assign(A, T1);
        await s.reply(A, '2026-12-21 09:10');
        await s.status('pending', '2026-12-21 09:11', A);
        await s.status('open', '2026-12-21 13:00', id.customer);
        s.customer('2026-12-21 13:00');
        await s.reply(A, '2026-12-21 13:30');
        await s.status('snoozed', '2026-12-21 13:31', A);
        await s.status('open', '2026-12-22 09:00', null);
        return s.resolve('2026-12-22 10:00', A);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C9', 'i2', '2026-12-21 10:00');
        s.assign(C, T2);
        await s.reply(C, '2026-12-21 10:00'); // before the customer wrote: no first response
        s.customer('2026-12-21 10:20');
        await s.reply(C, '2026-12-21 10:25');
        return s.resolve('2026-12-21 11:00', C);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C10', 'i2', '2026-12-21 23:59');
        s.customer('2026-12-21 23:59').assign(C, T2);
        await s.reply(C, '2026-12-22 00:01');
        return s.resolve('2026-12-22 00:31', C);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C25', 'i1', '2026-12-21 16:50');
        s.customer('2026-12-21 16:50').assign(B, T1);
        await s.reply(B, '2026-12-21 17:10');
        return s.resolve('2026-12-22 08:10', B);
      })(),
    );

    // Tuesday 1 Dey.
    await told(
      (async () => {
        const s = await story('C11', 'i2', '2026-12-22 00:01');
        s.customer('2026-12-22 00:01').assign(C, T2);
        return s.reply(C, '2026-12-22 00:03');
      })(),
    );
    await told(
      (async () => {
        const s = await story('C18', 'i2', '2026-12-22 12:00');
        s.customer('2026-12-22 12:00').assign(C, T2);
        await s.reply(C, '2026-12-22 12:01');
        await s.resolve('2026-12-22 12:10', C);
        await s.reopen('2026-12-22 13:00');
        s.assign(C, T2);
        await s.reply(C, '2026-12-22 13:02');
        await s.resolve('2026-12-22 13:30', C);
        await s.reopen('2026-12-22 14:00');
        s.assign(C, T2);
        await s.reply(C, '2026-12-22 14:05');
        return s.resolve('2026-12-22 14:20', C);
      })(),
    );

    // Wednesday 2 Dey.
    await told(
      (async () => {
        const s = await story('C15', 'i2', '2026-12-23 09:00');
        s.customer('2026-12-23 09:00').assign(null, T2);
        return s.resolve('2026-12-23 10:00', null); // by the system, nobody assigned
      })(),
    );
    await told(
      story('C26', 'i1', '2026-12-23 09:30').then((s) => s.customer('2026-12-23 09:30').assign(A, T1)),
    );
    await told(
      (async () => {
        const s = await story('C27', 'i1', '2026-12-23 10:00');
        s.assign(B, T1);
        return s.reply(B, '2026-12-23 10:00'); // the customer never wrote
      })(),
    );

    // Thursday 3 Dey.
    await told(
      (async () => {
        const s = await story('C16', 'i1', '2026-12-24 12:00');
        s.customer('2026-12-24 12:00').assign(A, T1);
        await s.reply(A, '2026-12-24 12:30');
        return s.resolve('2026-12-24 16:00', A);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C28', 'i2', '2026-12-24 22:00');
        s.customer('2026-12-24 22:00').assign(C, T2);
        await s.reply(C, '2026-12-24 22:30');
        s.customer('2026-12-24 22:40');
        await s.reply(C, '2026-12-24 23:00');
        s.customer('2026-12-24 23:10');
        await s.reply(C, '2026-12-24 23:15');
        return s.resolve('2026-12-24 23:30', C);
      })(),
    );

    // Friday 4 Dey, and across the week's end.
    await told(
      (async () => {
        const s = await story('C17', 'i1', '2026-12-25 10:00');
        s.customer('2026-12-25 10:00').assign(B, T1);
        await s.reply(B, '2026-12-25 10:30');
        return s.resolve('2026-12-25 11:00', B);
      })(),
    );
    await told(
      (async () => {
        const s = await story('C12', 'i2', '2026-12-25 23:50');
        s.customer('2026-12-25 23:50').assign(C, T2);
        return s.reply(C, '2026-12-26 00:10');
      })(),
    );

    // Week 39, later Dey, early Azar and Aban.
    for (const [name, inbox, agent, team, opened, replied, resolved] of [
      ['C13', 'i2', C, T2, '2026-12-16 12:00', '2026-12-16 12:10', '2026-12-16 12:30'],
      ['C14', 'i2', C, T2, '2026-12-18 20:00', '2026-12-18 20:20', null],
      ['C19', 'i1', B, T1, '2027-01-02 09:00', '2027-01-02 09:40', '2027-01-02 10:00'],
      ['C20', 'i2', C, T2, '2027-01-20 16:00', '2027-01-20 16:03', '2027-01-20 17:00'],
      ['C21', 'i1', A, T1, '2026-11-22 09:00', '2026-11-22 09:20', '2026-11-22 10:00'],
      ['C22', 'i1', A, T1, '2026-11-21 23:00', '2026-11-22 08:10', '2026-11-22 09:00'],
    ] as const) {
      await told(
        (async () => {
          const s = await story(name, inbox, opened);
          s.customer(opened).assign(agent, team);
          await s.reply(agent, replied);
          return resolved ? s.resolve(resolved, agent) : s;
        })(),
      );
    }
    for (const s of stories) await s.save();
    expect(stories).toHaveLength(28);

    // Satisfaction surveys: one per resolved cycle asked at the resolve (some left out).
    const csat = (
      name: string,
      cycle: number,
      asked: string,
      agentId: string,
      teamId: string,
      inbox: 'i1' | 'i2',
      rating: number | null,
    ) => ({
      conversationId: conv[name]!,
      cycle,
      customerId: id.customer,
      inboxId: id[inbox],
      teamId,
      agentId,
      askedAt: teh(asked),
      rating,
      answeredAt: rating === null ? null : teh(asked),
    });
    await db.db
      .insert(supportCsat)
      .values([
        csat('C1', 0, '2026-12-19 09:30', A, T1, 'i1', 5),
        csat('C2', 0, '2026-12-19 11:00', A, T1, 'i1', 4),
        csat('C3', 0, '2026-12-19 12:00', B, T1, 'i1', null),
        csat('C8', 0, '2026-12-19 09:00', A, T1, 'i1', null),
        csat('C4', 0, '2026-12-20 09:20', A, T1, 'i1', 2),
        csat('C4', 1, '2026-12-20 15:00', A, T1, 'i1', 4),
        csat('C5', 0, '2026-12-20 11:00', B, T1, 'i1', null),
        csat('C6', 0, '2026-12-20 13:00', A, T1, 'i2', 3),
        csat('C23', 0, '2026-12-20 08:11', C, T2, 'i2', 5),
        csat('C24', 0, '2026-12-20 09:35', C, T2, 'i2', null),
        csat('C9', 0, '2026-12-21 11:00', C, T2, 'i2', 1),
        csat('C7', 0, '2026-12-22 10:00', A, T1, 'i1', 5),
        csat('C10', 0, '2026-12-22 00:31', C, T2, 'i2', 5),
        csat('C25', 0, '2026-12-22 08:10', B, T1, 'i1', 4),
        csat('C18', 0, '2026-12-22 12:10', C, T2, 'i2', 5),
        csat('C18', 1, '2026-12-22 13:30', C, T2, 'i2', null),
        csat('C18', 2, '2026-12-22 14:20', C, T2, 'i2', 3),
      ]);

    // SLA targets with their outcome as the clocks left them.
    const target = (
      name: string,
      kind: 'first_response' | 'next_response' | 'resolution',
      cycle: number,
      t: { started: string; due: string; met?: string; by?: string; breached?: string; stopped?: string },
    ) => ({
      conversationId: conv[name]!,
      kind,
      cycle,
      business: false,
      targetSeconds: 300,
      startedAt: teh(t.started),
      dueAt: teh(t.due),
      metAt: t.met ? teh(t.met) : null,
      metBy: t.by ?? null,
      breachedAt: t.breached ? teh(t.breached) : null,
      stoppedAt: t.stopped ? teh(t.stopped) : null,
    });
    await db.db.insert(supportSlaTargets).values([
      target('C1', 'first_response', 0, {
        started: '2026-12-19 09:00',
        due: '2026-12-19 09:05',
        met: '2026-12-19 09:01',
        by: A,
      }),
      target('C2', 'first_response', 0, {
        started: '2026-12-19 10:00',
        due: '2026-12-19 10:05',
        met: '2026-12-19 10:02',
        by: A,
      }),
      // Breached at 10:12 and met afterwards: a breach.
      target('C2', 'next_response', 0, {
        started: '2026-12-19 10:10',
        due: '2026-12-19 10:12',
        breached: '2026-12-19 10:12',
        met: '2026-12-19 10:15',
        by: A,
      }),
      target('C3', 'first_response', 0, {
        started: '2026-12-19 11:00',
        due: '2026-12-19 11:05',
        breached: '2026-12-19 11:05',
        met: '2026-12-19 11:15',
        by: B,
      }),
      target('C3', 'resolution', 0, {
        started: '2026-12-19 11:00',
        due: '2026-12-19 13:00',
        met: '2026-12-19 12:00',
      }),
      // One business hour from Thursday 16:30: due Saturday 09:00.
      target('C8', 'first_response', 0, {
        started: '2026-12-17 16:30',
        due: '2026-12-19 09:00',
        met: '2026-12-19 08:30',
        by: A,
      }),
      // Met three minutes late, before the breach was marked: a breach, at its due time.
      target('C9', 'first_response', 0, {
        started: '2026-12-21 10:20',
        due: '2026-12-21 10:22',
        met: '2026-12-21 10:25',
        by: C,
      }),
      target('C25', 'first_response', 0, {
        started: '2026-12-21 16:50',
        due: '2026-12-22 08:20',
        met: '2026-12-21 17:10',
        by: B,
      }),
      target('C7', 'resolution', 0, {
        started: '2026-12-21 09:00',
        due: '2026-12-21 17:00',
        breached: '2026-12-21 17:00',
        met: '2026-12-22 10:00',
      }),
      target('C18', 'resolution', 0, {
        started: '2026-12-22 12:00',
        due: '2026-12-22 12:30',
        met: '2026-12-22 12:10',
      }),
      // Met on its due time: on time.
      target('C18', 'resolution', 1, {
        started: '2026-12-22 13:00',
        due: '2026-12-22 13:30',
        met: '2026-12-22 13:30',
      }),
      target('C18', 'resolution', 2, {
        started: '2026-12-22 14:00',
        due: '2026-12-22 14:15',
        breached: '2026-12-22 14:15',
        met: '2026-12-22 14:20',
      }),
      // Not counted: stopped by the resolve, and one still running.
      target('C15', 'first_response', 0, {
        started: '2026-12-23 09:00',
        due: '2026-12-23 10:30',
        stopped: '2026-12-23 10:00',
      }),
      target('C11', 'next_response', 0, { started: '2026-12-22 00:05', due: '2026-12-22 00:35' }),
    ]);
  }

  const report = (query: Partial<ReportQuery>, actor: Actor = admin) =>
    service.report(actor, {
      bucket: 'day',
      groupBy: 'none',
      from: '2026-12-19',
      to: '2026-12-22',
      ...query,
    } as ReportQuery);

  /** count, [mean, median, p90] wall, [mean, median, p90] business. */
  function expectTime(actual: ReportTime, count: number, wall: number[], business: number[] = wall) {
    expect(actual.count).toBe(count);
    const [mean, median, p90] = wall;
    expect(actual.wall.mean).toBeCloseTo(mean!, 3);
    expect(actual.wall.median).toBeCloseTo(median!, 3);
    expect(actual.wall.p90).toBeCloseTo(p90!, 3);
    expect(actual.business.mean).toBeCloseTo(business[0]!, 3);
    expect(actual.business.median).toBeCloseTo(business[1]!, 3);
    expect(actual.business.p90).toBeCloseTo(business[2]!, 3);
  }
  const counts = (m: ReportMetrics) => [m.opened, m.reopened, m.resolved];
  const group = (r: Report, groupId: string | null) => {
    const found = r.groups.find((g) => g.id === groupId);
    if (!found) throw new Error(`no group ${groupId}`);
    return found;
  };

  it('records what each story should: 28 conversations, reopens as cycles, no first response before the customer wrote', async () => {
    const rows = await queryRows<{ kind: string; n: number }>(
      db.db,
      sql`select kind, count(*)::int as n from support_report_events group by kind order by kind`,
    );
    // Opened: 28 conversations + 3 reopens (C4 once, C18 twice) = 31. Replies: C2, C6, C7 one
    // each, C28 two = 5.
    const byKind = Object.fromEntries(rows.map((r) => [r.kind, r.n]));
    // First responses: every story with a reply after the customer wrote — 28 minus C15, C26,
    // C27 (no answer) = 25 — plus the cycles after reopens (C4 1, C18 2) = 28.
    // Resolves: 28 minus C11, C12, C14, C26, C27 (left open) = 23, plus 3 reopened cycles = 26.
    expect(byKind).toEqual({ opened: 31, first_response: 28, reply: 5, resolved: 26 });
    const c9 = await queryRows<{ kind: string; at: Date }>(
      db.db,
      sql`select kind, at from support_report_events where conversation_id = ${conv.C9} and kind = 'first_response'`,
    );
    expect(c9.map((r) => new Date(r.at).toISOString())).toEqual([teh('2026-12-21 10:25').toISOString()]);
  });

  it('counts per Jalali day, with medians and p90 over each day’s own values', async () => {
    const r = await report({});
    expect(r.buckets.map((b) => [b.label, b.start, b.end])).toEqual([
      ['1405-09-28', '2026-12-18T20:30:00.000Z', '2026-12-19T20:30:00.000Z'],
      ['1405-09-29', '2026-12-19T20:30:00.000Z', '2026-12-20T20:30:00.000Z'],
      ['1405-09-30', '2026-12-20T20:30:00.000Z', '2026-12-21T20:30:00.000Z'],
      ['1405-10-01', '2026-12-21T20:30:00.000Z', '2026-12-22T20:30:00.000Z'],
    ]);
    const [sat, sun, mon, tue] = r.all.buckets as [
      ReportMetrics,
      ReportMetrics,
      ReportMetrics,
      ReportMetrics,
    ];

    // Saturday 28 Azar: opened C1, C2, C3 (C8 opened on Thursday) = 3; resolved C1, C2, C3, C8.
    expect(counts(sat)).toEqual([3, 0, 4]);
    // FR wall [60, 120, 900, 144000]: mean 145080 / 4 = 36270; median (120 + 900) / 2 = 510;
    // p90 at 1 + 0.9 × 3 = 3.7: 900 + 0.7 × (144000 − 900) = 101070.
    // FR business [60, 120, 900, 1800] (C8: 08:00–08:30 on Saturday): mean 2880 / 4 = 720;
    // median 510; p90 900 + 0.7 × 900 = 1530.
    expectTime(sat.firstResponse, 4, [36270, 510, 101070], [720, 510, 1530]);
    expectTime(sat.reply, 1, [300, 300, 300]);
    // Resolution wall [1800, 3600, 3600, 145800]: mean 154800 / 4 = 38700; median 3600;
    // p90 3600 + 0.7 × 142200 = 103140. Business [1800, 3600, 3600, 3600]: mean 3150.
    expectTime(sat.resolution, 4, [38700, 3600, 103140], [3150, 3600, 3600]);
    // CSAT asked at C1 (5), C2 (4), C3 (–), C8 (–): score 4.5, rate 2 / 4.
    expect(sat.csat).toEqual({ asked: 4, answered: 2, score: 4.5, responseRate: 0.5 });
    // SLA: FR met C1, C2, C8, breached C3 → 75 %; next response C2 breached → 0 %; resolution
    // C3 met → 100 %.
    expect(sat.sla).toEqual({
      first_response: { met: 3, breached: 1, metPercent: 75 },
      next_response: { met: 0, breached: 1, metPercent: 0 },
      resolution: { met: 1, breached: 0, metPercent: 100 },
    });

    // Sunday 29 Azar: opened C4, C5, C6, C23, C24; C4 reopened; resolved C4 twice, C5, C6, C23, C24.
    expect(counts(sun)).toEqual([5, 1, 6]);
    // FR [60, 300, 300, 300, 600, 1800] (C23, C4, C6, C24, C4 cycle 1, C5): mean 3360 / 6 = 560;
    // median (300 + 300) / 2 = 300; p90 at 1 + 0.9 × 5 = 5.5: 600 + 0.5 × 1200 = 1200.
    expectTime(sun.firstResponse, 6, [560, 300, 1200]);
    // C6's reply after the team transfer.
    expectTime(sun.reply, 1, [1200, 1200, 1200]);
    // Resolution [660, 1200, 2100, 3600, 3600, 3600]: mean 14760 / 6 = 2460; median
    // (2100 + 3600) / 2 = 2850; p90 at 5.5: 3600.
    expectTime(sun.resolution, 6, [2460, 2850, 3600]);
    // CSAT: C4 (2), C4 cycle 1 (4), C5 (–), C6 (3), C23 (5), C24 (–): 14 / 4 = 3.5, 4 / 6.
    expect(sun.csat.asked).toBe(6);
    expect(sun.csat.answered).toBe(4);
    expect(sun.csat.score).toBeCloseTo(3.5, 6);
    expect(sun.csat.responseRate).toBeCloseTo(4 / 6, 6);
    expect(sun.sla.first_response).toEqual({ met: 0, breached: 0, metPercent: null });

    // Monday 30 Azar: opened C7, C9, C10 (23:59), C25; resolved C9 only.
    expect(counts(mon)).toEqual([4, 0, 1]);
    // FR wall [300, 600, 1200] (C9, C7, C25): mean 700; median 600; p90 at 1 + 0.9 × 2 = 2.8:
    // 600 + 0.8 × 600 = 1080. Business [300, 600, 600] (C25: 16:50–17:00): mean 500, median 600,
    // p90 600.
    expectTime(mon.firstResponse, 3, [700, 600, 1080], [500, 600, 600]);
    expectTime(mon.reply, 1, [1800, 1800, 1800]); // C7 after the pending
    expect(mon.csat).toEqual({ asked: 1, answered: 1, score: 1, responseRate: 1 });
    // FR: C25 met, C9 met late (breached at its due 10:22); resolution C7 breached at 17:00.
    expect(mon.sla.first_response).toEqual({ met: 1, breached: 1, metPercent: 50 });
    expect(mon.sla.resolution).toEqual({ met: 0, breached: 1, metPercent: 0 });

    // Tuesday 1 Dey: opened C11 (00:01), C18; C18 reopened twice; resolved C7, C10, C25, C18 × 3.
    expect(counts(tue)).toEqual([2, 2, 6]);
    // FR [60, 120, 120, 120, 300] (C18, C10, C11, C18/1, C18/2): mean 720 / 5 = 144; median 120;
    // p90 at 1 + 0.9 × 4 = 4.6: 120 + 0.6 × 180 = 228.
    expectTime(tue.firstResponse, 5, [144, 120, 228]);
    // Resolution wall [600, 1200, 1800, 1920, 55200, 90000]: mean 150720 / 6 = 25120; median
    // (1800 + 1920) / 2 = 1860; p90 at 5.5: 55200 + 0.5 × 34800 = 72600.
    // Business [600, 1200, 1200, 1800, 1920, 36000] (C25 1200, C7 36000): mean 42720 / 6 = 7120;
    // median (1200 + 1800) / 2 = 1500; p90 1920 + 0.5 × 34080 = 18960.
    expectTime(tue.resolution, 6, [25120, 1860, 72600], [7120, 1500, 18960]);
    // CSAT: C7 5, C10 5, C25 4, C18 5, –, 3: 22 / 5 = 4.4, 5 / 6.
    expect(tue.csat.score).toBeCloseTo(4.4, 6);
    expect(tue.csat.responseRate).toBeCloseTo(5 / 6, 6);
    // Resolution: C18 cycles 0 and 1 met (1 on its due time), cycle 2 breached: 2 / 3.
    expect(tue.sla.resolution.met).toBe(2);
    expect(tue.sla.resolution.breached).toBe(1);
    expect(tue.sla.resolution.metPercent).toBeCloseTo(200 / 3, 6);

    // The whole range from the 18 raw first responses, not from the days' medians:
    // sorted 60 ×3, 120 ×4, 300 ×5, 600 ×2, 900, 1200, 1800, 144000. Median: the 9th and 10th
    // are both 300 → 300 (the days' medians 510, 300, 600, 120 would give another number).
    // p90 at 1 + 0.9 × 17 = 16.3: 1200 + 0.3 × 600 = 1380. Mean 151260 / 18 = 8403.333…
    const total = r.all.total;
    expect(counts(total)).toEqual([14, 3, 17]);
    expect(total.firstResponse.count).toBe(18);
    expect(total.firstResponse.wall.median).toBeCloseTo(300, 6);
    expect(total.firstResponse.wall.p90).toBeCloseTo(1380, 6);
    expect(total.firstResponse.wall.mean).toBeCloseTo(151260 / 18, 6);
    // CSAT 4 + 6 + 1 + 6 = 17 asked, 2 + 4 + 1 + 5 = 12 answered, (9 + 14 + 1 + 22) / 12.
    expect(total.csat.asked).toBe(17);
    expect(total.csat.answered).toBe(12);
    expect(total.csat.score).toBeCloseTo(46 / 12, 6);
    // SLA FR met 3 + 1 = 4, breached 1 + 1 = 2; resolution met 1 + 2 = 3, breached 1 + 1 = 2.
    expect(total.sla.first_response.metPercent).toBeCloseTo(400 / 6, 6);
    expect(total.sla.next_response).toEqual({ met: 0, breached: 1, metPercent: 0 });
    expect(total.sla.resolution).toEqual({ met: 3, breached: 2, metPercent: 60 });
    expect(r.groups).toEqual([]); // groupBy none: everything is in `all`
  });

  it('splits weeks at Saturday: a Friday 23:50 conversation is answered in the next week', async () => {
    const r = await report({ bucket: 'week', from: '2026-12-12', to: '2026-12-26' });
    expect(r.buckets.map((b) => [b.label, b.start, b.end])).toEqual([
      ['1405-W39', '2026-12-11T20:30:00.000Z', '2026-12-18T20:30:00.000Z'],
      ['1405-W40', '2026-12-18T20:30:00.000Z', '2026-12-25T20:30:00.000Z'],
      ['1405-W41', '2026-12-25T20:30:00.000Z', '2026-12-26T20:30:00.000Z'],
    ]);
    const [w39, w40, w41] = r.all.buckets as [ReportMetrics, ReportMetrics, ReportMetrics];
    // Week 39: opened C13, C8, C14; resolved C13. FR [600, 1200]: mean 900, median 900,
    // p90 600 + 0.9 × 600 = 1140.
    expect(counts(w39)).toEqual([3, 0, 1]);
    expectTime(w39.firstResponse, 2, [900, 900, 1140]);
    // Week 40: opened 3 + 5 + 4 + 2 + 3 (C15, C26, C27) + 2 (C16, C28) + 2 (C17, C12) = 21;
    // reopened 3; resolved 4 + 6 + 1 + 6 + 1 (C15) + 2 (C16, C28) + 1 (C17) = 21.
    expect(counts(w40)).toEqual([21, 3, 21]);
    // FR: the 18 above + C16 1800, C28 1800, C17 1800 = 21 values: 60 ×3, 120 ×4, 300 ×5,
    // 600 ×2, 900, 1200, 1800 ×4, 144000. Median: the 11th = 300. p90 at 1 + 0.9 × 20 = 19: the
    // 19th = 1800. Mean (151260 + 5400) / 21 = 7460.
    // Business: 0 (C17 on Friday), 60 ×3, 120 ×4, 300 ×5, 600 ×3 (C4/1, C7, C25), 900,
    // 1800 ×4 (C8, C5, C16, C28): median the 11th = 300; p90 the 19th = 1800; mean
    // (180 + 480 + 1500 + 1800 + 900 + 7200) / 21 = 12060 / 21.
    expectTime(w40.firstResponse, 21, [7460, 300, 1800], [12060 / 21, 300, 1800]);
    // Replies: C2 300, C6 1200, C7 1800, C28 1200 and 300: sorted [300, 300, 1200, 1200, 1800]:
    // mean 4800 / 5 = 960; median 1200; p90 at 4.6: 1200 + 0.6 × 600 = 1560.
    expectTime(w40.reply, 5, [960, 1200, 1560]);
    // Week 41 (its Saturday only): C12's first response at 00:10.
    expect(counts(w41)).toEqual([0, 0, 0]);
    expectTime(w41.firstResponse, 1, [1200, 1200, 1200]);
  });

  it('splits Jalali months: 30 Azar 23:59 is Azar, 1 Dey 00:01 is Dey, Aban stays out', async () => {
    const r = await report({ bucket: 'month', from: '2026-11-22', to: '2027-01-20' });
    expect(r.buckets.map((b) => [b.label, b.start, b.end])).toEqual([
      ['1405-09', '2026-11-21T20:30:00.000Z', '2026-12-21T20:30:00.000Z'],
      ['1405-10', '2026-12-21T20:30:00.000Z', '2027-01-20T20:30:00.000Z'],
    ]);
    const [azar, dey] = r.all.buckets as [ReportMetrics, ReportMetrics];
    // Azar: C21, C13, C8, C14 + 3 (Sat) + 5 (Sun) + 4 (Mon, C10 at 23:59 included) = 16; C22
    // opened in Aban. Reopened: C4. Resolved: C21, C22, C13, C8, C1, C2, C3, C4 ×2, C5, C6, C23,
    // C24, C9 = 14.
    expect(counts(azar)).toEqual([16, 1, 14]);
    // Dey: C11 (00:01), C18, C15, C26, C27, C16, C28, C17, C12, C19, C20 = 11; C18 reopened
    // twice; resolved C7, C10, C25, C18 ×3, C15, C16, C28, C17, C19, C20 = 12.
    expect(counts(dey)).toEqual([11, 2, 12]);
    // FR of Azar (17): 60, 60, 120, 300 ×4, 600 ×3, 900, 1200 ×3, 1800, 33000 (C22, answered in
    // Azar), 144000. Median the 9th = 600. p90 at 1 + 0.9 × 16 = 15.4: 1800 + 0.4 × 31200 = 14280.
    expect(azar.firstResponse.count).toBe(17);
    expect(azar.firstResponse.wall.median).toBeCloseTo(600, 6);
    expect(azar.firstResponse.wall.p90).toBeCloseTo(14280, 6);
    // FR of Dey (11): 60, 120 ×3, 180, 300, 1200, 1800 ×3, 2400. Median the 6th = 300; p90 at
    // 1 + 0.9 × 10 = 10: 1800.
    expect(dey.firstResponse.count).toBe(11);
    expect(dey.firstResponse.wall.median).toBeCloseTo(300, 6);
    expect(dey.firstResponse.wall.p90).toBeCloseTo(1800, 6);
  });

  it('credits the first response to the replier and to the assignee of the time, per agent', async () => {
    const r = await report({ bucket: 'week', groupBy: 'agent', from: '2026-12-19', to: '2026-12-25' });
    expect(r.buckets.map((b) => b.label)).toEqual(['1405-W40']);
    // Named groups by name, then "nobody".
    expect(r.groups.map((g) => g.name)).toEqual(['Ali', 'Bahar', 'Cyrus', null]);
    const ali = group(r, id.ali).total;
    const bahar = group(r, id.bahar).total;
    const cyrus = group(r, id.cyrus).total;
    const nobody = group(r, null).total;
    // As replier, Ali: C1 60, C2 120, C4 300, C7 600, C16 1800, C8 144000 → median
    // (300 + 600) / 2 = 450. As assignee he also has C4's cycle 1, answered by Bahar (600):
    // [60, 120, 300, 600, 600, 1800, 144000] → median 600.
    expect(ali.firstResponse.count).toBe(6);
    expect(ali.firstResponse.wall.median).toBeCloseTo(450, 6);
    expect(ali.firstResponseByAssignee.count).toBe(7);
    expect(ali.firstResponseByAssignee.wall.median).toBeCloseTo(600, 6);
    // Bahar as replier: C4/1 600, C3 900, C25 1200, C5 1800 (the transfer: Ali gets nothing),
    // C17 1800 → median 1200; as assignee without C4/1: [900, 1200, 1800, 1800] → 1500.
    expect(bahar.firstResponse.count).toBe(5);
    expect(bahar.firstResponse.wall.median).toBeCloseTo(1200, 6);
    expect(bahar.firstResponseByAssignee.count).toBe(4);
    expect(bahar.firstResponseByAssignee.wall.median).toBeCloseTo(1500, 6);
    expect(cyrus.firstResponse.count).toBe(10);
    expect(cyrus.firstResponseByAssignee.count).toBe(10);
    // Resolutions go to the assignee at the resolve: Ali C1, C2, C8, C4 ×2, C6, C7, C16 = 8;
    // Bahar C3, C5, C25, C17 = 4; Cyrus C23, C24, C9, C10, C18 ×3, C28 = 8; C15 (system,
    // nobody) = 1.
    expect([ali.resolved, bahar.resolved, cyrus.resolved, nobody.resolved]).toEqual([8, 4, 8, 1]);
    // Openings have no agent yet (21 with nobody); reopens go to who had it: C4 Ali, C18 Cyrus ×2.
    expect([ali.opened, nobody.opened, ali.reopened, cyrus.reopened]).toEqual([0, 21, 1, 2]);
    // Replies to the replier: Ali C2 300, C6 1200, C7 1800; Cyrus C28 1200, 300.
    expect(ali.reply.count).toBe(3);
    expect(cyrus.reply.count).toBe(2);
    // Surveys by the agent at the resolve, Ali: C1 5, C2 4, C8 –, C4 2, C4/1 4, C6 3, C7 5:
    // 7 asked, 6 answered, 23 / 6.
    expect(ali.csat.asked).toBe(7);
    expect(ali.csat.answered).toBe(6);
    expect(ali.csat.score).toBeCloseTo(23 / 6, 6);
    // SLA by who met it (else the assignee): Ali FR C1, C2, C8 met; next response C2 breached;
    // resolution C7 breached.
    expect(ali.sla).toEqual({
      first_response: { met: 3, breached: 0, metPercent: 100 },
      next_response: { met: 0, breached: 1, metPercent: 0 },
      resolution: { met: 0, breached: 1, metPercent: 0 },
    });
    // The totals over every agent are the week's: 21 first responses either way.
    expect(r.all.total.firstResponse.count).toBe(21);
    expect(r.all.total.firstResponseByAssignee.count).toBe(21);

    // Filtered to Ali: the same crediting.
    const onlyAli = await report({ bucket: 'week', agentId: id.ali, from: '2026-12-19', to: '2026-12-25' });
    expect(onlyAli.all.total.firstResponse.count).toBe(6);
    expect(onlyAli.all.total.firstResponseByAssignee.count).toBe(7);
    expect(onlyAli.all.total.resolved).toBe(8);
  });

  it('places each fact in the team of its time: a conversation moved from Tech to Sales', async () => {
    const r = await report({ bucket: 'week', groupBy: 'team', from: '2026-12-19', to: '2026-12-25' });
    expect(r.groups.map((g) => g.name)).toEqual(['Sales', 'Tech', null]);
    const sales = group(r, id.sales).total;
    const tech = group(r, id.tech).total;
    // FR: Sales C1, C2, C3, C8, C4, C4/1, C5, C7, C25, C16, C17 = 11; Tech C23, C6 (before the
    // move), C24, C9, C10, C11, C18 ×3, C28 = 10.
    expect([sales.firstResponse.count, tech.firstResponse.count]).toEqual([11, 10]);
    // Replies: Sales C2, C6 (after the move), C7; Tech C28 ×2.
    expect([sales.reply.count, tech.reply.count]).toEqual([3, 2]);
    // Resolves: Sales C1, C2, C3, C8, C4 ×2, C5, C6, C7, C25, C16, C17 = 12; Tech C23, C24, C9,
    // C10, C18 ×3, C15, C28 = 9.
    expect([sales.resolved, tech.resolved]).toEqual([12, 9]);
    // Openings have no team yet: all 21 in "no team"; reopens in the team that had it.
    expect(group(r, null).total.opened).toBe(21);
    expect([sales.reopened, tech.reopened]).toEqual([1, 2]);
  });

  it('shows a supervisor only what their teams hold, and refuses agents and customers', async () => {
    const sima: Actor = { id: id.sima, role: 'supervisor' };
    const r = await report({ bucket: 'week', from: '2026-12-19', to: '2026-12-25' }, sima);
    const w = r.all.total;
    // Sales' facts, and teamless ones (openings) of the Sales inbox I1: C1, C2, C3, C4, C5, C7,
    // C25, C26, C27, C16, C17 = 11 openings; C4's reopen; 11 Sales first responses; Sales'
    // replies (C6's second, on the Tech inbox, included: Sales had it); 12 Sales resolves.
    expect(counts(w)).toEqual([11, 1, 12]);
    expect(w.firstResponse.count).toBe(11);
    expect(w.reply.count).toBe(3);
    // Filtering to Tech gives her nothing.
    const tech = await report(
      { bucket: 'week', teamId: id.tech, from: '2026-12-19', to: '2026-12-25' },
      sima,
    );
    expect(counts(tech.all.total)).toEqual([0, 0, 0]);
    expect(tech.all.total.firstResponse.count).toBe(0);

    for (const role of ['agent', 'customer'] as const) {
      await expect(report({}, { id: id.ali, role })).rejects.toMatchObject({
        status: 403,
        code: 'support/forbidden',
      });
    }
  });

  it('refuses a range that ends before it starts or spans more than two years', async () => {
    await expect(report({ from: '2026-12-22', to: '2026-12-19' })).rejects.toMatchObject({
      status: 400,
      code: 'validation/invalid',
    });
    await expect(report({ from: '2024-01-01', to: '2026-12-31' })).rejects.toMatchObject({ status: 400 });
    // An instant range inside one day: one clipped bucket.
    const r = await report({ from: '2026-12-19T09:00:00+03:30', to: '2026-12-19T10:00:00+03:30' });
    expect(r.buckets).toEqual([
      { label: '1405-09-28', start: '2026-12-19T05:30:00.000Z', end: '2026-12-19T06:30:00.000Z' },
    ]);
    // C1 opened at 09:00 (included), C2 at 10:00 (the end, excluded).
    expect(r.all.total.opened).toBe(1);
  });
});
