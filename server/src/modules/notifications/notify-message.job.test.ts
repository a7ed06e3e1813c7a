import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fakePresence, recordingJobs } from '../../../test/support/fakes.js';
import type { MessageRow } from '../chat/tables.js';
import type { PushTargetRow } from './device.repository.js';
import { MessageNotifier } from './notify-message.job.js';

/** A notifier whose recipients are `targets`, with `supportMessages` among the stored ones. */
function build(targets: PushTargetRow[], presence = fakePresence(), supportMessages: MessageRow[] = []) {
  const jobs = recordingJobs();
  const alerted: MessageRow[][] = [];
  const asked: string[][] = [];
  const notifier = new MessageNotifier({
    devices: {
      pushTargets: async (ids) => {
        asked.push(ids);
        return targets;
      },
    },
    messages: { liveInSupport: async () => supportMessages },
    presence,
    support: {
      messagesStored: async (messages) => {
        alerted.push(messages);
      },
    },
    jobs,
    collapseSeconds: 10,
  });
  return { notifier, jobs, alerted, asked };
}

const ref = (conversationId: string) => ({ messageId: randomUUID(), conversationId });

describe(MessageNotifier.name, () => {
  it('gives a member who is away one notify-user job, collapsed per member and conversation', async () => {
    const conversationId = randomUUID();
    const t = build([{ conversationId, userId: 'bob', web: false, phone: true }]);
    await t.notifier.notify([{ messages: [ref(conversationId), ref(conversationId)] }]);
    expect(t.jobs.sent).toEqual([
      {
        name: 'notify-user',
        data: { userId: 'bob', conversationId },
        options: { seconds: 10, key: `bob:${conversationId}` },
      },
    ]);
  });

  it('pushes to a connected member’s browser only, and not while it shows the conversation', async () => {
    const c = randomUUID();
    const presence = fakePresence({ online: ['bob', 'carol', 'dave'], watching: { dave: c } });
    const t = build(
      [
        { conversationId: c, userId: 'bob', web: true, phone: true },
        { conversationId: c, userId: 'carol', web: false, phone: true },
        { conversationId: c, userId: 'dave', web: true, phone: false },
      ],
      presence,
    );
    await t.notifier.notify([{ messages: [ref(c)] }]);
    expect(t.jobs.of('notify-user')).toEqual([{ userId: 'bob', conversationId: c }]);
  });

  it('reads the recipients of a whole fetch of jobs in one query, old one-message jobs included', async () => {
    const [c1, c2] = [randomUUID(), randomUUID()];
    const legacy = ref(c2);
    const t = build([]);
    const current = { messages: [ref(c1)] };
    await t.notifier.notify([current, legacy]);
    expect(t.asked).toEqual([[current.messages[0]!.messageId, legacy.messageId]]);
    expect(t.jobs.sent).toEqual([]);
  });

  it('hands the support conversations’ messages to the support alerts', async () => {
    const c = randomUUID();
    const message = { id: randomUUID(), conversationId: c } as MessageRow;
    const t = build([], fakePresence(), [message]);
    await t.notifier.notify([{ messages: [ref(c)] }]);
    expect(t.alerted).toEqual([[message]]);
  });
});
