// The browser's block cache in front of IndexedDB: writes reach the store underneath (behind the put, bounded, a
// failure reported), reads of recent blocks do not, the byte budget holds (least recently used out first), and a
// deleted block is gone from both.
import { describe, expect, it } from 'vitest';
import { MemoryBlockstore } from 'blockstore-core';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import * as raw from 'multiformats/codecs/raw';
import { CachedBlockstore } from './cached-blockstore';
import { startReceive } from './receiving';

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
    await store.flush();
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
    await store.flush();
    await read(store, big.cid);
    expect(disk.reads).toBe(2);
  });

  it('returns from a put before the disk write, serves the block meanwhile, and waits for the disk past its bound', async () => {
    const disk = new SlowStore();
    const store = new CachedBlockstore(disk, 40_000, 2500);
    const [a, b, c] = await Promise.all([1, 2, 3].map((n) => block(n)));
    await store.put(a!.cid, a!.bytes);
    // Not on disk yet, but there for readers of this store.
    expect(await disk.has(a!.cid)).toBe(false);
    expect(await store.has(a!.cid)).toBe(true);
    expect(await read(store, a!.cid)).toEqual(a!.bytes);
    await store.put(b!.cid, b!.bytes);
    // A third block would put 3000 bytes ahead of the disk (bound 2500): this put waits for a write to land.
    let third = false;
    const putting = store.put(c!.cid, c!.bytes).then(() => (third = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(third).toBe(false);
    disk.release();
    await putting;
    await store.flush();
    for (const x of [a, b, c]) expect(await disk.has(x!.cid)).toBe(true);
  });

  it('drops a block whose disk write failed and reports the failure on the next put', async () => {
    const disk = new SlowStore(new Error('QuotaExceededError: the disk is full'));
    const store = new CachedBlockstore(disk, 40_000);
    const [a, b] = await Promise.all([1, 2].map((n) => block(n)));
    await store.put(a!.cid, a!.bytes);
    disk.release();
    await expect(store.flush()).rejects.toThrow(/disk is full/);
    expect(await store.has(a!.cid)).toBe(false);
    // The failure was reported once; the store works again.
    disk.fail = undefined;
    await store.put(b!.cid, b!.bytes);
    await store.flush();
    expect(await disk.has(b!.cid)).toBe(true);
    disk.fail = new Error('QuotaExceededError: still full');
    await store.put(a!.cid, a!.bytes);
    await new Promise((r) => setTimeout(r, 0));
    await expect(store.put(b!.cid, b!.bytes)).rejects.toThrow(/still full/);
    expect(await store.has(a!.cid)).toBe(false);
  });
});

/** Lets pending writes and their idle waits run (a few macrotasks). */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};

describe('CachedBlockstore while the page is receiving', () => {
  it('holds back the disk writes of blocks put during a receive until every receive has ended, serving them from memory meanwhile; other puts are written at once', async () => {
    const disk = new MemoryBlockstore();
    const store = new CachedBlockstore(disk, 40_000);
    const [mine, a, b] = await Promise.all([1, 2, 3].map((n) => block(n)));
    await store.put(mine!.cid, mine!.bytes);
    await settle();
    expect(await disk.has(mine!.cid)).toBe(true);

    const first = startReceive();
    const second = startReceive();
    await store.put(a!.cid, a!.bytes);
    await store.put(b!.cid, b!.bytes);
    await settle();
    expect(await disk.has(a!.cid)).toBe(false);
    expect(await read(store, a!.cid)).toEqual(a!.bytes);
    first();
    first(); // ending one twice does not end the other
    await settle();
    expect(await disk.has(a!.cid)).toBe(false);
    second();
    await settle();
    expect(await disk.has(a!.cid)).toBe(true);
    expect(await disk.has(b!.cid)).toBe(true);
  });

  it('lets held writes go ahead when the blocks waiting for the disk pass the bound, so a long receive cannot stall', async () => {
    const disk = new MemoryBlockstore();
    const store = new CachedBlockstore(disk, 40_000, 2500);
    const end = startReceive();
    try {
      const blocks = await Promise.all([1, 2, 3, 4].map((n) => block(n)));
      // 4000 bytes put with a 2500-byte bound, all during one receive: the puts return and the writes land.
      for (const x of blocks) await store.put(x.cid, x.bytes);
      await store.flush();
      for (const x of blocks) expect(await disk.has(x.cid)).toBe(true);
    } finally {
      end();
    }
    // Without that release the third put would wait out the hold (5 s): this test's own time limit is shorter.
  }, 3_000);

  it('a page reloaded before a held write lands does not have that block (it is fetched again); one reloaded after has it', async () => {
    const disk = new MemoryBlockstore();
    const before = new CachedBlockstore(disk, 40_000);
    const x = await block(9);
    const end = startReceive();
    await before.put(x.cid, x.bytes);
    await settle();
    // The reload: a new page's store over the same IndexedDB.
    expect(await new CachedBlockstore(disk, 40_000).has(x.cid)).toBe(false);
    end();
    await before.flush();
    const after = new CachedBlockstore(disk, 40_000);
    expect(await after.has(x.cid)).toBe(true);
    expect(await read(after, x.cid)).toEqual(x.bytes);
  });

  it('keeps and writes a block that is a view into a larger buffer as its own bytes (IndexedDB would store the whole buffer)', async () => {
    const disk = new MemoryBlockstore();
    const store = new CachedBlockstore(disk, 4 * 1024 * 1024);
    const file = new Uint8Array(1024 * 1024).fill(5);
    const leaf = file.subarray(256 * 1024, 512 * 1024);
    const cid = CID.createV1(raw.code, await sha256.digest(leaf));
    await store.put(cid, leaf);
    await store.flush();
    const onDisk = await read(new CachedBlockstore(disk, 4 * 1024 * 1024), cid);
    expect(Buffer.compare(onDisk, leaf)).toBe(0);
    expect(onDisk.buffer.byteLength).toBe(leaf.byteLength);
    expect((await read(store, cid)).buffer.byteLength).toBe(leaf.byteLength);
  });
});

/** A store whose writes wait until released (then succeed, or fail with `fail`). */
class SlowStore extends MemoryBlockstore {
  #released = false;
  #waiters: Array<() => void> = [];
  constructor(public fail?: Error) {
    super();
  }
  release(): void {
    this.#released = true;
    for (const w of this.#waiters.splice(0)) w();
  }
  override async put(cid: CID, bytes: Uint8Array): Promise<CID> {
    if (!this.#released) await new Promise<void>((r) => this.#waiters.push(r));
    if (this.fail) throw this.fail;
    return super.put(cid, bytes);
  }
}
