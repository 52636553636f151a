// The user's side of Mechanism 6 after the instantiation transaction: manifest (checked against the chain's α) →
// key shares from t custodians → shards from peers or the pinning relay → decrypt → α check. Progress goes to the
// node's status store so the Network page shows the transfer.
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { CID } from 'multiformats/cid';
import { fetchPublicManifest, fetchGranule } from './granule-store';
import { gatherGranuleKey, type GatherKeyState } from './custody-protocol';
import type { PublicManifest } from './public-manifest';
import type { StatusStore } from './status';
import { sourcedBlocks, type BlockSource } from './block-sources';
import { ShardStalledError } from './errors';

export type RetrieveState =
  | { phase: 'manifest' }
  | { phase: 'key'; have: number; threshold: number }
  /** `waiting`: shards whose peer went quiet, and what to tell the person; the transfer goes on when a source returns. */
  | { phase: 'shards'; bytes: number; total: number; waiting?: { shards: number[]; message: string } }
  | { phase: 'done' };

export interface RetrieveGranuleParameters {
  helia: Helia & { libp2p: Libp2p };
  manifestCid: CID | string;
  /** α as the chain records it for this manifest. */
  alpha: string;
  /** Pk_U the instantiation was made with: custodians release to (α, Pk_U) as the chain records it. */
  userPk: bigint | string;
  userSecretKey: Uint8Array;
  status?: StatusStore;
  /**
   * The relays' peer ids (node.supervisor.relayPeerIds). Directly connected peers (the owner's browser, say) are
   * then asked for shards before the relays, and every block's source is recorded.
   */
  relayPeerIds?: Set<string>;
  keyTimeoutMs?: number;
  shardTimeoutMs?: number;
  /** No block for this long while a shard is incomplete is reported as waiting (fetchGranule's default when absent). */
  stallMs?: number;
  onState?: (state: RetrieveState) => void;
  signal?: AbortSignal;
}

export interface RetrieveGranuleReturnType {
  archive: Uint8Array;
  manifest: PublicManifest;
  /** Milliseconds spent gathering the key and the shards. */
  keyMs: number;
  shardsMs: number;
  /** Who delivered the shards' blocks and over which kind of connection, most bytes first. */
  sources: BlockSource[];
}

export async function retrieveGranule(p: RetrieveGranuleParameters): Promise<RetrieveGranuleReturnType> {
  p.onState?.({ phase: 'manifest' });
  const manifest = await fetchPublicManifest({
    helia: p.helia,
    cid: typeof p.manifestCid === 'string' ? CID.parse(p.manifestCid) : p.manifestCid,
    expectedAlpha: p.alpha,
    signal: p.signal,
  });
  const t0 = Date.now();
  const key = await gatherGranuleKey({
    libp2p: p.helia.libp2p,
    manifest,
    userPk: p.userPk,
    userSecretKey: p.userSecretKey,
    timeoutMs: p.keyTimeoutMs,
    signal: p.signal,
    onUpdate: (s: GatherKeyState) => p.onState?.({ phase: 'key', have: s.have, threshold: s.threshold }),
  });
  const t1 = Date.now();
  const id = `${p.alpha}:${t1}`;
  const label = `${manifest.granule.name} ${manifest.granule.version}`;
  let stallMessage = '';
  const sourced = sourcedBlocks({ helia: p.helia, relayPeerIds: p.relayPeerIds ?? new Set() });
  try {
    const archive = await fetchGranule({
      helia: sourced.helia,
      prefetch: sourced.prefetch,
      manifest,
      key,
      shardTimeoutMs: p.shardTimeoutMs,
      stallMs: p.stallMs,
      signal: p.signal,
      onShardProblem: (_index, error) => {
        if (error instanceof ShardStalledError) stallMessage = error.message;
      },
      onProgress: (x) => {
        p.onState?.({
          phase: 'shards',
          bytes: x.bytes,
          total: x.total,
          ...(x.waiting.length > 0 ? { waiting: { shards: x.waiting, message: stallMessage } } : {}),
        });
        p.status?.putTransfer({ id, label, direction: 'download', bytes: x.bytes, total: x.total, state: 'running' });
      },
    });
    const sources = sourced.sources();
    const via = sources.find((s) => s.via !== 'local' && s.via !== 'unknown')?.via;
    p.status?.putTransfer({
      id,
      label,
      direction: 'download',
      bytes: archive.length,
      total: archive.length,
      state: 'done',
      ...(via && via !== 'local' && via !== 'unknown' ? { via } : {}),
    });
    p.onState?.({ phase: 'done' });
    return { archive, manifest, keyMs: t1 - t0, shardsMs: Date.now() - t1, sources };
  } catch (error) {
    p.status?.putTransfer({ id, label, direction: 'download', bytes: 0, state: 'failed', error: (error as Error).message });
    throw error;
  }
}
