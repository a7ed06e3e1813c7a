import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/logger.js';
import { AgentService } from './agent.service.js';
import type { DirectoryRepository } from './directory.repository.js';

const DEFAULTS = {
  maxConversations: 3,
  reassignOfflineAfterSeconds: 60,
  reassignNoReplyAfterSeconds: 300,
  maxAutoReassigns: 1,
  reopenWindowSeconds: 3600,
};

/** An agent service whose directory answers from memory; `slowInboxes` delays arming a timer. */
function agents(slowInboxes: Promise<void>) {
  const calls: string[] = [];
  const state = { connected: true, offlineSince: null as Date | null };
  const directory = {
    setConnected: async (_userId: string, connected: boolean) => {
      state.connected = connected;
      state.offlineSince = connected ? null : (state.offlineSince ?? new Date());
      return true;
    },
    getAgent: async () => ({ ...state, availability: 'online' }),
    listInboxes: async () => {
      await slowInboxes;
      return [];
    },
  } as unknown as DirectoryRepository;
  const service = new AgentService({
    directory,
    tickets: { drainAll: async () => void calls.push('drain') },
    presence: { online: async () => new Set<string>() },
    live: { publish: () => {}, on: () => () => {} } as never,
    jobs: {
      send: async (name: string) => {
        calls.push(`send ${name}`);
        return null;
      },
      cancel: async (name: string) => {
        calls.push(`cancel ${name}`);
        return 1;
      },
    } as never,
    defaults: DEFAULTS,
    logger: createLogger({ level: 'silent' }),
  });
  return { service, calls };
}

describe(AgentService.name, () => {
  it('cancels the hand-off timer of a lost connection only after arming it, however quick the return', async () => {
    let armed!: () => void;
    const { service, calls } = agents(new Promise<void>((resolve) => (armed = resolve)));
    const lost = service.connectionChanged('agent', false); // waits on the inboxes before arming
    const back = service.connectionChanged('agent', true); // must not cancel before that
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual([]);
    armed();
    await Promise.all([lost, back]);
    expect(calls).toEqual(['send support-agent-offline', 'cancel support-agent-offline', 'drain']);
  });

  it('lets different people’s changes run side by side', async () => {
    const { service, calls } = agents(new Promise<void>(() => {})); // A's arming never finishes
    void service.connectionChanged('a', false);
    await service.connectionChanged('b', true);
    expect(calls).toEqual(['cancel support-agent-offline', 'drain']);
  });
});
