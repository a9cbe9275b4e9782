import { describe, expect, it } from 'vitest';
import { keepLoopBusy } from '../src/keepLoopBusy.ts';

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('keepLoopBusy', () => {
  it('holds a timer while the work runs and releases it after, on success and on failure', async () => {
    const before = timers();
    let during = 0;
    expect(await keepLoopBusy(async () => ((during = timers()), 7))).toBe(7);
    expect(during).toBe(before + 1);
    expect(timers()).toBe(before);
    await expect(keepLoopBusy(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(timers()).toBe(before);
  });
});
