import { describe, expect, it, vi } from 'vitest';
import { onceUntilFailed } from './once.js';

describe(onceUntilFailed.name, () => {
  it('loads once for every caller', async () => {
    const load = vi.fn(async () => 'chunk');
    const get = onceUntilFailed(load);
    expect(await Promise.all([get(), get()])).toEqual(['chunk', 'chunk']);
    expect(await get()).toBe('chunk');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('forgets a failed load, so the next call tries again', async () => {
    const load = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module'))
      .mockResolvedValue('chunk');
    const get = onceUntilFailed(load);
    await expect(get()).rejects.toThrow(TypeError);
    expect(await get()).toBe('chunk');
    expect(await get()).toBe('chunk');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
