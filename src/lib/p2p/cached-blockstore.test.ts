// The browser's block cache in front of IndexedDB: writes reach the store underneath, reads of recent blocks do
// not, the byte budget holds (least recently used out first), and a deleted block is gone from both.
import { describe, expect, it } from 'vitest';
import { MemoryBlockstore } from 'blockstore-core';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import * as raw from 'multiformats/codecs/raw';
import { CachedBlockstore } from './cached-blockstore';

async function block(n: number, size = 1000): Promise<{ cid: CID; bytes: Uint8Array }> {
  const bytes = new Uint8Array(size).fill(n);
  return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes };
}

/** A store that counts reads, to tell a cache hit from a disk read. */
class CountingStore extends MemoryBlockstore {
  reads = 0;
  override async *get(cid: CID, options?: Parameters<MemoryBlockstore['get']>[1]) {
    this.reads++;
    yield* super.get(cid, options);
  }
}

async function read(store: CachedBlockstore, cid: CID): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of store.get(cid)) parts.push(p);
  return parts[0]!;
}

describe('CachedBlockstore', () => {
  it('writes through, serves recent blocks from memory, and keeps within its byte budget', async () => {
    const disk = new CountingStore();
    const store = new CachedBlockstore(disk, 4000);
    const blocks = await Promise.all([1, 2, 3, 4, 5].map((n) => block(n)));
    for (const b of blocks) await store.put(b.cid, b.bytes);
    for (const b of blocks) expect(await disk.has(b.cid)).toBe(true);
    // Budget 4000 bytes: the oldest block (1) went out; the four newest are served without a disk read.
    for (const b of blocks.slice(1)) expect(await read(store, b.cid)).toEqual(b.bytes);
    expect(disk.reads).toBe(0);
    expect(await read(store, blocks[0]!.cid)).toEqual(blocks[0]!.bytes);
    expect(disk.reads).toBe(1);
    // That read brought block 1 back and pushed out the least recently used one (2).
    await read(store, blocks[0]!.cid);
    expect(disk.reads).toBe(1);
    await read(store, blocks[1]!.cid);
    expect(disk.reads).toBe(2);
  });

  it('forgets a deleted block, and never caches a block larger than a quarter of its budget', async () => {
    const disk = new CountingStore();
    const store = new CachedBlockstore(disk, 4000);
    const small = await block(7);
    await store.put(small.cid, small.bytes);
    await store.delete(small.cid);
    expect(await store.has(small.cid)).toBe(false);
    await expect(read(store, small.cid)).rejects.toThrow();

    const big = await block(8, 1500);
    await store.put(big.cid, big.bytes);
    await read(store, big.cid);
    expect(disk.reads).toBe(2);
  });
});
