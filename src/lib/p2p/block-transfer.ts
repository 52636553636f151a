// A direct block transfer beside bitswap. Bitswap asks for each block and waits for it; over a browser's WebRTC
// connection that costs one round trip, one want-list message and one small data-channel exchange per 256 KiB block,
// and measured 7× the bare data channel. Here the receiver names the blocks it wants and the sender streams each named
// block and, when asked, every block below it, in order. A DAG not stored here at all is asked for in one round trip:
// each of several streams names the root and a part of its children (the sender sends the root, then that part's
// blocks); a partly stored DAG is asked for by its missing blocks. The receiver trusts nothing it is sent: every block
// must be one it expects (named, or linked from a dag-pb node it already verified in this exchange), at most
// MAX_BLOCK_BYTES, and hash to its CID before it is stored or used; a stream that breaks any of these, sends too much,
// or goes quiet is cut with a BlockTransferError.
import type { Helia } from '@helia/interface';
import type { Libp2p, PeerId, Stream } from '@libp2p/interface';
import type { AbortOptions } from '@libp2p/interface';
import { lpStream } from '@libp2p/utils';
import { CID } from 'multiformats/cid';
import * as dagPb from '@ipld/dag-pb';
import * as v from 'valibot';
import { BLOCK_TRANSFER_PROTOCOL } from './protocols';
import { concat } from './blocks';
import { checkBlock, linksOf } from './block-check';
import { startReceive } from './receiving';
import { P2PError } from './errors';
import { namedError } from '../errors/index';

/** Bitswap peers refuse blocks over 2 MiB; no honest DAG here has larger ones (granule shards use 256 KiB leaves). */
export const MAX_BLOCK_BYTES = 2 * 1024 * 1024;
/** A CID's bytes (v1, sha2-256) are 36; room for longer multihashes without allowing a second payload. */
const MAX_CID_BYTES = 128;
/** CIDs one request may name. */
const MAX_REQUEST_CIDS = 1024;
const MAX_REQUEST_BYTES = MAX_REQUEST_CIDS * 80 + 64;
/** Streams of this protocol one connection may have open at once on the serving side. */
const MAX_INBOUND_STREAMS = 16;
/** The frame that ends a response: no CID starts with a zero byte. */
const END = Uint8Array.of(0);

export type BlockTransferCode =
  /** A block whose bytes do not hash to its CID. */
  | 'BLOCK_MISMATCH'
  /** A frame larger than MAX_BLOCK_BYTES (plus its CID). */
  | 'BLOCK_TOO_LARGE'
  /** A block nobody asked for, or one already received in this exchange. */
  | 'BLOCK_UNEXPECTED'
  /** More blocks or bytes than the caller allowed for this DAG. */
  | 'TOO_MUCH_DATA'
  /** No frame within the idle time. */
  | 'STALLED'
  /** A frame or request that cannot be parsed, or a hash this node does not check. */
  | 'MALFORMED'
  /** The stream ended or broke before the end frame. */
  | 'INTERRUPTED';

export class BlockTransferError extends namedError('BlockTransferError', P2PError) {
  constructor(
    readonly code: BlockTransferCode,
    message: string,
    /** The peer that sent the refused data. */
    readonly peer?: string,
  ) {
    super(message);
  }
}

/** Codes that show a peer misbehaving (not merely slow or gone): such a peer is not asked again. */
export const HOSTILE_CODES: ReadonlySet<BlockTransferCode> = new Set(['BLOCK_MISMATCH', 'BLOCK_TOO_LARGE', 'BLOCK_UNEXPECTED', 'TOO_MUCH_DATA', 'MALFORMED']);

const cidString = v.pipe(v.string(), v.maxLength(100), v.regex(/^[a-zA-Z0-9]+$/));
/** Streams one DAG may be split over (one part each). */
const MAX_PARTS = MAX_INBOUND_STREAMS;
/**
 * The one message a receiver sends: which blocks, and whether to send everything below each of them too. `part`
 * [i, n] (with one recursive CID) asks for the block and only the i-th of n contiguous groups of its links, with
 * everything below them.
 */
const BlockRequestSchema = v.pipe(
  v.strictObject({
    cids: v.pipe(v.array(cidString), v.minLength(1), v.maxLength(MAX_REQUEST_CIDS)),
    recursive: v.boolean(),
    part: v.optional(
      v.pipe(
        v.tuple([v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(MAX_PARTS))]),
        v.check(([i, n]) => i < n),
      ),
    ),
  }),
  v.check((r) => r.part === undefined || (r.cids.length === 1 && r.recursive)),
);
type BlockRequest = v.InferOutput<typeof BlockRequestSchema>;

/** The i-th of n contiguous groups of a node's links (sender and receiver split alike). */
function partOf(links: CID[], [i, n]: readonly [number, number]): CID[] {
  const size = Math.ceil(links.length / n);
  return links.slice(i * size, (i + 1) * size);
}

/** The store a server reads from: its own blocks only (never a networked store that would go asking peers). */
export interface LocalBlockReader {
  has(cid: CID, options?: AbortOptions): Promise<boolean> | boolean;
  get(cid: CID, options?: AbortOptions): AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
}

/** A Helia node's own blocks, read without ever asking the network. */
export function localBlocks(helia: Pick<Helia, 'blockstore'>): LocalBlockReader {
  return { has: (cid) => helia.blockstore.has(cid), get: (cid, options) => helia.blockstore.get(cid, { ...options, offline: true }) };
}

async function readLocal(store: LocalBlockReader, cid: CID, options: AbortOptions): Promise<Uint8Array | undefined> {
  if (!(await store.has(cid, options))) return undefined;
  const parts: Uint8Array[] = [];
  for await (const part of store.get(cid, options)) parts.push(part);
  return concat(parts);
}

/**
 * Serves this node's blocks over the direct protocol (the same blocks bitswap would give any peer: granule shards are
 * encrypted). Only blocks already stored here are sent; the response stops at the first missing one, and the
 * receiver asks bitswap for the rest.
 */
export async function serveBlocks(libp2p: Libp2p, store: LocalBlockReader): Promise<{ stop(): Promise<void> }> {
  await libp2p.handle(
    BLOCK_TRANSFER_PROTOCOL,
    async (stream) => {
      const lp = lpStream(stream, { maxDataLength: MAX_REQUEST_BYTES });
      const signal = AbortSignal.timeout(120_000);
      try {
        const parsed = v.safeParse(
          BlockRequestSchema,
          JSON.parse(new TextDecoder().decode((await lp.read({ signal: AbortSignal.timeout(10_000) })).subarray())),
        );
        if (!parsed.success)
          throw new BlockTransferError(
            'MALFORMED',
            'A block request names 1 to 1024 CIDs, says whether to send what is below them, and names at most one part of one DAG.',
          );
        const { recursive, part } = parsed.output;
        const stack = parsed.output.cids.map((c) => CID.parse(c)).reverse();
        let first = true;
        // Read one block ahead while the previous one is being written.
        let next = stack.length > 0 ? readLocal(store, stack[stack.length - 1]!, { signal }) : undefined;
        while (stack.length > 0) {
          const cid = stack.pop()!;
          const bytes = await next;
          if (bytes === undefined) break;
          if (recursive) {
            const links = linksOf(cid, bytes);
            stack.push(...(part && first ? partOf(links, part) : links).reverse());
          }
          first = false;
          next = stack.length > 0 ? readLocal(store, stack[stack.length - 1]!, { signal }) : undefined;
          const frame = new Uint8Array(cid.bytes.length + bytes.length);
          frame.set(cid.bytes);
          frame.set(bytes, cid.bytes.length);
          await lp.write(frame, { signal });
        }
        next?.catch(() => undefined);
        await lp.write(END, { signal });
        await stream.close({ signal });
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)));
      }
    },
    // Block transfers are large: never over a relayed (limited) connection.
    { maxInboundStreams: MAX_INBOUND_STREAMS },
  );
  return { stop: () => libp2p.unhandle(BLOCK_TRANSFER_PROTOCOL) };
}

/** Where received blocks go (Helia's blockstore: a put also answers any bitswap want for the block). */
export type BlockSink = Pick<Helia['blockstore'], 'has' | 'put' | 'get'>;

export interface FetchDagOptions {
  signal?: AbortSignal;
  /** Streams to split the DAG's children over (WebRTC: one data channel each). */
  parallel?: number;
  /** Refuse the DAG past this many bytes of blocks (default 64 MiB). */
  maxBytes?: number;
  /** Refuse the DAG past this many blocks (default 16,384). */
  maxBlocks?: number;
  /** A stream with no frame for this long is cut (default 10 s). */
  idleMs?: number;
  /** Every block received, verified and stored. */
  onBlock?: (cid: CID, bytes: number) => void;
}

export interface FetchDagResult {
  /** Blocks received from the peer (already stored ones are not fetched). */
  blocks: number;
  bytes: number;
  /** Every block of the DAG is now stored here. False when the peer lacked some (ask bitswap for the rest). */
  complete: boolean;
}

interface Budget {
  blocks: number;
  bytes: number;
  maxBlocks: number;
  maxBytes: number;
  /** Blocks already received in this exchange (the root of a split DAG comes once per part): stored once. */
  received: Set<string>;
  /** Distinct blocks and bytes stored (what the caller is told); `blocks` and `bytes` count every copy received. */
  stored: { blocks: number; bytes: number };
}

/** The blocks a stream still expects, with multiplicity: a node may link the same block twice (repeated chunks). */
class Expected {
  readonly #count = new Map<string, number>();
  size = 0;
  add(key: string): void {
    this.#count.set(key, (this.#count.get(key) ?? 0) + 1);
    this.size++;
  }
  /** False when the block is not (or no longer) expected. */
  take(key: string): boolean {
    const n = this.#count.get(key);
    if (n === undefined) return false;
    if (n === 1) this.#count.delete(key);
    else this.#count.set(key, n - 1);
    this.size--;
    return true;
  }
  keys(): string[] {
    return [...this.#count.keys()];
  }
}

const short = (peer: PeerId): string => peer.toString().slice(-8);

/** One request on one stream: verifies and stores every block sent; resolves with the CIDs still missing below. */
async function requestBlocks(
  libp2p: Libp2p,
  peer: PeerId,
  sink: BlockSink,
  request: BlockRequest,
  budget: Budget,
  options: FetchDagOptions,
): Promise<{ missing: CID[] }> {
  const idleMs = options.idleMs ?? 10_000;
  const stream: Stream = await libp2p.dialProtocol(peer, BLOCK_TRANSFER_PROTOCOL, {
    signal: AbortSignal.any([AbortSignal.timeout(idleMs), ...(options.signal ? [options.signal] : [])]),
  });
  const lp = lpStream(stream, { maxDataLength: MAX_BLOCK_BYTES + MAX_CID_BYTES });
  const expected = new Expected();
  for (const c of request.cids) expected.add(c);
  const pending: Promise<unknown>[] = [];
  const fail = (code: BlockTransferCode, message: string): BlockTransferError => new BlockTransferError(code, message, peer.toString());
  try {
    await lp.write(new TextEncoder().encode(JSON.stringify(request)), { signal: options.signal });
    for (;;) {
      const signal = AbortSignal.any([AbortSignal.timeout(idleMs), ...(options.signal ? [options.signal] : [])]);
      let frame: Uint8Array;
      try {
        frame = (await lp.read({ signal })).subarray();
      } catch (error) {
        options.signal?.throwIfAborted();
        const e = error as Error;
        if (e.name === 'InvalidDataLengthError' || e.name === 'InvalidDataLengthLengthError')
          throw fail(
            'BLOCK_TOO_LARGE',
            `Peer …${short(peer)} sent a block larger than ${MAX_BLOCK_BYTES / 1024 / 1024} MiB; it was refused and the transfer from that peer stopped.`,
          );
        if (e.name === 'TimeoutError' || signal.aborted)
          throw fail('STALLED', `Peer …${short(peer)} sent nothing for ${idleMs / 1000} s; the transfer from that peer stopped.`);
        throw fail('INTERRUPTED', `The transfer from peer …${short(peer)} broke off (${e.message}). Blocks already received are kept.`);
      }
      if (frame.length === 1 && frame[0] === 0) break;
      let cid: CID;
      let bytes: Uint8Array;
      try {
        [cid, bytes] = CID.decodeFirst(frame) as [CID, Uint8Array];
      } catch {
        throw fail('MALFORMED', `Peer …${short(peer)} sent a frame that does not start with a CID; the transfer from that peer stopped.`);
      }
      const key = cid.toString();
      if (!expected.take(key))
        throw fail(
          'BLOCK_UNEXPECTED',
          `Peer …${short(peer)} sent a block that was not asked for (${key}); it was refused and the transfer from that peer stopped.`,
        );
      // Claimed before the hash is checked (streams run side by side): a copy that fails its check still fails the
      // exchange. Every copy counts against the budget: a DAG that links one block many times is still finite.
      const repeat = budget.received.has(key);
      budget.received.add(key);
      if (++budget.blocks > budget.maxBlocks || (budget.bytes += bytes.length) > budget.maxBytes)
        throw fail(
          'TOO_MUCH_DATA',
          `Peer …${short(peer)} sent more than this granule can hold (${budget.maxBlocks} blocks, ${budget.maxBytes} bytes); the transfer from that peer stopped.`,
        );
      // The shared receiver check (block-check.ts): kind, hash against the CID, a node's links readable.
      const checked = await checkBlock(cid, bytes);
      if (!checked.ok) {
        if (checked.reason === 'kind') throw fail('MALFORMED', `Peer …${short(peer)} sent a block of a kind this app does not check (${key}); it was refused.`);
        if (checked.reason === 'mismatch')
          throw fail(
            'BLOCK_MISMATCH',
            `Peer …${short(peer)} sent a block whose bytes do not match its ID (${key}): altered data, refused and not stored. The transfer from that peer stopped.`,
          );
        throw fail('MALFORMED', `Peer …${short(peer)} sent a directory block that cannot be read (${key}).`);
      }
      // Only a verified dag-pb node can widen what is expected, and only with what it links to (the named root of a
      // part: only with that part of its links, as the receiver computes it from the verified block).
      if (request.recursive) {
        const links = request.part && key === request.cids[0] ? partOf(checked.links, request.part) : checked.links;
        for (const link of links) expected.add(link.toString());
        if (expected.size > budget.maxBlocks)
          throw fail('TOO_MUCH_DATA', `Peer …${short(peer)} sent a block linking to more blocks than this granule can hold.`);
      }
      // Stores go on while the next frame is read; a failed store fails the fetch below.
      if (!repeat) {
        budget.stored.blocks++;
        budget.stored.bytes += bytes.length;
        pending.push(Promise.resolve(sink.put(cid, bytes)).then(() => options.onBlock?.(cid, bytes.length)));
      }
    }
    await Promise.all(pending);
    await stream.close().catch(() => undefined);
    return { missing: expected.keys().map((c) => CID.parse(c)) };
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    await Promise.allSettled(pending);
    throw error;
  }
}

async function readStored(sink: BlockSink, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  return (await readLocal({ has: (c) => sink.has(c), get: (c) => sink.get(c, { signal }) }, cid, { signal }))!;
}

/** The blocks under `cid` not stored here yet, topmost first: what to request recursively. */
async function missingBelow(sink: BlockSink, cid: CID, signal: AbortSignal | undefined, out: CID[], budget: number): Promise<void> {
  if (out.length > budget) return;
  if (!(await sink.has(cid))) {
    out.push(cid);
    return;
  }
  if (cid.code !== dagPb.code) return;
  for (const link of linksOf(cid, await readStored(sink, cid, signal))) await missingBelow(sink, link, signal, out, budget);
}

/**
 * Fetches the DAG under `root` from `peer` into `sink`: the root first (unless stored), then what is missing below it
 * split over `parallel` streams. Every block is checked against its CID before it is stored. Throws a
 * BlockTransferError when the peer misbehaves; returns complete: false when it simply lacks blocks.
 */
export async function fetchDag(libp2p: Libp2p, peer: PeerId, sink: BlockSink, root: CID, options: FetchDagOptions = {}): Promise<FetchDagResult> {
  // A receive: the page's block cache holds its disk writes back until it has ended (receiving.ts).
  const end = startReceive();
  try {
    return await fetchWholeDag(libp2p, peer, sink, root, options);
  } finally {
    end();
  }
}

async function fetchWholeDag(libp2p: Libp2p, peer: PeerId, sink: BlockSink, root: CID, options: FetchDagOptions): Promise<FetchDagResult> {
  const budget: Budget = {
    blocks: 0,
    bytes: 0,
    maxBlocks: options.maxBlocks ?? 16_384,
    maxBytes: options.maxBytes ?? 64 * 1024 * 1024,
    received: new Set(),
    stored: { blocks: 0, bytes: 0 },
  };
  if (!(await sink.has(root))) {
    // Nothing of it here yet (the usual case): the whole DAG in one round trip, its root's links split over the
    // streams. Each stream also carries the (small) root, from which the receiver learns what that part holds.
    const parts = root.code === dagPb.code ? Math.max(1, Math.min(options.parallel ?? 4, MAX_PARTS)) : 1;
    const requests: BlockRequest[] =
      parts === 1
        ? [{ cids: [root.toString()], recursive: root.code === dagPb.code }]
        : Array.from({ length: parts }, (_, i) => ({ cids: [root.toString()], recursive: true, part: [i, parts] as [number, number] }));
    return requestAll(libp2p, peer, sink, requests, budget, options);
  }
  if (root.code !== dagPb.code) return { ...budget.stored, complete: true };
  const todo: CID[] = [];
  for (const link of linksOf(root, await readStored(sink, root, options.signal))) await missingBelow(sink, link, options.signal, todo, budget.maxBlocks);
  const parallel = Math.max(1, Math.min(options.parallel ?? 4, todo.length));
  // Contiguous groups: each stream delivers one stretch of the file in order.
  const size = Math.ceil(todo.length / parallel);
  const groups: CID[][] = [];
  for (let i = 0; i < todo.length; i += Math.min(size, MAX_REQUEST_CIDS)) groups.push(todo.slice(i, i + Math.min(size, MAX_REQUEST_CIDS)));
  return requestAll(
    libp2p,
    peer,
    sink,
    groups.map((group) => ({ cids: group.map((c) => c.toString()), recursive: true })),
    budget,
    options,
  );
}

/** Runs the requests on parallel streams; the first stream to fail stops the others (one refusal ends the exchange). */
async function requestAll(
  libp2p: Libp2p,
  peer: PeerId,
  sink: BlockSink,
  requests: BlockRequest[],
  budget: Budget,
  options: FetchDagOptions,
): Promise<FetchDagResult> {
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, ...(options.signal ? [options.signal] : [])]);
  const results = await Promise.all(
    requests.map((request) =>
      requestBlocks(libp2p, peer, sink, request, budget, { ...options, signal }).catch((error: unknown) => {
        stop.abort(error);
        throw error;
      }),
    ),
  );
  return { ...budget.stored, complete: results.every((r) => r.missing.length === 0) };
}
