import { describe, expect, it } from 'vitest';
import { listBadge } from './sla.js';

const NOW = Date.parse('2026-12-12T06:00:00Z');
const clock = (dueAt: string | null, extra: { breachedAt?: string; paused?: boolean } = {}) => ({
  kind: 'first_response' as const,
  dueAt,
  breachedAt: extra.breachedAt ?? null,
  paused: extra.paused ?? dueAt === null,
});

describe('listBadge', () => {
  it('marks a missed clock, also before the server has marked it', () => {
    expect(listBadge(clock('2026-12-12T05:00:00Z', { breachedAt: '2026-12-12T05:00:00Z' }), NOW)).toBe(
      'breached',
    );
    expect(listBadge(clock('2026-12-12T05:59:00Z'), NOW)).toBe('overdue');
  });

  it('marks one due within a quarter of an hour, and nothing with time to spare, paused or none', () => {
    expect(listBadge(clock('2026-12-12T06:10:00Z'), NOW)).toBe('due_soon');
    expect(listBadge(clock('2026-12-12T06:30:00Z'), NOW)).toBeNull();
    expect(listBadge(clock(null), NOW)).toBeNull();
    expect(listBadge(null, NOW)).toBeNull();
    expect(listBadge(undefined, NOW)).toBeNull();
  });
});
