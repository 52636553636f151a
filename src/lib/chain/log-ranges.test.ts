import { describe, expect, it } from 'vitest';
import { inLogRanges } from './log-ranges';

describe('inLogRanges', () => {
  it('halves a range the node refuses as too large, keeps the smaller span, and reads every block once in order', async () => {
    const asked: Array<[number, number]> = [];
    const taken: number[] = [];
    await inLogRanges({
      fromBlock: 1,
      toBlock: 100,
      span: 64,
      read: async (from, to) => {
        asked.push([from, to]);
        if (to - from + 1 > 20) throw new Error('query exceeds max results 10000, retry with a smaller range');
        return Array.from({ length: to - from + 1 }, (_, i) => from + i);
      },
      take: (blocks) => taken.push(...blocks),
      failed: () => new Error('unexpected'),
    });
    expect(taken).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // 64 → 32 → 16 once; then every range is read at 16 blocks.
    expect(asked.slice(0, 3)).toEqual([
      [1, 64],
      [1, 32],
      [1, 16],
    ]);
    expect(asked.slice(3).every(([from, to]) => to - from + 1 <= 16)).toBe(true);
  });

  it('throws the caller’s error for any other failure, and for a one-block range still too large', async () => {
    const failed = (cause: unknown) => new Error(`chain says: ${(cause as Error).message}`);
    await expect(
      inLogRanges({ fromBlock: 0, toBlock: 9, span: 5, read: () => Promise.reject(new Error('connection refused')), take: () => undefined, failed }),
    ).rejects.toThrow('chain says: connection refused');
    await expect(
      inLogRanges({ fromBlock: 0, toBlock: 9, span: 5, read: () => Promise.reject(new Error('response too large')), take: () => undefined, failed }),
    ).rejects.toThrow('chain says: response too large');
  });
});
