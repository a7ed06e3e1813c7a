import { describe, expect, it } from 'vitest';
import { deviceRow, fakeChat, recordingJobs, userRow } from '../../../test/support/fakes.js';
import { SupportAlerts } from './support-alerts.js';
import type { DeviceRow } from './tables.js';

/** A support conversation of `customer`; agents on duty, away and offline; devices as given. */
function build() {
  const chat = fakeChat();
  const customer = userRow({ name: 'سارا' });
  const [onDuty, away, offline] = [userRow(), userRow(), userRow()];
  const conversation = chat.given.conversation({ kind: 'support' });
  chat.given.member(conversation.id, customer.id, 'customer', 'سارا');
  const devices: DeviceRow[] = [
    deviceRow({ userId: onDuty.id, locale: 'en' }),
    deviceRow({ userId: away.id }),
    deviceRow({ userId: offline.id }),
  ];
  const jobs = recordingJobs();
  const told: string[] = [];
  const alerts = new SupportAlerts({
    conversations: { membersOf: (ids) => chat.conversations.listMembers(ids) },
    desk: {
      messagesStored: async (messages) => {
        told.push(...messages.map((m) => m.id));
      },
      // The desk knows who serves it and is online; away and offline agents are not on duty.
      onDuty: async () => [onDuty.id],
      supervisorsOf: async () => [away.id],
    },
    devices: {
      countByUser: async (userId) => devices.filter((d) => d.userId === userId).length,
      listByUser: async (userId) => devices.filter((d) => d.userId === userId),
    },
    jobs,
    smsFallbackMinutes: 10,
  });
  return { alerts, chat, jobs, conversation, customer, onDuty, away, devices, told };
}

describe(SupportAlerts.name, () => {
  it('tells the agents on duty, and only them, of a customer’s message nobody answers yet', async () => {
    const t = build();
    const message = t.chat.given.message(t.conversation.id, t.customer.id, 'کارتم مسدود شده');
    await t.alerts.messagesStored([message]);
    expect(t.told).toEqual([message.id]);
    const pushes = t.jobs.of('push-send');
    expect(pushes.map((p) => p.deviceId)).toEqual([t.devices[0]!.id]);
    expect(pushes[0]).toMatchObject({
      support: true,
      message: { title: 'Support request from سارا', body: 'کارتم مسدود شده', data: { queue: 'waiting' } },
    });
  });

  it('tells nobody on duty once an agent is in the conversation', async () => {
    const t = build();
    t.chat.given.member(t.conversation.id, t.onDuty.id, 'agent');
    await t.alerts.messagesStored([t.chat.given.message(t.conversation.id, t.customer.id, 'هنوز؟')]);
    expect(t.jobs.of('push-send')).toEqual([]);
  });

  it('tells the supervisors of an escalated conversation on every device', async () => {
    const t = build();
    await t.alerts.escalated(t.conversation.id);
    expect(t.jobs.of('push-send')).toMatchObject([
      { deviceId: t.devices[1]!.id, support: true, message: { data: { queue: 'escalated' } } },
    ]);
  });

  it('schedules one fallback SMS per customer without push after an agent’s reply', async () => {
    const t = build();
    t.chat.given.member(t.conversation.id, t.onDuty.id, 'agent');
    const reply = t.chat.given.message(t.conversation.id, t.onDuty.id, 'بررسی می‌کنم');
    await t.alerts.messagesStored([reply]);
    expect(t.jobs.sent).toEqual([
      {
        name: 'sms-fallback',
        data: { userId: t.customer.id, conversationId: t.conversation.id, seq: reply.seq },
        options: { startAfter: 600, singletonKey: `${t.customer.id}:${t.conversation.id}` },
      },
    ]);
    t.devices.push(deviceRow({ userId: t.customer.id }));
    await t.alerts.messagesStored([reply]);
    expect(t.jobs.sent).toHaveLength(1);
  });
});
