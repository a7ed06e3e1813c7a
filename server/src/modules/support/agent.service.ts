import type { Availability } from '@abrik/protocol';
import type { Actor } from '../../platform/auth.js';
import { ForbiddenError } from '../../platform/errors.js';
import type { LiveEvents } from '../../platform/events/live-events.js';
import type { JobQueue } from '../../platform/jobs/queue.js';
import { KeyedGate } from '../../platform/keyed-gate.js';
import type { Logger } from '../../platform/logger.js';
import { maySetAvailability } from '../identity/policies.js';
import type { PresenceStore } from '../presence/presence-store.js';
import type { DirectoryRepository } from './directory.repository.js';
import type { SupportDefaults } from './settings.js';
import type { TicketService } from './ticket.service.js';

/**
 * Staff availability: what they set (`presence:set`), and whether any connection of theirs is
 * live — mirrored into the database from presence, so routing reads one place on every
 * instance. Going offline arms the timer that hands their conversations on; coming online (or
 * back to `online`) hands them the queue.
 */
export class AgentService {
  private readonly log: Logger;
  /**
   * One person's changes run in order on this instance, so the hand-off timer a lost connection
   * arms is there to cancel when they come back a moment later (each timer also checks when it runs).
   */
  private readonly inOrder = new KeyedGate(1);

  constructor(
    private readonly deps: {
      directory: DirectoryRepository;
      tickets: Pick<TicketService, 'drainAll'>;
      presence: Pick<PresenceStore, 'online'>;
      live: Pick<LiveEvents, 'publish' | 'on'>;
      jobs: Pick<JobQueue, 'send' | 'cancel'>;
      defaults: SupportDefaults;
      logger: Logger;
    },
  ) {
    this.log = deps.logger.child({ component: 'support' });
  }

  /** Staff availability as presence replies show it (`offline` while not connected). */
  async availability(userIds: string[]): Promise<Map<string, Availability>> {
    const agents = await this.deps.directory.listAgents({ ids: userIds });
    return new Map(agents.map((a) => [a.userId, a.connected ? a.availability : 'offline']));
  }

  /**
   * `presence:set`: online, busy, away — or offline, which hands their conversations on after
   * the grace, as a lost connection does (back to online in time, they keep them).
   */
  async setAvailability(actor: Actor, availability: Availability): Promise<void> {
    if (!maySetAvailability(actor)) throw new ForbiddenError('auth/forbidden');
    await this.deps.directory.ensureAgents([actor.id]);
    await this.inOrder.run(actor.id, async () => {
      const offlineSince = await this.deps.directory.setAvailability(actor.id, availability);
      if (availability === 'offline' && offlineSince) await this.armOffline(actor.id, offlineSince);
      if (!offlineSince) await this.deps.jobs.cancel('support-agent-offline', { agentId: actor.id });
    });
    this.deps.live.publish('presence.changed', {
      userId: actor.id,
      status: 'online',
      lastSeenAt: null,
      availability,
    });
    if (availability === 'online') await this.deps.tickets.drainAll();
  }

  /** A user came online or went offline everywhere (presence); staff profiles follow. */
  async connectionChanged(userId: string, connected: boolean): Promise<void> {
    const cameBack = await this.inOrder.run(userId, async () => {
      if (!(await this.deps.directory.setConnected(userId, connected))) return false;
      const agent = await this.deps.directory.getAgent(userId);
      if (connected) {
        // Back in time: the hand-off timer is moot (unless they are offline by their own choice).
        if (!agent?.offlineSince) await this.deps.jobs.cancel('support-agent-offline', { agentId: userId });
        return true;
      }
      if (agent?.offlineSince) await this.armOffline(userId, agent.offlineSince);
      return false;
    });
    if (cameBack) await this.deps.tickets.drainAll();
  }

  /**
   * A new role: someone made staff while connected was announced online as a customer, with no
   * profile to mark, and the connection their new role brings opens while the old one still
   * counts (or within the offline grace) — so presence announces nothing. Marked connected now,
   * they are handed the queue. (Made staff while away, their next connection is announced.)
   */
  async roleChanged(userId: string): Promise<void> {
    const online = await this.deps.presence.online([userId]);
    if (online.has(userId)) await this.connectionChanged(userId, true);
  }

  /** Checks the agents marked connected against presence (which a restart may have emptied). */
  async reconcile(): Promise<void> {
    const marked = await this.deps.directory.connectedAgentIds();
    if (marked.length === 0) return;
    const online = await this.deps.presence.online(marked);
    for (const userId of marked.filter((id) => !online.has(id))) {
      this.log.info({ userId }, 'agent marked connected without a live connection; now offline');
      await this.connectionChanged(userId, false);
    }
  }

  /** The timer that hands an offline assignee's conversations on once the grace has passed. */
  async armOffline(userId: string, offlineSince: Date, at?: Date): Promise<void> {
    const graces = (await this.deps.directory.listInboxes()).map(
      (i) => i.reassignOfflineAfterSeconds ?? this.deps.defaults.reassignOfflineAfterSeconds,
    );
    const shortest = Math.min(this.deps.defaults.reassignOfflineAfterSeconds, ...graces);
    const when = at ?? new Date(offlineSince.getTime() + shortest * 1000);
    await this.deps.jobs.send(
      'support-agent-offline',
      { agentId: userId, offlineSince: offlineSince.toISOString() },
      { startAfter: when },
    );
  }
}
