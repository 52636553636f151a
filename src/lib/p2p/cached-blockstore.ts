// The browser's blocks live in IndexedDB, where Chromium keeps each 256 KiB block as a separate blob file: reading a
// granule's blocks back to send them measured 2.3–2.8 s for 10 MiB on the sender (docs/bench/p2p.md), most of a
// transfer. Blocks this tab wrote or read recently are kept in memory too (up to a byte budget, least recently used
// out first), so serving a granule just published or fetched costs no disk read. Writes still go to IndexedDB first.
import { BaseBlockstore } from 'blockstore-core';
import type { Blockstore } from 'interface-blockstore';
import type { AbortOptions } from '@libp2p/interface';
import type { CID } from 'multiformats/cid';
import { base64 } from 'multiformats/bases/base64';

export class CachedBlockstore extends BaseBlockstore {
  readonly #store: Blockstore;
  readonly #maxBytes: number;
  /** Insertion order is recency order: a hit is moved to the end. */
  readonly #cache = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(store: Blockstore, maxBytes: number) {
    super();
    this.#store = store;
    this.#maxBytes = maxBytes;
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

  override async put(cid: CID, value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    let bytes: Uint8Array | undefined;
    if (value instanceof Uint8Array) bytes = value;
    await this.#store.put(cid, value, options);
    if (bytes) this.#remember(cid, bytes);
    return cid;
  }

  override async *get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    const key = this.#key(cid);
    const hit = this.#cache.get(key);
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
    return this.#cache.has(this.#key(cid)) || (await this.#store.has(cid, options));
  }

  override async delete(cid: CID, options?: AbortOptions): Promise<void> {
    this.#forget(this.#key(cid));
    await this.#store.delete(cid, options);
  }

  override async *getAll(options?: AbortOptions): AsyncGenerator<{ cid: CID; bytes: AsyncGenerator<Uint8Array> }> {
    for await (const pair of this.#store.getAll(options)) yield { cid: pair.cid, bytes: this.get(pair.cid, options) };
  }
}
