import type { ConversationKind, MemberRole, PlatformRole } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { actor, fakeChat } from '../../../test/support/fakes.js';
import { mayAddMembers, mayChangeMessage, mayRemoveMember, requireAccess, staffServes } from './policies.js';

describe('chat policies', () => {
  it.each<[PlatformRole, ConversationKind, boolean]>([
    ['agent', 'support', true],
    ['admin', 'support', true],
    ['customer', 'support', false],
    ['supervisor', 'notes', true],
    ['customer', 'notes', false],
    ['agent', 'group', false],
    ['admin', 'direct', false],
  ])('staffServes: a %s serves a %s conversation: %s', (role, kind, expected) => {
    expect(staffServes(actor(role), { kind })).toBe(expected);
  });

  it.each<[MemberRole | undefined, boolean]>([
    ['owner', true],
    ['admin', true],
    ['member', false],
    ['agent', false],
    ['customer', false],
    [undefined, false],
  ])('mayAddMembers: a group %s adds members: %s', (role, expected) => {
    expect(mayAddMembers(role ? { role } : undefined)).toBe(expected);
  });

  it.each<[MemberRole, MemberRole, boolean]>([
    ['owner', 'admin', true],
    ['owner', 'member', true],
    ['admin', 'member', true],
    ['admin', 'admin', false],
    ['admin', 'owner', false],
    ['member', 'member', false],
  ])('mayRemoveMember: a group %s removes a %s: %s', (remover, target, expected) => {
    expect(mayRemoveMember({ role: remover, userId: 'a' }, { role: target, userId: 'b' })).toBe(expected);
  });

  it('mayRemoveMember: anyone may leave, whatever their role', () => {
    for (const role of ['owner', 'admin', 'member'] as const) {
      expect(mayRemoveMember({ role, userId: 'a' }, { role, userId: 'a' })).toBe(true);
    }
  });

  it('mayChangeMessage: only the sender', () => {
    expect(mayChangeMessage({ id: 'a' }, { senderId: 'a' })).toBe(true);
    expect(mayChangeMessage({ id: 'a' }, { senderId: 'b' })).toBe(false);
    expect(mayChangeMessage({ id: 'a' }, { senderId: null })).toBe(false);
  });

  describe(requireAccess.name, () => {
    const chat = fakeChat();
    const member = actor('customer');
    const direct = chat.given.conversation({ kind: 'direct' });
    const support = chat.given.conversation({ kind: 'support' });
    chat.given.member(direct.id, member.id);

    it.each<[string, PlatformRole, 'direct' | 'support' | 'missing', 'member' | 'stranger', boolean]>([
      ['a member reads their conversation', 'customer', 'direct', 'member', true],
      ['a stranger does not see a direct conversation', 'customer', 'direct', 'stranger', false],
      ['an agent does not see a direct conversation', 'agent', 'direct', 'stranger', false],
      ['an agent sees every support conversation', 'agent', 'support', 'stranger', true],
      ['an admin sees every support conversation', 'admin', 'support', 'stranger', true],
      ['a customer does not see another customer’s support', 'customer', 'support', 'stranger', false],
      ['nobody sees what does not exist', 'admin', 'missing', 'stranger', false],
    ])('%s', async (_case, role, which, who, allowed) => {
      const caller = who === 'member' ? member : actor(role);
      const id = which === 'direct' ? direct.id : which === 'support' ? support.id : crypto.randomUUID();
      const result = requireAccess(chat.conversations, caller, id);
      if (allowed) await expect(result).resolves.toMatchObject({ conversation: { id } });
      // Refused exactly as missing: its existence never leaks.
      else await expect(result).rejects.toMatchObject({ status: 404, code: 'conversation/not_found' });
    });
  });
});
