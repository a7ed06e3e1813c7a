import { describe, expect, it } from 'vitest';
import { deviceRow, fakeChat, fakePresence, recordingJobs, userRow } from '../../../test/support/fakes.js';
import { UserNotifier } from './notify-user.job.js';
import type { DeviceRow } from './tables.js';

/** Alice wrote to Bob; Bob's devices are `devices`, his presence `presence`. */
function build(options: {
  devices: (bobId: string) => DeviceRow[];
  presence?: (bobId: string, conversationId: string) => ReturnType<typeof fakePresence>;
  group?: boolean;
}) {
  const chat = fakeChat();
  const alice = userRow({ name: 'آلیس' });
  const bob = userRow({ name: 'باب' });
  const conversation = chat.given.conversation(
    options.group ? { kind: 'group', title: 'خانواده' } : { kind: 'direct' },
  );
  chat.given.member(conversation.id, alice.id);
  const membership = chat.given.member(conversation.id, bob.id);
  const jobs = recordingJobs();
  const devices = options.devices(bob.id);
  const notifier = new UserNotifier({
    conversations: {
      membershipOf: (c, u) => chat.conversations.getMembership(c, u),
      findById: (id) => chat.conversations.getById(id),
    },
    messages: {
      countUnread: chat.messages.countUnread,
      latest: async (c) => (await chat.messages.listPage(c, { limit: 1 }))[0],
      unreadTotal: chat.messages.countUnreadOfUser,
    },
    users: { findById: async (id) => [alice, bob].find((u) => u.id === id) },
    devices: { listByUser: async (userId) => devices.filter((d) => d.userId === userId) },
    presence: options.presence?.(bob.id, conversation.id) ?? fakePresence(),
    jobs,
  });
  const job = { userId: bob.id, conversationId: conversation.id };
  const devicesOf = async (userId: string) => devices.filter((d) => d.userId === userId);
  return { notifier, chat, jobs, job, alice, bob, conversation, membership, devicesOf };
}

describe(UserNotifier.name, () => {
  it('sends one push per device in its language, with the unread count, the latest text and the badge', async () => {
    const t = build({
      devices: (bob) => [
        deviceRow({ userId: bob, locale: 'fa' }),
        deviceRow({ userId: bob, platform: 'web', locale: 'en' }),
      ],
    });
    t.chat.given.message(t.conversation.id, t.alice.id, 'اول');
    const latest = t.chat.given.message(t.conversation.id, t.alice.id, 'دوم');
    await t.notifier.notify(t.job);
    const pushes = t.jobs.of('push-send');
    expect(pushes.map((p) => [p.message.title, p.message.body])).toEqual([
      ['آلیس', '۲ پیام تازه — دوم'],
      ['آلیس', '2 new messages — دوم'],
    ]);
    expect(pushes[0]).toMatchObject({
      attempt: 1,
      support: false,
      message: {
        badge: 2,
        collapseKey: `conv:${t.conversation.id}`,
        data: { conversationId: t.conversation.id, messageId: latest.id, seq: '2', kind: 'direct' },
      },
    });
  });

  it('titles a group push with the group and prefixes the sender', async () => {
    const t = build({ group: true, devices: (bob) => [deviceRow({ userId: bob })] });
    t.chat.given.message(t.conversation.id, t.alice.id, 'شام آماده است');
    await t.notifier.notify(t.job);
    expect(t.jobs.of('push-send')[0]?.message).toMatchObject({
      title: 'خانواده',
      body: 'آلیس: شام آماده است',
    });
  });

  it('sends nothing when muted, when read meanwhile, or to a connected user watching the conversation', async () => {
    const muted = build({ devices: (bob) => [deviceRow({ userId: bob })] });
    muted.chat.given.message(muted.conversation.id, muted.alice.id, 'x');
    muted.membership.muted = true;
    await muted.notifier.notify(muted.job);

    const read = build({ devices: (bob) => [deviceRow({ userId: bob })] });
    read.chat.given.message(read.conversation.id, read.alice.id, 'x');
    read.membership.lastReadSeq = 1;
    await read.notifier.notify(read.job);

    const watching = build({
      devices: (bob) => [deviceRow({ userId: bob, platform: 'web' })],
      presence: (bob, conversationId) => fakePresence({ online: [bob], watching: { [bob]: conversationId } }),
    });
    watching.chat.given.message(watching.conversation.id, watching.alice.id, 'x');
    await watching.notifier.notify(watching.job);

    expect([...muted.jobs.sent, ...read.jobs.sent, ...watching.jobs.sent]).toEqual([]);
  });

  it('pushes to the browsers only of a user connected elsewhere', async () => {
    const t = build({
      devices: (bob) => [deviceRow({ userId: bob }), deviceRow({ userId: bob, platform: 'web' })],
      presence: (bob) => fakePresence({ online: [bob] }),
    });
    t.chat.given.message(t.conversation.id, t.alice.id, 'x');
    await t.notifier.notify(t.job);
    expect(t.jobs.of('push-send').map((p) => p.deviceId)).toEqual([
      (await t.devicesOf(t.bob.id)).find((d) => d.platform === 'web')!.id,
    ]);
  });
});
