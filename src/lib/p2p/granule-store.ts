// Granules on IPFS: encrypt → erasure-code → one UnixFS file per shard → public manifest block; and back:
// manifest (checked against the chain's α) → any k intact shards → ciphertext → decrypt → α check.
// Blocks are verified by CID as they arrive and persist in the node's blockstore, so an interrupted fetch resumes
// from what it already has.
import type { Helia } from '@helia/interface';
import { unixfs } from '@helia/unixfs';
import { CID } from 'multiformats/cid';
import { alphaHex, alphaFromSha256 } from '../granule/index';
import { splitGranuleKey, sealSharesForCustodians, keyCommitment } from '../custody';
import { toBase64 } from './rpc';
import { concat, readBlock } from './blocks';
import { startReceive } from './receiving';
import { encryptArchive, decryptArchive, sha256Bytes, sha256HexOf } from './cipher';
import { encodeShards, decodeShards, shardSizeFor, checkErasureParams } from './erasure';
import {
  encodePublicManifest,
  publicManifestCid,
  decodePublicManifest,
  type PublicGranuleInfo,
  type PublicManifest,
  PUBLIC_MANIFEST_SCHEMA,
} from './public-manifest';
import { AlphaMismatchError, NotEnoughShardsError, P2PFormatError, ShardStalledError, TamperedBlockError, TransferInterruptedError } from './errors';

export interface StoreGranuleParameters {
  helia: Helia;
  archive: Uint8Array;
  /** α of the archive (0x + 64 hex), computed by the granule module. */
  alpha: string;
  granule: PublicGranuleInfo;
  k: number;
  n: number;
  /** t, and the custodians' X25519 public keys in the order the Consortium lists them. */
  custody: { threshold: number; custodians: Uint8Array[] };
  /** Reuse a key (tests); normally a fresh one is drawn. */
  key?: Uint8Array;
}

export interface StoreGranuleReturnType {
  manifestCid: CID;
  manifest: PublicManifest;
  /** The AES-256 key: split it among the custodians, never store it in the clear. */
  key: Uint8Array;
  /** Every CID to pin: the manifest and the shard roots. */
  cids: CID[];
  /** The manifest's exact bytes (custodians are handed these). */
  manifestBytes: Uint8Array;
}

const sha256Hex = sha256HexOf;
// 256 KiB leaves: small enough for bitswap messages, large enough to keep the block count low.
const CHUNK = 256 * 1024;
// Between cancelling a stalled shard's wants and wanting its missing blocks again (bitswap debounces at 10 ms).
const REASK_PAUSE_MS = 500;

export async function storeGranule(p: StoreGranuleParameters): Promise<StoreGranuleReturnType> {
  checkErasureParams({ k: p.k, n: p.n });
  if (!/^0x[0-9a-f]{64}$/.test(p.alpha)) throw new P2PFormatError(`"${p.alpha}" is not an α (0x followed by 64 lowercase hex digits).`);
  const { key, ciphertext } = await encryptArchive(p.archive, p.key);
  const shards = encodeShards(ciphertext, { k: p.k, n: p.n });
  const fs = unixfs(p.helia);
  const shardEntries: PublicManifest['shards'] = [];
  for (const shard of shards) {
    const cid = await fs.addBytes(shard, { rawLeaves: true, chunker: fixedChunker(CHUNK) });
    shardEntries.push({ cid: cid.toString(), sha256: await sha256Hex(shard) });
  }
  const manifest: PublicManifest = {
    schema: PUBLIC_MANIFEST_SCHEMA,
    alpha: p.alpha,
    granule: p.granule,
    cipher: 'AES-256-GCM',
    ciphertext: { length: ciphertext.length, sha256: await sha256Hex(ciphertext) },
    erasure: { scheme: 'rs-gf256-cauchy', k: p.k, n: p.n, shardSize: shardSizeFor(ciphertext.length, p.k) },
    shards: shardEntries,
    custody: {
      threshold: p.custody.threshold,
      keyCommitment: keyCommitment(key),
      shares: sealSharesForCustodians(await splitGranuleKey(key, p.alpha, p.custody.threshold, p.custody.custodians.length), p.custody.custodians).map((s) => ({
        custodian: s.custodian,
        envelope: toBase64(s.envelope),
      })),
    },
  };
  const bytes = encodePublicManifest(manifest);
  const manifestCid = publicManifestCid(bytes);
  await p.helia.blockstore.put(manifestCid, bytes);
  return { manifestCid, manifest, key, manifestBytes: bytes, cids: [manifestCid, ...shardEntries.map((s) => CID.parse(s.cid))] };
}

function fixedChunker(size: number) {
  // @helia/unixfs's default chunker is fixed-size 256 KiB too; stating it keeps CIDs stable across upgrades.
  return async function* (source: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    let buffer = new Uint8Array(0);
    for await (const chunk of source) {
      const merged = new Uint8Array(buffer.length + chunk.length);
      merged.set(buffer);
      merged.set(chunk, buffer.length);
      buffer = merged;
      while (buffer.length >= size) {
        yield buffer.slice(0, size);
        buffer = buffer.slice(size);
      }
    }
    if (buffer.length > 0) yield buffer;
  };
}

export interface FetchManifestParameters {
  helia: Helia;
  cid: CID;
  /** α the chain recorded with this CID. */
  expectedAlpha?: string;
  signal?: AbortSignal;
}

export async function fetchPublicManifest(p: FetchManifestParameters): Promise<PublicManifest> {
  let bytes: Uint8Array;
  try {
    bytes = await readBlock(p.helia, p.cid, { signal: p.signal });
  } catch (error) {
    throw new TransferInterruptedError(
      `The manifest ${p.cid.toString()} could not be fetched (${(error as Error).message}). No connected peer has it yet; try again when the owner or the pinning relay is online.`,
    );
  }
  return decodePublicManifest(bytes, p.cid, p.expectedAlpha);
}

export interface FetchProgress {
  bytes: number;
  total: number;
  shardsDone: number;
  /** Shards whose source went quiet: they wait for the same peer to come back or for another one. */
  waiting: number[];
  /** Blocks received from peers in this attempt (blocks already on this device are read, not fetched). */
  blocksFetched: number;
}

/** One block received over bitswap for a shard (verified against its CID by Helia before it is kept). */
export interface FetchBlockEvent {
  shard: number;
  cid: CID;
  /** Peer id of the sender ('unknown' when a broker other than plain bitswap fetched it). */
  from: string;
}

export interface FetchGranuleParameters {
  helia: Helia;
  manifest: PublicManifest;
  key: Uint8Array;
  /**
   * A shard that receives no block for this long is set aside for another one (30 s by default). Its blocks are
   * kept, and a shard that made progress is tried again after the others.
   */
  shardTimeoutMs?: number;
  /** No block for this long while a shard is incomplete is reported as waiting (5 s by default). */
  stallMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: FetchProgress) => void;
  /** Called when a shard is refused, missing or waiting for a source (ShardStalledError); the fetch continues. */
  onShardProblem?: (index: number, error: Error) => void;
  /** Called for every block a peer delivers, verified against its CID (bitswap derives the CID from the bytes). */
  onBlock?: (event: FetchBlockEvent) => void;
  /**
   * Fetches a shard's whole DAG into the blockstore before it is read (the direct block protocol, see
   * block-sources.ts); what it leaves missing is asked of bitswap through `helia`. Its errors are not the fetch's.
   */
  prefetch?: (root: CID, options: { signal: AbortSignal; maxBytes: number; onBlock: (cid: CID, bytes: number, from: string) => void }) => Promise<unknown>;
}

/** The progress events of Helia's blockstore and bitswap that a fetch listens to. */
interface BlockProgressEvent {
  type: string;
  detail?: unknown;
}

/**
 * Fetches any k intact shards (data shards first: then no decoding is needed), rebuilds, decrypts, checks α.
 * Bitswap keeps wanting a block from a peer that vanished and sends its want list to every peer that (re)connects,
 * so a quiet shard is not abandoned at once: after stallMs it is reported as waiting (ShardStalledError through
 * onShardProblem, `waiting` in onProgress) and its missing blocks are asked for again every stallMs; the transfer
 * goes on when a source comes back, and gives up on the shard after shardTimeoutMs of silence. Every received block
 * stays in the blockstore, so a later attempt fetches only the rest.
 */
export async function fetchGranule(p: FetchGranuleParameters): Promise<Uint8Array> {
  // A receive from the first shard asked to the archive checked, whichever source delivers (bitswap too): the page's
  // block cache holds its disk writes back until it has ended (receiving.ts).
  const end = startReceive();
  try {
    return await fetchAndOpen(p);
  } finally {
    end();
  }
}

async function fetchAndOpen(p: FetchGranuleParameters): Promise<Uint8Array> {
  const { k, n, shardSize } = p.manifest.erasure;
  const fs = unixfs(p.helia);
  const got = new Map<number, Uint8Array>();
  const total = k * shardSize;
  const shardTimeoutMs = p.shardTimeoutMs ?? 30_000;
  const stallMs = Math.min(p.stallMs ?? 5_000, shardTimeoutMs);
  let bytes = 0;
  let blocksFetched = 0;
  const queue = Array.from({ length: n }, (_, i) => i);
  const problems: string[] = [];
  const waiting = new Set<number>();
  /** Blocks fetched per shard over the whole call, for the messages. */
  const fetchedPerShard = new Map<number, number>();
  /** Shards that received blocks and then went quiet for a whole shardTimeoutMs. */
  const lost = new Set<number>();

  const report = (): void =>
    p.onProgress?.({ bytes: Math.min(bytes, total), total, shardsDone: got.size, waiting: [...waiting].sort((a, b) => a - b), blocksFetched });

  const fetchShard = async (index: number): Promise<void> => {
    const entry = p.manifest.shards[index]!;
    const quiet = new AbortController();
    let ask = new AbortController();
    let askedAt = Date.now();
    let parts: Uint8Array[] = [];
    let received = 0;
    let reached = 0;
    let lastBlockAt = Date.now();
    const touch = (): void => {
      lastBlockAt = Date.now();
      if (waiting.delete(index)) report();
    };
    const watchdog = setInterval(
      () => {
        const now = Date.now();
        const silent = now - lastBlockAt;
        if (silent >= shardTimeoutMs) quiet.abort();
        else if (silent >= stallMs) {
          if (!waiting.has(index)) {
            waiting.add(index);
            const kept = fetchedPerShard.get(index) ?? 0;
            p.onShardProblem?.(
              index,
              new ShardStalledError(
                index,
                kept,
                kept > 0
                  ? `The peer serving shard ${index} went away (no block for ${seconds(silent)}); waiting for it to come back or for another source. Its ${blocks(kept)} already received ${kept === 1 ? 'is' : 'are'} kept.`
                  : `No connected peer has sent shard ${index} for ${seconds(silent)}; waiting for a source (the owner or a pinning relay).`,
              ),
            );
            report();
          }
          if (now - askedAt >= stallMs) ask.abort();
        }
      },
      Math.max(50, Math.min(1_000, stallMs / 4)),
    );
    const delivered = new Set<string>();
    const deliver = (cid: CID, from: string): void => {
      if (delivered.has(cid.toString())) return;
      delivered.add(cid.toString());
      blocksFetched++;
      fetchedPerShard.set(index, (fetchedPerShard.get(index) ?? 0) + 1);
      touch();
      p.onBlock?.({ shard: index, cid, from });
    };
    const onProgress = (event: BlockProgressEvent): void => {
      const detail = event.detail as { cid?: CID; sender?: unknown } | undefined;
      const cid = CID.asCID(event.detail) ?? CID.asCID(detail?.cid);
      if (cid == null) return;
      // Plain bitswap names the sender, and its CID is computed from the bytes received, so the block is already
      // verified; a session (or another broker) is only seen when Helia stores the block it checked.
      if (event.type === 'bitswap:block') deliver(cid, String(detail?.sender));
      else if (event.type === 'blocks:get:blockstore:put') deliver(cid, 'unknown');
    };
    try {
      if (p.prefetch) {
        // Bytes counted here are counted again when the shard is read below: take them back after.
        let prefetched = 0;
        try {
          await p.prefetch(CID.parse(entry.cid), {
            signal: AbortSignal.any([quiet.signal, ...(p.signal ? [p.signal] : [])]),
            // The shard's bytes, plus its UnixFS nodes (under 100 bytes per 256 KiB leaf) with room to spare.
            maxBytes: shardSize + 64 * 1024 + Math.ceil(shardSize / 256),
            onBlock: (cid, n, from) => {
              prefetched += n;
              bytes += n;
              deliver(cid, from);
              report();
            },
          });
        } catch {
          // A refused peer, a gap or a stall: bitswap below asks everyone for whatever is still missing.
        } finally {
          bytes -= prefetched;
        }
      }
      for (;;) {
        ask = new AbortController();
        askedAt = Date.now();
        const signal = AbortSignal.any([quiet.signal, ask.signal, ...(p.signal ? [p.signal] : [])]);
        parts = [];
        received = 0;
        try {
          for await (const part of fs.cat(CID.parse(entry.cid), { signal, onProgress } as Parameters<typeof fs.cat>[1])) {
            // Re-reading what an earlier ask already gave is not progress; reaching further is.
            if (received + part.length > reached) {
              reached = received + part.length;
              touch();
            }
            parts.push(part);
            received += part.length;
            bytes += part.length;
            report();
          }
          break;
        } catch (error) {
          bytes -= received;
          if (ask.signal.aborted && !quiet.signal.aborted && !p.signal?.aborted) {
            // Ask again for what is missing (blocks already here are read locally). Bitswap tells a peer only the
            // changes to its want list, and a peer that believes it already sent these blocks to our previous
            // connection (a reopened tab keeps its peer id) ignores a repeat for a while; cancelling and wanting
            // anew clears that. The pause lets the cancel go out before the new wants.
            await new Promise((r) => setTimeout(r, REASK_PAUSE_MS));
            continue;
          }
          if (quiet.signal.aborted && !p.signal?.aborted) {
            const kept = fetchedPerShard.get(index) ?? 0;
            if (kept > 0) lost.add(index);
            throw new ShardStalledError(
              index,
              kept,
              `Shard ${index} received no block for ${seconds(shardTimeoutMs)} and was set aside${kept > 0 ? ` (its ${blocks(kept)} already received ${kept === 1 ? 'is' : 'are'} kept)` : ''}.`,
            );
          }
          throw new TransferInterruptedError(`Shard ${index} did not arrive (${(error as Error).message}).`);
        }
      }
    } finally {
      clearInterval(watchdog);
      if (waiting.delete(index)) report();
    }
    const shard = concat(parts);
    if (shard.length !== shardSize || (await sha256Hex(shard)) !== entry.sha256) {
      bytes -= received;
      throw new TamperedBlockError(`Shard ${index} does not match its manifest entry: a peer served altered data. It was discarded.`);
    }
    got.set(index, shard);
    lost.delete(index);
  };

  let active = 0;
  const worker = async (): Promise<void> => {
    // A worker whose shard is done does not start a spare one while the others are still arriving: it would cost a
    // whole shard of bandwidth for nothing. The worker of a shard that fails takes the next one instead.
    while (got.size + active < k && !p.signal?.aborted) {
      const index = queue.shift();
      if (index === undefined) return;
      const before = fetchedPerShard.get(index) ?? 0;
      try {
        active++;
        await fetchShard(index);
      } catch (error) {
        problems.push((error as Error).message);
        p.onShardProblem?.(index, error as Error);
        if (p.signal?.aborted) return;
        // A shard that advanced before going quiet is worth another try once the others had theirs.
        if (error instanceof ShardStalledError && (fetchedPerShard.get(index) ?? 0) > before) queue.push(index);
      } finally {
        active--;
      }
    }
  };
  await Promise.all(Array.from({ length: k }, worker));
  const kept = [...fetchedPerShard.values()].reduce((a, b) => a + b, 0);
  if (p.signal?.aborted) {
    const why = (p.signal.reason as Error | undefined)?.name === 'TimeoutError' ? 'reached its time limit' : 'was stopped';
    throw new TransferInterruptedError(
      `The transfer ${why} with ${got.size} of ${k} shards complete${waiting.size > 0 ? ` while shard${waiting.size > 1 ? 's' : ''} ${[...waiting].join(', ')} waited for a source` : ''}. Blocks already received are kept: fetching again resumes from them.`,
    );
  }
  if (got.size < k) {
    if (lost.size > 0) {
      throw new TransferInterruptedError(
        `Only ${got.size} of the ${k} shards needed arrived: the peer serving shard${lost.size > 1 ? 's' : ''} ${[...lost].join(', ')} went away and no other source answered within ${seconds(shardTimeoutMs)}. The ${blocks(kept)} already received ${kept === 1 ? 'is' : 'are'} kept on this device: fetching again resumes from them.`,
      );
    }
    throw new NotEnoughShardsError(
      `Only ${got.size} of the ${k} shards needed (of ${n}) could be gathered: ${problems.join(' ')} Try again: shards already received are kept.`,
    );
  }
  report();
  const ciphertext = decodeShards(got, { k, n, length: p.manifest.ciphertext.length });
  // Hashed and decrypted side by side (Web Crypto runs both off the page's thread); nothing decrypted is returned
  // unless the ciphertext is the manifest's.
  const [digest, decrypted] = await Promise.allSettled([sha256Hex(ciphertext), decryptArchive(ciphertext, p.key)]);
  if (digest.status === 'rejected') throw digest.reason;
  if (digest.value !== p.manifest.ciphertext.sha256)
    throw new TamperedBlockError('The rebuilt ciphertext does not match the manifest: the shards are inconsistent.');
  if (decrypted.status === 'rejected') throw decrypted.reason;
  const archive = decrypted.value;
  const alpha = alphaHex(alphaFromSha256(await sha256Bytes(archive)));
  if (alpha !== p.manifest.alpha) {
    throw new AlphaMismatchError(`The decrypted granule hashes to ${alpha.slice(0, 12)}…, not to its α ${p.manifest.alpha.slice(0, 12)}…: it was refused.`);
  }
  return archive;
}

function blocks(count: number): string {
  return `${count} block${count === 1 ? '' : 's'}`;
}

function seconds(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`;
}
