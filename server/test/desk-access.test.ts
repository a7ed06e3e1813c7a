import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp } from './support/app.js';
import { BACKENDS } from './support/databases.js';
import { Desk, FAST_TIMERS, type Person, startDesk } from './support/desk.js';
import { REDIS, REDIS_URL } from './support/redis.js';
import { type ClientSocket, collect, eventually } from './support/sockets.js';

type Who =
  | 'customer'
  | 'otherCustomer'
  | 'assignee'
  | 'teammate'
  | 'otherAgent'
  | 'supervisor'
  | 'otherSupervisor'
  | 'admin';
const EVERYONE: Who[] = [
  'customer',
  'otherCustomer',
  'assignee',
  'teammate',
  'otherAgent',
  'supervisor',
  'otherSupervisor',
  'admin',
];

/** One row of the matrix: what an action answers to each person, on a conversation of team A. */
interface Row {
  action: string;
  /** Runs on a fresh conversation of team A (assigned to `assignee`, or queued with `queued`). */
  fresh?: 'assigned' | 'queued';
  expect: Record<Who, number>;
}

// Team A: assignee, teammate, supervisor. Team B: otherAgent, otherSupervisor. The conversation
// is team A's. 404 where the conversation is not theirs to know of; 403 where they see it but may not.
const STAFF_READ = {
  customer: 403,
  otherCustomer: 403,
  assignee: 200,
  teammate: 200,
  otherAgent: 404,
  supervisor: 200,
  otherSupervisor: 404,
  admin: 200,
} as const;
const MATRIX: Row[] = [
  { action: 'view', expect: STAFF_READ },
  { action: 'history', expect: STAFF_READ },
  { action: 'priority', expect: STAFF_READ },
  { action: 'labels', expect: STAFF_READ },
  // Before anyone wrote a note: staff read the notes of what they see without having joined them.
  {
    action: 'read notes',
    expect: { ...STAFF_READ, customer: 404, otherCustomer: 404 },
  },
  {
    action: 'note',
    expect: {
      ...STAFF_READ,
      customer: 403,
      otherCustomer: 403,
      assignee: 201,
      teammate: 201,
      supervisor: 201,
      admin: 201,
    },
  },
  {
    action: 'conversation',
    expect: { ...STAFF_READ, customer: 200, otherCustomer: 404 },
  },
  {
    action: 'history as chat',
    expect: { ...STAFF_READ, customer: 200, otherCustomer: 404 },
  },
  { action: 'status', fresh: 'assigned', expect: { ...STAFF_READ, teammate: 403 } },
  { action: 'unassign', fresh: 'assigned', expect: { ...STAFF_READ, teammate: 403 } },
  { action: 'assign other', fresh: 'assigned', expect: { ...STAFF_READ, assignee: 403, teammate: 403 } },
  { action: 'transfer', fresh: 'assigned', expect: { ...STAFF_READ, teammate: 403 } },
  { action: 'claim', fresh: 'queued', expect: STAFF_READ },
];

/** The desk of these tests: two teams, their staff, a customer or two, all connected. */
async function staffed(desk: Desk) {
  const people = {} as Record<Who, Person>;
  people.admin = await desk.person('admin', 'Admin');
  await desk.quietAppInbox(people.admin);
  people.customer = await desk.person('customer', 'Customer');
  people.otherCustomer = await desk.person('customer', 'Other customer');
  people.assignee = await desk.person('agent', 'Assignee');
  people.teammate = await desk.person('agent', 'Teammate');
  people.otherAgent = await desk.person('agent', 'Other agent');
  people.supervisor = await desk.person('supervisor', 'Supervisor');
  people.otherSupervisor = await desk.person('supervisor', 'Other supervisor');
  const teamA = await desk.team(people.admin, [people.assignee, people.teammate], [people.supervisor]);
  const teamB = await desk.team(people.admin, [people.otherAgent], [people.otherSupervisor]);
  // Manual: the matrix decides who has what, not the routing.
  for (const { inboxId } of [teamA, teamB]) {
    await desk.admin(people.admin, 'PATCH', `/inboxes/${inboxId}`, { routing: 'manual' });
  }
  for (const agent of [people.assignee, people.teammate, people.otherAgent]) {
    await desk.admin(people.admin, 'PATCH', `/agents/${agent.id}`, { maxConversations: 200 });
  }
  /** A fresh conversation of the inbox, assigned (to its team's agent) or waiting in the queue. */
  const conversation = async (fresh: 'assigned' | 'queued', inboxId = teamA.inboxId) => {
    const opened = await desk.openIn(inboxId, people.customer);
    if (fresh === 'assigned') {
      const assignee = inboxId === teamA.inboxId ? people.assignee : people.otherAgent;
      await desk.admin(people.admin, 'POST', `/conversations/${opened.id}/assign`, { agentId: assignee.id });
    }
    return opened.id;
  };
  return { people, teamA, teamB, conversation };
}

/**
 * Staff hear of their teams' conversations, and nothing of another team's: neither the changes
 * nor the private notes. `socketOf` connects each person (on one instance or several).
 */
async function roomsHold(
  desk: Desk,
  ctx: Awaited<ReturnType<typeof staffed>>,
  socketOf: (who: Who) => Promise<ClientSocket>,
) {
  const { people, teamB, conversation } = ctx;
  const heard = {} as Record<
    Who,
    { changes: { conversationId: string }[]; notes: { body: string | null }[] }
  >;
  for (const who of EVERYONE) {
    const socket = await socketOf(who);
    heard[who] = { changes: collect(socket, 'support:conversation'), notes: collect(socket, 'message:new') };
  }
  const a = await conversation('assigned');
  const b = await conversation('assigned', teamB.inboxId);
  const urgent = (id: string, who: Person) =>
    desk.t.request('PUT', `/api/v1/support/conversations/${id}/priority`, {
      token: who.token,
      body: { priority: 'urgent' },
    });
  expect((await urgent(a, people.assignee)).status).toBe(200);
  expect((await urgent(b, people.otherAgent)).status).toBe(200);
  await desk.write(people.assignee, a, 'team A only', true);
  const got = (who: Who, id: string) => heard[who].changes.some((c) => c.conversationId === id);
  const staff = EVERYONE.filter((w) => !w.endsWith('ustomer'));
  await eventually(
    () => staff.every((w) => got(w, a) || got(w, b)) && heard.assignee.notes.length > 0,
    10_000,
    'each staff member told of their team’s change',
  );
  // The control has arrived; anything misdirected would have come with it.
  await new Promise((r) => setTimeout(r, 300));
  expect(Object.fromEntries(EVERYONE.map((w) => [w, [got(w, a), got(w, b)]]))).toEqual({
    customer: [false, false],
    otherCustomer: [false, false],
    assignee: [true, false],
    teammate: [true, false],
    otherAgent: [false, true],
    supervisor: [true, false],
    otherSupervisor: [false, true],
    admin: [true, true],
  });
  const noteHeard = Object.fromEntries(
    EVERYONE.map((w) => [w, heard[w].notes.some((m) => m.body === 'team A only')]),
  );
  // The note's writer is in the notes conversation (the control); nobody outside the team hears it.
  expect(noteHeard).toMatchObject({
    customer: false,
    otherCustomer: false,
    otherAgent: false,
    otherSupervisor: false,
    assignee: true,
  });
}

describe.each(BACKENDS)('who may do what at the desk, on %s', (backend) => {
  let desk: Desk;
  let ctx: Awaited<ReturnType<typeof staffed>>;
  let people: Record<Who, Person>;

  beforeAll(async () => {
    desk = await startDesk({ backend });
    ctx = await staffed(desk);
    people = ctx.people;
  });
  afterAll(async () => {
    await desk?.close();
  });

  const conversation = (fresh: 'assigned' | 'queued', inboxId?: string) => ctx.conversation(fresh, inboxId);

  const run = async (action: string, who: Person, id: string): Promise<number> => {
    const as = { token: who.token };
    const support = `/api/v1/support/conversations/${id}`;
    switch (action) {
      case 'view':
        return (await desk.t.request('GET', support, as)).status;
      case 'history':
        return (await desk.t.request('GET', `${support}/assignments`, as)).status;
      case 'priority':
        return (await desk.t.request('PUT', `${support}/priority`, { ...as, body: { priority: 'high' } }))
          .status;
      case 'labels':
        return (await desk.t.request('PUT', `${support}/labels`, { ...as, body: { labels: ['x'] } })).status;
      case 'note':
        return (
          await desk.t.request('POST', `/api/v1/conversations/${id}/messages`, {
            ...as,
            body: { clientMsgId: `n-${Math.random()}`, body: 'note', internal: true },
          })
        ).status;
      case 'read notes': {
        const notes = (await desk.ticket(id)).notesConversationId;
        return (await desk.t.request('GET', `/api/v1/conversations/${notes}/messages`, as)).status;
      }
      case 'conversation':
        return (await desk.t.request('GET', `/api/v1/conversations/${id}`, as)).status;
      case 'history as chat':
        return (await desk.t.request('GET', `/api/v1/conversations/${id}/messages`, as)).status;
      case 'status':
        return (await desk.t.request('POST', `${support}/status`, { ...as, body: { status: 'pending' } }))
          .status;
      case 'unassign':
        return (await desk.t.request('POST', `${support}/assign`, { ...as, body: { agentId: null } })).status;
      case 'assign other':
        return (
          await desk.t.request('POST', `${support}/assign`, {
            ...as,
            body: { agentId: people.supervisor.id },
          })
        ).status;
      case 'transfer':
        return (
          await desk.t.request('POST', `${support}/transfer`, {
            ...as,
            body: { agentId: people.teammate.id, note: 'over to you' },
          })
        ).status;
      case 'claim':
        return (await desk.t.request('POST', `${support}/claim`, as)).status;
      default:
        throw new Error(`no action ${action}`);
    }
  };

  it('answers every role × action × own or other team as the matrix says, over HTTP', async () => {
    const shared = await conversation('assigned');
    const got: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const row of MATRIX) {
      got[row.action] = {};
      want[row.action] = row.expect;
      for (const who of EVERYONE) {
        const id = row.fresh ? await conversation(row.fresh) : shared;
        got[row.action]![who] = await run(row.action, people[who], id);
      }
    }
    expect(got).toEqual(want);
  });

  it('lists to each only what they may see; customers have no staff views', async () => {
    const a = await conversation('assigned');
    const b = await conversation('assigned', ctx.teamB.inboxId);
    const listed = async (who: Who) => {
      const reply = await desk.t.request('GET', '/api/v1/support/conversations?limit=100', {
        token: people[who].token,
      });
      return reply.status === 200
        ? reply.body.items.map((t: { conversationId: string }) => t.conversationId)
        : reply.status;
    };
    const sees = async (who: Who) => {
      const ids = await listed(who);
      return typeof ids === 'number' ? ids : [ids.includes(a), ids.includes(b)];
    };
    expect({
      customer: await sees('customer'),
      assignee: await sees('assignee'),
      teammate: await sees('teammate'),
      otherAgent: await sees('otherAgent'),
      supervisor: await sees('supervisor'),
      otherSupervisor: await sees('otherSupervisor'),
      admin: await sees('admin'),
    }).toEqual({
      customer: 403,
      assignee: [true, false],
      teammate: [true, false],
      otherAgent: [false, true],
      supervisor: [true, false],
      otherSupervisor: [false, true],
      admin: [true, true],
    });
    // The queue summary: the inboxes they serve.
    const queues = async (who: Who) => {
      const reply = await desk.t.request('GET', '/api/v1/support/queue', { token: people[who].token });
      if (reply.status !== 200) return reply.status;
      const ids = reply.body.inboxes.map((i: { inboxId: string }) => i.inboxId);
      return [ids.includes(ctx.teamA.inboxId), ids.includes(ctx.teamB.inboxId)];
    };
    expect({
      customer: await queues('customer'),
      assignee: await queues('assignee'),
      otherAgent: await queues('otherAgent'),
      supervisor: await queues('supervisor'),
      admin: await queues('admin'),
    }).toEqual({
      customer: 403,
      assignee: [true, false],
      otherAgent: [false, true],
      supervisor: [true, false],
      admin: [true, true],
    });
    // Teams: admins change them, every staff member reads them (to hand work on), customers neither.
    const teams = async (who: Who, method: string) =>
      (
        await desk.t.request(method, '/api/v1/support/teams', {
          token: people[who].token,
          ...(method === 'POST' ? { body: { name: `by ${who} ${Math.random()}` } } : {}),
        })
      ).status;
    expect({
      read: [
        await teams('customer', 'GET'),
        await teams('assignee', 'GET'),
        await teams('supervisor', 'GET'),
        await teams('admin', 'GET'),
      ],
      write: [
        await teams('customer', 'POST'),
        await teams('assignee', 'POST'),
        await teams('supervisor', 'POST'),
        await teams('admin', 'POST'),
      ],
    }).toEqual({ read: [403, 200, 200, 200], write: [403, 403, 403, 201] });
  });

  it('tells staff of team A’s conversations in their rooms, and team B’s nothing of them', async () => {
    await roomsHold(desk, ctx, (who) => desk.online(people[who]));
  });
});

describe.skipIf(!REDIS || !BACKENDS.includes('postgres'))(
  'the desk’s rooms on two instances sharing Redis',
  () => {
    const env = { REDIS_URL, REDIS_KEY_PREFIX: `abrik-test-${randomBytes(4).toString('hex')}:` };
    let one: Desk;
    let two: Desk;
    beforeAll(async () => {
      one = await startDesk({ backend: 'postgres', env: { ...env, INSTANCE_ID: 'one' } });
      two = new Desk(
        await startTestApp({ database: one.t.database, env: { ...FAST_TIMERS, ...env, INSTANCE_ID: 'two' } }),
      );
    });
    afterAll(async () => {
      await two?.close();
      await one?.close();
    });

    it('brings what a worker process does (a timer handing a conversation on) to staff on the gateways', async () => {
      // A gateway that runs no jobs, and a worker that runs them all.
      const gateway = await startDesk({
        backend: 'postgres',
        env: { ...env, INSTANCE_ID: 'gw', WORKERS: 'false' },
      });
      const worker = await startTestApp({
        database: gateway.t.database,
        role: 'worker',
        env: { ...FAST_TIMERS, ...env, INSTANCE_ID: 'worker' },
      });
      try {
        const admin = await gateway.person('admin', 'Admin');
        await gateway.quietAppInbox(admin);
        const [silent, other] = [
          await gateway.person('agent', 'Silent'),
          await gateway.person('agent', 'Other'),
        ];
        const supervisor = await gateway.person('supervisor', 'Watching');
        const { inboxId } = await gateway.team(admin, [silent, other], [supervisor]);
        const watching = collect(await gateway.online(supervisor), 'support:assignment');
        await gateway.online(silent);
        const customer = await gateway.person('customer', 'Waiting');
        const conversation = await gateway.openIn(inboxId, customer);
        await gateway.waitFor(
          conversation.id,
          (t) => t.assigneeId === silent.id,
          'the first agent to take it',
        );
        await gateway.online(other);
        await gateway.write(customer, conversation.id, 'hello?');
        // Nobody answers within 2 s: the worker's timer hands it to the other agent, and the
        // supervisor, connected to the gateway, hears it live.
        await eventually(
          () => watching.some((a) => a.conversationId === conversation.id && a.reason === 'no_reply'),
          20_000,
          'the hand-off heard on the gateway',
        );
        // It was the worker's doing: the timer ran there (the gateway runs no jobs).
        await eventually(
          async () =>
            (
              await worker.app.jobs.find('support-no-reply', { data: { conversationId: conversation.id } })
            ).some((j) => j.state === 'completed'),
          10_000,
          'the timer job completed',
        );
      } finally {
        await worker.close();
        await gateway.close();
      }
    });

    it('reaches staff connected to either instance, and still only their own team’s', async () => {
      const ctx = await staffed(one);
      // Every other person on the second instance.
      await roomsHold(one, ctx, (who) =>
        EVERYONE.indexOf(who) % 2 === 0 ? one.online(ctx.people[who]) : two.online(ctx.people[who]),
      );
    });
  },
);
