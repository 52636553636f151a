// The browser's blocks live in IndexedDB, where Chromium keeps each 256 KiB block as a separate blob file: reading a
// granule's blocks back to send them measured 2.3–2.8 s for 10 MiB on the sender (docs/bench/p2p.md), most of a
// transfer. Blocks this tab wrote or read recently are kept in memory too (up to a byte budget, least recently used
// out first), so serving a granule just published or fetched costs no disk read.
// Writes are behind: a put of a block's bytes returns once the block is in memory, and IndexedDB catches up. A block
// put while this page is receiving blocks (receiving.ts) is written once the page's receives have ended, when the page
// is otherwise idle; any other block (a granule this page imports, a block it fetched after its transfer) is written
// at once. Until its write lands the block is served from memory and never evicted; a write that fails drops the
// block (it is fetched again when wanted) and the next put or flush throws the error. Blocks are verified before they
// are put, so nothing unchecked is kept.
// A page closed or reloaded before a write lands loses that block from memory only: after the reload the store does
// not have it, so the granule it belongs to is fetched again (every fetch path asks for what is missing below a
// DAG's root), never read as whole with a block missing. The store does not promise that a granule received before a
// reload is still on disk after it; flush() is how a caller that needs that waits for it.
import { BaseBlockstore } from 'blockstore-core';
import type { Blockstore } from 'interface-blockstore';
import type { AbortOptions } from '@libp2p/interface';
import type { CID } from 'multiformats/cid';
import { base64 } from 'multiformats/bases/base64';
import { receivesEnded, receiving } from './receiving';

type PostTask = (task: () => void, options: { priority: 'background' }) => Promise<unknown>;

/** How long a write waits for the page's receives to end before it goes ahead anyway (a stalled transfer). */
const MAX_HOLD_MS = 5_000;
/** A view this many bytes smaller than its buffer is copied before it is kept (see put). */
const VIEW_SLACK = 4096;

/**
 * Resolves when the page has nothing more urgent to do (Chromium's background task priority; elsewhere the next
 * macrotask). IndexedDB copies a value on the main thread when a write starts (about 2 ms per 256 KiB block in
 * Chromium, where each becomes a blob): 40 writes of a shard started as its CAR arrived stood in the way of reading
 * and checking the next blocks.
 */
function whenIdle(): Promise<void> {
  const postTask = (globalThis as { scheduler?: { postTask?: PostTask } }).scheduler?.postTask;
  if (postTask)
    return postTask.call((globalThis as unknown as { scheduler: unknown }).scheduler, () => undefined, { priority: 'background' }).then(() => undefined);
  return new Promise((resolve) => setTimeout(resolve, 0));
}

export class CachedBlockstore extends BaseBlockstore {
  readonly #store: Blockstore;
  readonly #maxBytes: number;
  readonly #maxUnwrittenBytes: number;
  /** Insertion order is recency order: a hit is moved to the end. */
  readonly #cache = new Map<string, Uint8Array>();
  #bytes = 0;
  /** Blocks put but not yet in the store underneath, with their write. */
  readonly #unwritten = new Map<string, { bytes: Uint8Array; write: Promise<void> }>();
  #unwrittenBytes = 0;
  #failure: Error | undefined;
  /** Resolved (and replaced) when a put waits for memory: writes held back for a receive start then. */
  #pressure = signal();

  /** `maxUnwrittenBytes`: past this many bytes waiting for the store, a put waits for the writes to catch up. */
  constructor(store: Blockstore, maxBytes: number, maxUnwrittenBytes = maxBytes / 2) {
    super();
    this.#store = store;
    this.#maxBytes = maxBytes;
    this.#maxUnwrittenBytes = maxUnwrittenBytes;
  }

  /** The store keys blocks by multihash (a raw and a dag-pb CID of the same bytes are one block): so does the cache. */
  #key(cid: CID): string {
    return base64.baseEncode(cid.multihash.bytes);
  }

  #remember(cid: CID, bytes: Uint8Array): void {
    if (bytes.length > this.#maxBytes / 4) return;
    const key = this.#key(cid);
    this.#forget(key);
    this.#cache.set(key, bytes);
    this.#bytes += bytes.length;
    for (const [oldest, value] of this.#cache) {
      if (this.#bytes <= this.#maxBytes) break;
      this.#cache.delete(oldest);
      this.#bytes -= value.length;
    }
  }

  #forget(key: string): void {
    const old = this.#cache.get(key);
    if (old === undefined) return;
    this.#cache.delete(key);
    this.#bytes -= old.length;
  }

  #throwFailure(): void {
    const failure = this.#failure;
    if (failure === undefined) return;
    this.#failure = undefined;
    throw failure;
  }

  override async put(cid: CID, value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    this.#throwFailure();
    if (!(value instanceof Uint8Array)) {
      await this.#store.put(cid, value, options);
      return cid;
    }
    // A block is often a view into a larger buffer (a file's leaves are views into the file as the UnixFS importer
    // cuts it; a received frame carries the CID before the block). IndexedDB stores a view's whole buffer: a 256 KiB
    // leaf of a 10 MiB file was a 10 MiB record, its copy 40× the work, and the cache would keep the file alive.
    const bytes = value.buffer.byteLength > value.byteLength + VIEW_SLACK ? value.slice() : value;
    const key = this.#key(cid);
    this.#remember(cid, bytes);
    if (this.#unwritten.has(key)) return cid;
    const write = (receiving() ? this.#afterReceives() : Promise.resolve())
      .then(() => this.#store.put(cid, bytes))
      .then(
        () => undefined,
        (error: unknown) => {
          this.#failure = error instanceof Error ? error : new Error(String(error));
          this.#forget(key);
        },
      );
    this.#unwritten.set(key, { bytes, write });
    this.#unwrittenBytes += bytes.length;
    void write.finally(() => {
      this.#unwritten.delete(key);
      this.#unwrittenBytes -= bytes.length;
    });
    // Memory is bounded: a fast sender cannot pile up more than this many bytes ahead of the disk, and writes held
    // back for a receive go ahead once it would.
    while (this.#unwrittenBytes > this.#maxUnwrittenBytes) {
      this.#pressure.fire();
      this.#pressure = signal();
      await Promise.race([...this.#unwritten.values()].map((u) => u.write));
    }
    return cid;
  }

  /** Resolves when the page's receives have ended (or MAX_HOLD_MS passed, or memory is short), then when it is idle. */
  async #afterReceives(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([receivesEnded(), this.#pressure.fired, new Promise<void>((r) => (timer = setTimeout(r, MAX_HOLD_MS)))]);
    clearTimeout(timer);
    await whenIdle();
  }

  /** Resolves once every put so far is in the store underneath; throws the error of a write that failed. */
  async flush(): Promise<void> {
    await Promise.all([...this.#unwritten.values()].map((u) => u.write));
    this.#throwFailure();
  }

  override async *get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    const key = this.#key(cid);
    const hit = this.#cache.get(key) ?? this.#unwritten.get(key)?.bytes;
    if (hit !== undefined) {
      this.#remember(cid, hit);
      yield hit;
      return;
    }
    const parts: Uint8Array[] = [];
    for await (const part of this.#store.get(cid, options)) parts.push(part);
    if (parts.length === 1) this.#remember(cid, parts[0]!);
    yield* parts;
  }

  override async has(cid: CID, options?: AbortOptions): Promise<boolean> {
    const key = this.#key(cid);
    return this.#cache.has(key) || this.#unwritten.has(key) || (await this.#store.has(cid, options));
  }

  override async delete(cid: CID, options?: AbortOptions): Promise<void> {
    const key = this.#key(cid);
    this.#forget(key);
    // A delete must not be overtaken by the block's own pending write.
    await this.#unwritten.get(key)?.write;
    this.#forget(key);
    await this.#store.delete(cid, options);
  }

  override async *getAll(options?: AbortOptions): AsyncGenerator<{ cid: CID; bytes: AsyncGenerator<Uint8Array> }> {
    await this.flush().catch(() => undefined);
    for await (const pair of this.#store.getAll(options)) yield { cid: pair.cid, bytes: this.get(pair.cid, options) };
  }
}

function signal(): { fired: Promise<void>; fire: () => void } {
  let fire!: () => void;
  const fired = new Promise<void>((r) => (fire = r));
  return { fired, fire };
}
