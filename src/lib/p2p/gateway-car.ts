// A whole DAG from a community node's block gateway in one response: the Trustless Gateway's CAR
// (`GET /ipfs/{root}?format=car&dag-scope=all`, relay/block-gateway-car.ts). Block by block, a 10 MiB shard is 21
// requests on at most 6 connections, each waiting its turn, and the walk learns the leaves from the root first; a CAR
// streams the root and every leaf on one connection, shards side by side.
// The gateway is trusted for nothing. Every block must pass the receiver's check (block-check.ts: SHA-256 raw or
// dag-pb, hashing to its CID) before it is stored, and must belong to the DAG asked for: the root first, then only
// blocks linked from blocks already accepted, each once (a repeat is skipped and still counted against the caps). A block of another DAG, altered bytes, a malformed or over-long stream,
// or one that ends before the DAG is whole stops the response with a GatewayFetchError; what was verified before it
// stays stored, and the caller (block-sources.ts) fetches the rest another way.
import type { Blockstore } from 'interface-blockstore';
import { CarBlockIterator } from '@ipld/car/iterator';
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import { MAX_BLOCK_BYTES } from './block-transfer';
import { checkBlock } from './block-check';
import { gatewayRefusal } from './gateway-address';
import { startReceive } from './receiving';
import { GatewayFetchError } from './gateway-errors';

const CAR = 'application/vnd.ipld.car';
/** Leaves hashed and stored at once while the stream is read on. */
const CHECKS_IN_FLIGHT = 8;

export interface CarDagOptions {
  signal?: AbortSignal;
  /** Refuse the DAG past this many bytes of blocks. */
  maxBytes: number;
  /** Refuse the DAG past this many blocks. */
  maxBlocks: number;
  /** Allow http:// and loopback or private addresses (the local development node only). */
  development: boolean;
  /** Every block received, checked and stored. */
  onBlock?: (cid: CID, bytes: number) => void;
}

/** The response body's chunks, failing once more than `limit` bytes came (before the CAR reader buffers them). */
async function* bounded(body: ReadableStream<Uint8Array>, limit: number, root: CID): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      total += value.length;
      if (total > limit)
        throw new GatewayFetchError('TOO_MUCH_DATA', `The block gateway sent more for ${root.toString()} than its DAG can hold; the rest was refused.`);
      yield value;
    }
  } finally {
    // Stops the download when the reader gives up early (a refused block, an abort).
    reader.cancel().catch(() => undefined);
  }
}

/**
 * Fetches the DAG under `root` from `gateway` as one CAR into `store`, checking every block as described above.
 * Resolves once every block of the DAG is stored; blocks already stored are fetched again (the caller asks only for
 * DAGs it does not have).
 */
export async function fetchCarInto(store: Blockstore, gateway: string, root: CID, o: CarDagOptions): Promise<{ blocks: number; bytes: number }> {
  // A receive: the page's block cache holds its disk writes back until it has ended (receiving.ts).
  const end = startReceive();
  try {
    return await carInto(store, gateway, root, o);
  } finally {
    end();
  }
}

async function carInto(store: Blockstore, gateway: string, root: CID, o: CarDagOptions): Promise<{ blocks: number; bytes: number }> {
  // The rule the block-by-block path keeps too (gateway-address.ts).
  const refusal = gatewayRefusal(gateway, o.development);
  if (refusal !== undefined) throw new GatewayFetchError('CAR_NOT_SERVED', refusal);
  const url = `${gateway.replace(/\/+$/, '')}/ipfs/${root.toString()}?format=car&dag-scope=all`;
  let response: Response;
  try {
    response = await fetch(url, {
      // The spec's negotiation; this Accept value needs no CORS preflight.
      headers: { accept: `${CAR}; version=1; order=dfs; dups=n` },
      // Blocks are kept in the node's own store; the browser's HTTP cache would only hold a second copy.
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      ...(o.signal ? { signal: o.signal } : {}),
    });
  } catch (error) {
    o.signal?.throwIfAborted();
    throw new GatewayFetchError('CAR_NOT_SERVED', `The block gateway could not be reached for ${root.toString()} (${(error as Error).message}).`);
  }
  if (response.status !== 200 || !response.body) {
    await response.body?.cancel().catch(() => undefined);
    throw new GatewayFetchError('CAR_NOT_SERVED', `The block gateway did not serve ${root.toString()} as a CAR (HTTP ${response.status}).`);
  }
  // A CAR of another version (or no CAR at all, from an older gateway) is not read.
  const type = (response.headers.get('content-type') ?? '')
    .toLowerCase()
    .split(';')
    .map((x) => x.trim());
  if (type[0] !== CAR || !type.slice(1).every((p) => !p.startsWith('version=') || p === 'version=1')) {
    await response.body.cancel().catch(() => undefined);
    throw new GatewayFetchError('CAR_MALFORMED', `The block gateway answered ${type[0] || 'nothing'} instead of a CAR of version 1 for ${root.toString()}.`);
  }
  // The blocks, and per block its CID (36 bytes here) and length prefix (at most 4 for a block this app takes).
  const limit = o.maxBytes + 4096 + 64 * o.maxBlocks;
  /** CIDs linked from accepted blocks and not received yet; the root before anything. */
  const expected = new Set<string>([root.toString()]);
  const accepted = new Set<string>();
  let blocks = 0;
  let bytes = 0;
  let kept = 0;
  let iterator: CarBlockIterator;
  try {
    iterator = await CarBlockIterator.fromIterable(bounded(response.body, limit, root));
  } catch (error) {
    o.signal?.throwIfAborted();
    if (error instanceof GatewayFetchError) throw error;
    throw new GatewayFetchError('CAR_MALFORMED', `The block gateway's CAR for ${root.toString()} could not be read (${(error as Error).message}).`);
  }
  /** Blocks taken on (their check may still run): a repeat of one is skipped. */
  const claimed = new Set<string>();
  /** Checks of leaves still running, oldest first; the first failure among them. */
  const running: Promise<void>[] = [];
  let failure: unknown;
  /** Checks the block (block-check.ts), and stores it only if it passes; a node's links join what the DAG may hold. */
  const check = async (cid: CID, bytes: Uint8Array): Promise<void> => {
    const checked = await checkBlock(cid, bytes);
    if (!checked.ok) {
      if (checked.reason === 'kind')
        throw new GatewayFetchError(
          'CAR_UNEXPECTED_BLOCK',
          `The block gateway sent block ${cid.toString()}, of a kind this app does not check; it was refused.`,
        );
      if (checked.reason === 'mismatch')
        throw new GatewayFetchError(
          'CAR_BLOCK_MISMATCH',
          `The block gateway sent bytes for block ${cid.toString()} that do not match its ID: altered data, refused and not stored.`,
        );
      throw new GatewayFetchError(
        'CAR_MALFORMED',
        `The block gateway sent a directory block ${cid.toString()} that cannot be read, though it matches its ID; it was refused and not stored.`,
      );
    }
    // A view into the reader's buffer would carry its neighbours into a store that keeps views (the node store in
    // Node, a MemoryBlockstore); the browser's cached store copies views itself.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    // Links only from a node verified against its CID: what the DAG holds.
    for (const link of checked.links) if (!claimed.has(link.toString())) expected.add(link.toString());
    await store.put(cid, own);
    accepted.add(cid.toString());
    kept += own.length;
    o.onBlock?.(cid, own.length);
  };
  try {
    for await (const block of iterator) {
      if (failure) throw failure;
      const cid = block.cid;
      const key = cid.toString();
      bytes += block.bytes.length;
      if (++blocks > o.maxBlocks || bytes > o.maxBytes || block.bytes.length > MAX_BLOCK_BYTES)
        throw new GatewayFetchError(
          'TOO_MUCH_DATA',
          `The DAG under ${root.toString()} holds more than this granule can (${o.maxBlocks} blocks, ${o.maxBytes} bytes).`,
        );
      if (claimed.has(key)) continue;
      if (!expected.has(key))
        throw new GatewayFetchError(
          'CAR_UNEXPECTED_BLOCK',
          `The block gateway sent block ${key}, which is not part of ${root.toString()} (or came before the block linking to it); it was refused.`,
        );
      expected.delete(key);
      claimed.add(key);
      const job = check(cid, block.bytes);
      // A node's links decide what may come next: it is checked before the next block is read. Leaves are hashed
      // (off the main thread in a page) while the next ones are read, a few at a time.
      if (cid.code === dagPb.code) await job;
      else {
        job.catch((error: unknown) => {
          failure ??= error;
        });
        running.push(job);
        if (running.length >= CHECKS_IN_FLIGHT) await running.shift();
      }
    }
    await Promise.all(running);
  } catch (error) {
    // Checks still running end first: what they verify is stored, nothing lands after the caller moves on.
    await Promise.allSettled(running);
    o.signal?.throwIfAborted();
    if (error instanceof GatewayFetchError) throw error;
    throw new GatewayFetchError(
      'CAR_INCOMPLETE',
      `The block gateway's CAR for ${root.toString()} broke off after ${accepted.size} blocks (${(error as Error).message}); those are kept.`,
    );
  }
  if (expected.size > 0)
    throw new GatewayFetchError(
      'CAR_INCOMPLETE',
      `The block gateway's CAR for ${root.toString()} ended with ${expected.size} of its blocks missing; the ${accepted.size} received are kept.`,
    );
  return { blocks: accepted.size, bytes: kept };
}
