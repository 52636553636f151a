// Where a granule's blocks come from. Bitswap sends each want to every connected peer and keeps the first answer,
// so the community's pinning relay (always on, one WebSocket hop) would serve nearly everything even while the
// owner's browser is directly connected. Peers first: each missing block is asked of the directly connected peers
// (a bitswap session per peer) before everyone, and every block is credited to the peer and connection kind that
// delivered it, so the app can say "from the owner over direct WebRTC" or "from the pinning relay".
import type { Helia } from '@helia/interface';
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { CID } from 'multiformats/cid';
import { connectionKind } from './supervisor';
import { BlockTransferError, HOSTILE_CODES, fetchDag, type BlockSink } from './block-transfer';
import type { ConnectionKind } from './status';
import type { BlockGateways } from './gateway-blocks';
import { GatewayFetchError } from './gateway-errors';

export interface BlockSource {
  /**
   * The peer that delivered the blocks, 'local' for blocks already on this device (a resumed transfer), or a block
   * gateway's base URL.
   */
  peerId: string;
  /** How this node was connected to it when the blocks arrived (best first: webrtc/direct before relayed), or HTTP. */
  via: ConnectionKind | 'gateway' | 'local' | 'unknown';
  blocks: number;
  bytes: number;
}

type GetOptions = NonNullable<Parameters<Helia['blockstore']['get']>[1]>;
type ProgressListener = NonNullable<GetOptions['onProgress']>;

export interface SourcedBlockstore {
  has: Helia['blockstore']['has'];
  put: Helia['blockstore']['put'];
  get(cid: CID, options?: GetOptions): AsyncGenerator<Uint8Array>;
}

export interface SourcedBlocksParameters {
  helia: Helia & { libp2p: Libp2p };
  relayPeerIds: Set<string>;
  /** Ask these peers first (default: every peer connected over a direct or WebRTC connection, relays excluded). */
  preferPeers?: PeerId[];
  /** A preferred peer that has not answered a block within this time is dropped for the rest of the transfer. */
  peerTimeoutMs?: number;
}

/** A source that failed during a transfer, and why (the typed error's code). */
export interface SourceFailure {
  /** The peer, or the block gateway's base URL. */
  source: string;
  /** 'gateway-car' for a whole DAG as one CAR, 'gateway' block by block, else how the peer was connected. */
  via: ConnectionKind | 'gateway' | 'gateway-car' | 'unknown';
  /** The DAG being fetched. */
  root: string;
  /** The error's code (GatewayFetchCode, BlockTransferCode), or 'UNKNOWN'. */
  code: string;
  message: string;
}

interface PrefetchOptions {
  signal?: AbortSignal;
  /** The most bytes of blocks the DAG can honestly hold (a shard's size plus its UnixFS nodes). */
  maxBytes?: number;
  /** Every block received, verified and stored, with the peer that sent it. */
  onBlock?: (cid: CID, bytes: number, from: string) => void;
}

export interface SourcedBlocks {
  /** A Helia-shaped view whose blockstore prefers direct peers and records provenance. */
  helia: Helia & { libp2p: Libp2p };
  /**
   * Fetches the whole DAG under `root` over the direct block protocol (block-transfer.ts) from the preferred peers
   * first, then from the community's block gateways over HTTP (one CAR, gateway-car.ts, then block by block,
   * gateway-blocks.ts), then from the relays over the block protocol. True when every block is stored; false leaves the rest to bitswap (through `helia`).
   */
  prefetch(root: CID, options?: PrefetchOptions): Promise<boolean>;
  sources(): BlockSource[];
  /** Sources that failed in this transfer (each fell back to the next), oldest first. */
  failures(): SourceFailure[];
}

/** Nodes' own blockstores under Helia's, see useOwnBlockstore. */
const ownStores = new WeakMap<object, BlockSink>();
/** Nodes' block gateways, see useBlockGateways. */
const nodeGateways = new WeakMap<object, BlockGateways>();

/** Names the block gateways a node fetches through (prefetch asks them after direct peers, before the relays). */
export function useBlockGateways(helia: object, gateways: BlockGateways): void {
  nodeGateways.set(helia, gateways);
}

/**
 * Names the node's own blockstore (the one under Helia's): blocks the direct protocol delivers, already verified
 * against their CIDs, then go straight in. Helia's put first asks its store whether it has each block, and in a
 * browser that is an IndexedDB read queued behind the writes before it: it measured 50–800 ms per block on the
 * receive path. Blocks put this way are not announced to bitswap peers (they fetch from the owner or the relays).
 */
export function useOwnBlockstore(helia: object, store: BlockSink): void {
  ownStores.set(helia, store);
}

const RANK: Record<ConnectionKind, number> = { webrtc: 0, direct: 1, relayed: 2, relay: 3 };

/** The best open connection kind to a peer (streams go over direct connections first, as libp2p chooses). */
export function bestKind(libp2p: Libp2p, peer: PeerId, relayPeerIds: Set<string>): ConnectionKind | undefined {
  return libp2p
    .getConnections(peer)
    .filter((c) => c.status === 'open')
    .map((c) => connectionKind(c, relayPeerIds))
    .sort((a, b) => RANK[a] - RANK[b])[0];
}

export function directPeers(libp2p: Libp2p, relayPeerIds: Set<string>): PeerId[] {
  const seen = new Map<string, PeerId>();
  for (const c of libp2p.getConnections()) {
    if (c.status !== 'open' || relayPeerIds.has(c.remotePeer.toString())) continue;
    const kind = connectionKind(c, relayPeerIds);
    if (kind === 'webrtc' || kind === 'direct') seen.set(c.remotePeer.toString(), c.remotePeer);
  }
  return [...seen.values()];
}

async function collect(source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return parts;
}

export function sourcedBlocks(p: SourcedBlocksParameters): SourcedBlocks {
  const { helia, relayPeerIds } = p;
  const libp2p = helia.libp2p;
  const tally = new Map<string, BlockSource>();
  const failed: SourceFailure[] = [];
  const recordFailure = (source: string, via: SourceFailure['via'], root: CID, error: unknown): void => {
    const code = error instanceof GatewayFetchError || error instanceof BlockTransferError ? error.code : 'UNKNOWN';
    failed.push({ source, via, root: root.toString(), code, message: (error as Error).message });
  };
  const creditBytes = (peerId: string, via: BlockSource['via'], blocks: number, bytes: number): void => {
    const entry = tally.get(peerId) ?? { peerId, via, blocks: 0, bytes: 0 };
    entry.via = via;
    entry.blocks += blocks;
    entry.bytes += bytes;
    tally.set(peerId, entry);
  };
  const credit = (peerId: string, via: BlockSource['via'], parts: Uint8Array[]): void =>
    creditBytes(
      peerId,
      via,
      1,
      parts.reduce((n, x) => n + x.length, 0),
    );
  const preferred = p.preferPeers ?? directPeers(libp2p, relayPeerIds);
  // One session per preferred peer, made on first use; a peer that fails once is not asked again this transfer.
  let sessions: Array<{ peer: PeerId; session: ReturnType<Helia['blockstore']['createSession']> | undefined }> = preferred.map((peer) => ({
    peer,
    session: undefined,
  }));
  const timeoutMs = p.peerTimeoutMs ?? 10_000;

  const blockstore: SourcedBlockstore = {
    has: (cid, options) => helia.blockstore.has(cid, options),
    put: (cid, bytes, options) => helia.blockstore.put(cid, bytes, options),
    async *get(cid, options = {}) {
      if (await helia.blockstore.has(cid)) {
        const parts = await collect(helia.blockstore.get(cid, { ...options, offline: true }));
        // Blocks prefetch brought in during this transfer were credited to their sender already.
        if (!prefetched.has(cid.toString())) credit('local', 'local', parts);
        yield* parts;
        return;
      }
      for (const entry of [...sessions]) {
        options.signal?.throwIfAborted();
        try {
          entry.session ??= helia.blockstore.createSession(cid, { providers: [entry.peer.toCID()], minProviders: 1, maxProviders: 1 });
          const signal = AbortSignal.any([AbortSignal.timeout(timeoutMs), ...(options.signal ? [options.signal] : [])]);
          const parts = await collect(entry.session.get(cid, { ...options, signal }));
          credit(entry.peer.toString(), bestKind(libp2p, entry.peer, relayPeerIds) ?? 'unknown', parts);
          yield* parts;
          return;
        } catch {
          // This peer does not have it, went away, or was too slow for the caller (who aborts and asks again):
          // later blocks skip it, and everyone else is asked below. Dropped before rethrowing an abort, or a
          // connection that libp2p still thinks open to a closed tab would be retried on every new ask.
          sessions = sessions.filter((s) => s !== entry);
          options.signal?.throwIfAborted();
        }
      }
      let sender: PeerId | undefined;
      const onProgress: ProgressListener = (event) => {
        const e = event as unknown as { type: string; detail?: { sender?: PeerId } };
        if (e.type === 'bitswap:block' && e.detail?.sender) sender = e.detail.sender;
        options.onProgress?.(event);
      };
      const parts = await collect(helia.blockstore.get(cid, { ...options, onProgress }));
      credit(sender?.toString() ?? 'unknown', sender ? (bestKind(libp2p, sender, relayPeerIds) ?? 'unknown') : 'unknown', parts);
      yield* parts;
    },
  };

  /** Blocks the direct protocol delivered in this transfer (already credited). */
  const prefetched = new Set<string>();
  /** Peers that broke the block protocol's rules: not asked over it again in this transfer. */
  const refused = new Set<string>();
  const prefetch = async (root: CID, options: PrefetchOptions = {}): Promise<boolean> => {
    const relays = libp2p
      .getConnections()
      .filter((c) => c.status === 'open' && c.limits == null && relayPeerIds.has(c.remotePeer.toString()))
      .map((c) => c.remotePeer);
    const candidates = [...sessions.map((s) => s.peer), ...relays].filter((peer, i, all) => all.findIndex((x) => x.equals(peer)) === i);
    const preferredCount = sessions.length;
    for (const [i, peer] of candidates.entries()) {
      // After the directly connected peers, before the relays' encrypted connections: the gateways over HTTP.
      if (i === preferredCount && (await fromGateways(root, options))) return true;
      if (refused.has(peer.toString())) continue;
      options.signal?.throwIfAborted();
      const via = bestKind(libp2p, peer, relayPeerIds) ?? 'unknown';
      let blocks = 0;
      let bytes = 0;
      try {
        const result = await fetchDag(libp2p, peer, ownStores.get(helia) ?? helia.blockstore, root, {
          ...(options.signal ? { signal: options.signal } : {}),
          ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
          onBlock: (cid, n) => {
            prefetched.add(cid.toString());
            blocks++;
            bytes += n;
            options.onBlock?.(cid, n, peer.toString());
          },
        });
        if (result.complete) return true;
      } catch (error) {
        if (!options.signal?.aborted) recordFailure(peer.toString(), via, root, error);
        if (error instanceof BlockTransferError && HOSTILE_CODES.has(error.code)) {
          refused.add(peer.toString());
          sessions = sessions.filter((s) => !s.peer.equals(peer));
        }
        options.signal?.throwIfAborted();
      } finally {
        if (blocks > 0) creditBytes(peer.toString(), via, blocks, bytes);
      }
    }
    // No relay connected (or only directly connected peers): the gateways still may have it.
    return candidates.length <= preferredCount ? fromGateways(root, options) : false;
  };

  /** A gateway that failed once (missing, refusing or altered blocks) is not asked again in this transfer. */
  let gatewaysFailed = false;
  /** Nor is one whose CAR failed asked for another CAR (its blocks may still come one by one). */
  let carFailed = false;
  const fromGateways = async (root: CID, options: PrefetchOptions): Promise<boolean> => {
    const gateways = nodeGateways.get(helia);
    if (!gateways || gateways.urls().length === 0 || gatewaysFailed) return false;
    const source = gateways.urls()[0]!;
    let blocks = 0;
    let bytes = 0;
    const o = {
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}),
      onBlock: (cid: CID, n: number) => {
        prefetched.add(cid.toString());
        blocks++;
        bytes += n;
        options.onBlock?.(cid, n, source);
      },
    };
    try {
      // One CAR for a DAG not here at all; a DAG partly here (an interrupted transfer) is finished block by block.
      // Asking the store is an IndexedDB read in a page: the CAR is asked for meanwhile, and dropped if the root is
      // here after all (what it brought until then is verified and kept).
      if (gateways.car && !carFailed) {
        const here = new AbortController();
        const partly = Promise.resolve((ownStores.get(helia) ?? helia.blockstore).has(root)).then(
          (has) => {
            if (has) here.abort();
            return has;
          },
          () => false,
        );
        try {
          await gateways.fetchCar(root, { ...o, signal: AbortSignal.any([here.signal, ...(options.signal ? [options.signal] : [])]) });
          return true;
        } catch (error) {
          options.signal?.throwIfAborted();
          if (!(await partly)) {
            recordFailure(source, 'gateway-car', root, error);
            carFailed = true;
          }
        }
      }
      await gateways.fetchDag(root, o);
      return true;
    } catch (error) {
      options.signal?.throwIfAborted();
      recordFailure(source, 'gateway', root, error);
      gatewaysFailed = true;
      return false;
    } finally {
      if (blocks > 0) creditBytes(source, 'gateway', blocks, bytes);
    }
  };

  // Everything but the blockstore (libp2p, pins, datastore…) is the real node's.
  const view = Object.assign(Object.create(helia) as Helia & { libp2p: Libp2p }, { blockstore });
  return {
    helia: view,
    prefetch,
    sources: () => [...tally.values()].sort((a, b) => b.bytes - a.bytes),
    failures: () => [...failed],
  };
}
