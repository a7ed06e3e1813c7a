import { describe, expect, it } from 'vitest';
import { roleChange } from './GroupInfo.js';

const ME = 'me';

describe(roleChange.name, () => {
  it('lets the owner promote members and demote admins', () => {
    expect(roleChange('owner', { userId: 'a', role: 'member' }, ME)).toBe('admin');
    expect(roleChange('owner', { userId: 'a', role: 'admin' }, ME)).toBe('member');
  });

  it('lets an admin promote only', () => {
    expect(roleChange('admin', { userId: 'a', role: 'member' }, ME)).toBe('admin');
    expect(roleChange('admin', { userId: 'a', role: 'admin' }, ME)).toBeNull();
  });

  it('offers nothing to members, about the owner, or about myself', () => {
    expect(roleChange('member', { userId: 'a', role: 'member' }, ME)).toBeNull();
    expect(roleChange('owner', { userId: 'a', role: 'owner' }, ME)).toBeNull();
    expect(roleChange('owner', { userId: ME, role: 'owner' }, ME)).toBeNull();
    expect(roleChange('admin', { userId: ME, role: 'admin' }, ME)).toBeNull();
  });
});
