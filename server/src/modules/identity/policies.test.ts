import type { PlatformRole } from '@abrik/protocol';
import { describe, expect, it } from 'vitest';
import { isStaff, mayOpenSupport, maySetAvailability } from './policies.js';

describe('identity policies', () => {
  it.each<[PlatformRole, { staff: boolean; opensSupport: boolean; setsAvailability: boolean }]>([
    ['customer', { staff: false, opensSupport: true, setsAvailability: false }],
    ['agent', { staff: true, opensSupport: false, setsAvailability: true }],
    ['admin', { staff: true, opensSupport: false, setsAvailability: true }],
  ])('a %s', (role, expected) => {
    expect({
      staff: isStaff({ role }),
      opensSupport: mayOpenSupport({ role }),
      setsAvailability: maySetAvailability({ role }),
    }).toEqual(expected);
  });
});
