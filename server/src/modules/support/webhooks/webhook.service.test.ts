import { WebhookEventDataSchemas } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../platform/events/domain-events.js';
import { webhookMessage } from './webhook.service.js';

const conversationId = '3f2b8c1e-1d2a-4c5b-9e8f-0a1b2c3d4e5f';
const inboxId = '00000000-0000-4000-8000-0000000000a1';
const teamId = '00000000-0000-4000-8000-0000000000b2';
const agentId = '00000000-0000-4000-8000-0000000000c3';

const event = (type: string, payload: unknown, actorId: string | null = null): DomainEvent =>
  ({
    id: 7,
    type,
    actorId,
    subject: `conversation:${conversationId}`,
    payload,
    at: new Date(),
  }) as DomainEvent;

describe('webhookMessage', () => {
  it('turns an SLA breach into support.sla_breached with its fields', () => {
    const message = webhookMessage(
      event('support.sla_breached', {
        inboxId,
        teamId,
        assigneeId: agentId,
        kind: 'first_response',
        cycle: 1,
        dueAt: '2026-03-21T05:30:00.000Z',
      }),
    );
    expect(message).toEqual({
      event: 'support.sla_breached',
      data: {
        conversationId,
        actorId: null,
        inboxId,
        teamId,
        assigneeId: agentId,
        kind: 'first_response',
        cycle: 1,
        dueAt: '2026-03-21T05:30:00.000Z',
      },
    });
    expect(WebhookEventDataSchemas['support.sla_breached'].parse(message!.data)).toEqual(message!.data);
  });

  it('turns a rating into support.csat_received, the customer as actor', () => {
    const customerId = '00000000-0000-4000-8000-0000000000d4';
    const message = webhookMessage(
      event(
        'support.csat_received',
        { inboxId, teamId: null, agentId, cycle: 2, rating: 4, comment: 'خوب بود' },
        customerId,
      ),
    );
    expect(message?.event).toBe('support.csat_received');
    expect(WebhookEventDataSchemas['support.csat_received'].parse(message!.data)).toEqual({
      conversationId,
      actorId: customerId,
      inboxId,
      teamId: null,
      agentId,
      cycle: 2,
      rating: 4,
      comment: 'خوب بود',
    });
  });

  it('sends a status change only when it is a resolve', () => {
    expect(
      webhookMessage(event('support.status_changed', { from: 'open', to: 'pending', reopened: false })),
    ).toBeNull();
    expect(
      webhookMessage(event('support.status_changed', { from: 'resolved', to: 'open', reopened: true })),
    ).toBeNull();
    expect(
      webhookMessage(
        event('support.status_changed', { from: 'pending', to: 'resolved', reopened: false }, agentId),
      ),
    ).toEqual({ event: 'support.resolved', data: { conversationId, actorId: agentId, from: 'pending' } });
  });

  it('leaves the transfer note out of support.assigned', () => {
    const message = webhookMessage(
      event('support.assigned', {
        fromId: agentId,
        toId: null,
        teamId,
        reason: 'transfer',
        note: 'customer 09121234567 is angry',
      }),
    );
    expect(message?.data).toEqual({
      conversationId,
      actorId: null,
      fromId: agentId,
      toId: null,
      teamId,
      reason: 'transfer',
    });
    expect(JSON.stringify(message)).not.toContain('0912');
  });

  it('sends nothing for events webhooks do not carry', () => {
    expect(webhookMessage(event('support.priority_changed', { from: 'none', to: 'high' }))).toBeNull();
  });
});
