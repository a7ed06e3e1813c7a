import { describe, expect, it } from 'vitest';
import { KeyedGate } from './keyed-gate.js';

describe(KeyedGate.name, () => {
  it('runs at most `limit` tasks of a key at once, the rest in order; other keys are not held up', async () => {
    const gate = new KeyedGate(2);
    const release: (() => void)[] = [];
    const started: string[] = [];
    const task = (name: string) => () =>
      new Promise<string>((resolve) => {
        started.push(name);
        release.push(() => resolve(name));
      });
    const a = ['a1', 'a2', 'a3', 'a4'].map((n) => gate.run('a', task(n)));
    const b = gate.run('b', task('b1'));
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['a1', 'a2', 'b1']);
    expect(gate.running('a')).toBe(2);
    release.shift()!(); // a1 done: a3 starts
    await new Promise((r) => setTimeout(r, 0));
    expect(started).toEqual(['a1', 'a2', 'b1', 'a3']);
    while (release.length > 0) {
      release.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all([...a, b])).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
    expect(gate.running('a')).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const gate = new KeyedGate(1);
    await expect(gate.run('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run('k', async () => 'next')).toBe('next');
    expect(gate.running('k')).toBe(0);
  });
});
