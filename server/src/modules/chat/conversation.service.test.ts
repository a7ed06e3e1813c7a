import { randomUUID } from 'node:crypto';
import { MAX_GROUP_MEMBERS } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import {
  actor,
  fakeChat,
  fakeDb,
  recordingEvents,
  recordingLive,
  userRow,
} from '../../../test/support/fakes.js';
import type { Executor } from '../../platform/db/client.js';
import { LatePort } from '../../platform/late-port.js';
import { ConversationService } from './conversation.service.js';
import type { SupportPort } from './support-port.js';

const TX = {} as Executor;
const OPEN_VIEW = {
  status: 'open' as const,
  assigneeId: null,
  assigneeName: null,
  teamId: null,
  priority: 'none' as const,
  queuePosition: 1,
  etaSeconds: null,
  linkedFrom: null,
  version: 1,
};

/** A conversation service over the in-memory chat; `people` exist as users. */
function build(...people: string[]) {
  const chat = fakeChat();
  const events = recordingEvents();
  const live = recordingLive();
  const known = new Set(people);
  const users = {
    findById: async (id: string) => (known.has(id) ? userRow({ id }) : undefined),
    existingIds: async (ids: string[]) => ids.filter((id) => known.has(id)),
  };
  const deps = {
    db: fakeDb,
    conversations: chat.conversations,
    messages: chat.messages,
    users,
    events,
    live,
  };
  const service = new ConversationService(deps);
  return { service, chat, events, live, deps };
}

describe(ConversationService.name, () => {
  it('starts a direct conversation once per pair, on the record, and returns it to either side after', async () => {
    const alice = actor();
    const bob = actor();
    const t = build(alice.id, bob.id);
    const first = await t.service.create(alice, { kind: 'direct', userId: bob.id });
    expect(first.created).toBe(true);
    expect(first.conversation.members.map((m) => m.userId).sort()).toEqual([alice.id, bob.id].sort());
    const again = await t.service.create(bob, { kind: 'direct', userId: alice.id });
    expect(again).toMatchObject({ created: false, conversation: { id: first.conversation.id } });
    expect(t.events.recorded.map((e) => e.type)).toEqual([
      'conversation.created',
      'conversation.members_added',
    ]);
    expect(t.live.published).toEqual([
      {
        event: 'members.added',
        payload: { conversationId: first.conversation.id, userIds: [alice.id, bob.id] },
      },
    ]);
  });

  it('refuses a direct conversation with oneself or with nobody', async () => {
    const alice = actor();
    const t = build(alice.id);
    await expect(t.service.create(alice, { kind: 'direct', userId: alice.id })).rejects.toMatchObject({
      code: 'conversation/self_direct',
    });
    await expect(t.service.create(alice, { kind: 'direct', userId: randomUUID() })).rejects.toMatchObject({
      status: 404,
      code: 'user/not_found',
    });
  });

  it('makes the creator of a group its owner and names the members that do not exist', async () => {
    const alice = actor();
    const bob = actor();
    const t = build(alice.id, bob.id);
    const ghost = randomUUID();
    await expect(
      t.service.create(alice, { kind: 'group', title: 'g', memberIds: [bob.id, ghost] }),
    ).rejects.toMatchObject({ code: 'conversation/invalid_members', details: { missing: [ghost] } });
    const { conversation } = await t.service.create(alice, {
      kind: 'group',
      title: 'g',
      memberIds: [bob.id, alice.id],
    });
    expect(conversation.members.map((m) => [m.userId, m.role])).toEqual([
      [alice.id, 'owner'],
      [bob.id, 'member'],
    ]);
  });

  it('opens support conversations for customers only, the desk opening its ticket in the same transaction', async () => {
    const t = build();
    const calls: string[] = [];
    const port = new LatePort<SupportPort>('desk');
    port.set({
      opened: async (tx, conversation) => {
        calls.push(`opened ${conversation.id} in ${tx === TX ? 'the transaction' : 'no transaction'}`);
      },
      afterOpened: async (id) => {
        calls.push(`routed ${id}`);
      },
      views: async (_actor, ids) => new Map(ids.map((id) => [id, { ...OPEN_VIEW }])),
      mayServe: async () => false,
      notesFor: async () => '',
      guardReply: async () => {},
    });
    const service = new ConversationService({
      ...t.deps,
      db: { transaction: (work) => work(TX) },
      support: port,
    });
    const customer = actor('customer');
    const { conversation } = await service.create(customer, { kind: 'support', subject: 'پرداخت' });
    expect(conversation).toMatchObject({
      kind: 'support',
      status: 'open',
      subject: 'پرداخت',
      support: OPEN_VIEW,
    });
    expect(conversation.members).toMatchObject([{ userId: customer.id, role: 'customer' }]);
    expect(calls).toEqual([`opened ${conversation.id} in the transaction`, `routed ${conversation.id}`]);
    await expect(t.service.create(actor('agent'), { kind: 'support' })).rejects.toMatchObject({
      status: 403,
      code: 'auth/forbidden',
    });
  });

  it('lets a group’s owner and admins add members, up to the limit, and nobody else', async () => {
    const [owner, admin, member, newcomer] = [actor(), actor(), actor(), actor()];
    const t = build(owner.id, admin.id, member.id, newcomer.id);
    const group = t.chat.given.conversation({ kind: 'group', title: 'g' });
    t.chat.given.member(group.id, owner.id, 'owner');
    t.chat.given.member(group.id, admin.id, 'admin');
    t.chat.given.member(group.id, member.id, 'member');
    await expect(t.service.addMembers(member, group.id, [newcomer.id])).rejects.toMatchObject({
      code: 'conversation/forbidden',
    });
    expect(await t.service.addMembers(admin, group.id, [newcomer.id, member.id])).toEqual([newcomer.id]);
    const crowd = Array.from({ length: MAX_GROUP_MEMBERS }, () => randomUUID());
    const big = build(owner.id, ...crowd);
    const g2 = big.chat.given.conversation({ kind: 'group', title: 'big' });
    big.chat.given.member(g2.id, owner.id, 'owner');
    await expect(big.service.addMembers(owner, g2.id, crowd)).rejects.toMatchObject({
      code: 'conversation/too_many_members',
    });
  });

  it('lets members leave, admins remove plain members only, and hands an owner’s group to an admin', async () => {
    const [owner, admin, member, other] = [actor(), actor(), actor(), actor()];
    const t = build(owner.id, admin.id, member.id, other.id);
    const group = t.chat.given.conversation({ kind: 'group', title: 'g' });
    t.chat.given.member(group.id, owner.id, 'owner');
    t.chat.given.member(group.id, admin.id, 'admin');
    t.chat.given.member(group.id, member.id, 'member');
    t.chat.given.member(group.id, other.id, 'member');
    await expect(t.service.removeMember(member, group.id, other.id)).rejects.toMatchObject({
      code: 'conversation/forbidden',
    });
    await expect(t.service.removeMember(admin, group.id, owner.id)).rejects.toMatchObject({
      code: 'conversation/forbidden',
    });
    await t.service.removeMember(admin, group.id, other.id);
    await t.service.removeMember(member, group.id, member.id);
    await t.service.removeMember(owner, group.id, owner.id);
    const left = t.chat.rows.members.filter((m) => m.conversationId === group.id);
    expect(left.map((m) => [m.userId, m.role])).toEqual([[admin.id, 'owner']]);
    expect(t.events.recorded.map((e) => e.type)).toEqual([
      'conversation.member_removed',
      'conversation.member_removed',
      'conversation.member_removed',
      'conversation.owner_changed',
    ]);
  });

  it('moves a read marker forward only, tells the others once, and keeps none for staff reading support', async () => {
    const customer = actor();
    const t = build(customer.id);
    const support = t.chat.given.conversation({ kind: 'support' });
    t.chat.given.member(support.id, customer.id, 'customer');
    for (let i = 0; i < 3; i++) t.chat.given.message(support.id, null, `#${i}`);
    expect(await t.service.markRead(customer, support.id, 2)).toEqual({ lastReadSeq: 2 });
    expect(await t.service.markRead(customer, support.id, 1)).toEqual({ lastReadSeq: 2 });
    expect(await t.service.markRead(customer, support.id, 99)).toEqual({ lastReadSeq: 3 });
    expect(t.live.published.map((p) => p.payload)).toEqual([
      { conversationId: support.id, userId: customer.id, seq: 2 },
      { conversationId: support.id, userId: customer.id, seq: 3 },
    ]);
    expect(await t.service.markRead(actor('agent'), support.id, 3)).toEqual({ lastReadSeq: 0 });
    await expect(t.service.markRead(actor('customer'), support.id, 3)).rejects.toMatchObject({ status: 404 });
  });

  it('lets a staff member join a support conversation as its agent, once, on the record', async () => {
    const agent = actor('agent');
    const t = build(agent.id);
    const support = t.chat.given.conversation({ kind: 'support' });
    await t.service.joinAsStaff(agent, support.id);
    await t.service.joinAsStaff(agent, support.id);
    expect(t.chat.rows.members).toMatchObject([{ userId: agent.id, role: 'agent' }]);
    expect(t.events.recorded).toEqual([
      {
        type: 'conversation.members_added',
        actorId: agent.id,
        subject: `conversation:${support.id}`,
        payload: { members: [{ userId: agent.id, role: 'agent' }] },
      },
    ]);
    expect(t.live.published).toHaveLength(1);
  });
});
