import { describe, expect, it } from 'vitest';
import { estimateWait, median } from './queue.service.js';

describe(estimateWait.name, () => {
  it('is the place times the median of recent waits, rounded up', () => {
    expect(estimateWait(1, [30, 90, 60], 2)).toBe(60);
    expect(estimateWait(3, [30, 90, 60], 2)).toBe(180);
    expect(estimateWait(2, [10, 20, 30, 45], 1)).toBe(50); // median of four: (20 + 30) / 2
    expect(estimateWait(1, [0.2], 1)).toBe(1);
  });

  it('is no number at all when nobody serving the inbox is online, or nothing was served lately', () => {
    expect(estimateWait(1, [30], 0)).toBeNull();
    expect(estimateWait(1, [], 3)).toBeNull();
  });

  it('gives up beyond a day', () => {
    expect(estimateWait(1000, [3600], 1)).toBe(86_400);
  });
});

describe(median.name, () => {
  it('takes the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});
