// A transfer test between two peers over the real path a granule takes: the initiator adds random bytes as a
// UnixFS file, the other peer fetches it over the direct block protocol (bitswap for any gap; every block verified
// by CID) and reports the time and the kind of connection the bytes could have used (neither uses limited, relayed
// connections).
import type { Helia } from '@helia/interface';
import type { Blockstore } from 'interface-blockstore';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { unixfs } from '@helia/unixfs';
import { CID } from 'multiformats/cid';
import * as dagPb from '@ipld/dag-pb';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { TRANSFER_TEST_PROTOCOL } from './protocols';
import { handleJson, requestJson } from './rpc';
import { connectionKind } from './supervisor';
import { concat } from './blocks';
import { fetchDag } from './block-transfer';
import { startReceive } from './receiving';
import type { ConnectionKind, StatusStore } from './status';
import { P2PFormatError, TransferInterruptedError } from './errors';

const MAX_TEST_BYTES = 64 * 1024 * 1024;

export interface TransferTestResult {
  bytes: number;
  ms: number;
  /** Unlimited connections between the two peers when the test ran. */
  via: ConnectionKind[];
}

export function randomPayload(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i += 65_536) crypto.getRandomValues(out.subarray(i, Math.min(i + 65_536, bytes)));
  return out;
}

function unlimitedKinds(libp2p: Libp2p, peer: PeerId, relayPeerIds: Set<string>): ConnectionKind[] {
  return libp2p
    .getConnections(peer)
    .filter((c) => c.status === 'open' && c.limits == null)
    .map((c) => connectionKind(c, relayPeerIds));
}

export interface TransferTestStore {
  /**
   * The node's own blockstore: the direct protocol's blocks go straight into it, as on a granule's path, and the test
   * data is deleted from it. Helia-light's `helia.blockstore.delete` always fails
   * (it asks content routing, which a light node has none of, to stop re-providing), so without this the test data
   * would pile up in IndexedDB until the origin's quota runs out.
   */
  blockstore?: Pick<Blockstore, 'get' | 'delete' | 'has' | 'put'>;
  /** Fetch over bitswap only, not the direct block protocol (benchmarks compare the two). */
  bitswapOnly?: boolean;
}

export async function serveTransferTest(
  helia: Helia & { libp2p: Libp2p },
  relayPeerIds: Set<string>,
  status?: StatusStore,
  options: TransferTestStore = {},
): Promise<void> {
  await handleJson(helia.libp2p, TRANSFER_TEST_PROTOCOL, async (request, remotePeer) => {
    const r = request as { cid?: unknown; bytes?: unknown };
    if (typeof r.cid !== 'string' || !Number.isInteger(r.bytes) || (r.bytes as number) <= 0 || (r.bytes as number) > MAX_TEST_BYTES) {
      throw new P2PFormatError('A transfer test names a CID and a size of at most 64 MiB.');
    }
    const cid = CID.parse(r.cid);
    const peer = helia.libp2p.getConnections().find((c) => c.remotePeer.toString() === remotePeer)?.remotePeer;
    const via = peer ? unlimitedKinds(helia.libp2p, peer, relayPeerIds) : [];
    const id = `test:${r.cid}`;
    // User Timing marks around the measured part: DevTools and scripts/bench/_transfer-trace.ts line traces up with them.
    const t0 = performance.mark('twingrain:transfer-test-start').startTime;
    let received = 0;
    // The whole receive, bitswap's part too, as on a granule's path (fetchGranule): disk writes wait until it ends.
    const endReceive = startReceive();
    try {
      // The path a granule takes: the direct block protocol from the peer, bitswap for anything it left missing.
      if (peer && via.length > 0 && !options.bitswapOnly) {
        // Into the node's own store, as block-sources.ts does on a granule's path (useOwnBlockstore): Helia's put would
        // first ask IndexedDB whether it holds each block, one lookup per block on the receive path.
        await fetchDag(helia.libp2p, peer, options.blockstore ?? helia.blockstore, cid, {
          maxBytes: (r.bytes as number) + 64 * 1024 + Math.ceil((r.bytes as number) / 256),
          signal: AbortSignal.timeout(120_000),
          onBlock: (_cid, n) => {
            received += n;
            status?.putTransfer({
              id,
              label: 'transfer test',
              direction: 'download',
              bytes: received,
              total: r.bytes as number,
              state: 'running',
              via: via[0],
            });
          },
        }).catch(() => undefined);
        received = 0;
      }
      for await (const chunk of unixfs(helia).cat(cid, { signal: AbortSignal.timeout(120_000) })) {
        received += chunk.length;
        status?.putTransfer({ id, label: 'transfer test', direction: 'download', bytes: received, total: r.bytes as number, state: 'running', via: via[0] });
      }
    } catch (error) {
      const why = describe(error);
      status?.putTransfer({ id, label: 'transfer test', direction: 'download', bytes: received, total: r.bytes as number, state: 'failed', error: why });
      throw new TransferInterruptedError(`The test transfer stopped after ${received} bytes: ${why}`);
    } finally {
      endReceive();
    }
    const ms = performance.mark('twingrain:transfer-test-end').startTime - t0;
    status?.putTransfer({ id, label: 'transfer test', direction: 'download', bytes: received, total: r.bytes as number, state: 'done', via: via[0] });
    // The test data is not worth keeping (and gc would also drop unpinned granule blocks kept for resuming).
    await deleteDag(options.blockstore ?? helia.blockstore, cid);
    if (received !== r.bytes) throw new TransferInterruptedError(`The test transfer delivered ${received} of ${r.bytes as number} bytes.`);
    return { bytes: received, ms, via } satisfies TransferTestResult;
  });
}

/**
 * Asks `peer` to fetch `bytes` random bytes from us; resolves with its measurement. `blockBytes` is the UnixFS leaf
 * size (Helia's default 1 MiB unless given; granule shards use 256 KiB).
 */
export async function runTransferTest(
  helia: Helia & { libp2p: Libp2p },
  peer: PeerId,
  bytes: number,
  status?: StatusStore,
  options: TransferTestStore & { blockBytes?: number } = {},
): Promise<TransferTestResult> {
  const { blockBytes } = options;
  if (blockBytes !== undefined && (!Number.isInteger(blockBytes) || blockBytes < 1024 || blockBytes > 2 * 1024 * 1024)) {
    throw new P2PFormatError(`A test block size of ${blockBytes} bytes is outside 1 KiB to 2 MiB (bitswap peers refuse larger blocks).`);
  }
  const cid = await unixfs(helia).addBytes(randomPayload(bytes), { rawLeaves: true, ...(blockBytes ? { chunker: fixedSize({ chunkSize: blockBytes }) } : {}) });
  performance.mark('twingrain:transfer-test-imported');
  const id = `test-up:${cid.toString()}`;
  status?.putTransfer({ id, label: 'transfer test', direction: 'upload', bytes: 0, total: bytes, state: 'running' });
  try {
    const result = await requestJson<TransferTestResult>(
      helia.libp2p,
      peer,
      TRANSFER_TEST_PROTOCOL,
      { cid: cid.toString(), bytes },
      { signal: AbortSignal.timeout(150_000) },
    );
    status?.putTransfer({ id, label: 'transfer test', direction: 'upload', bytes, total: bytes, state: 'done', via: result.via[0] });
    return result;
  } catch (error) {
    status?.putTransfer({ id, label: 'transfer test', direction: 'upload', bytes: 0, total: bytes, state: 'failed', error: (error as Error).message });
    throw error;
  } finally {
    await deleteDag(options.blockstore ?? helia.blockstore, cid);
  }
}

/** Helia wraps every block broker's failure in one "Failed to load block"; the reasons are inside. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const inner = (error as { errors?: unknown[] }).errors;
  if (!Array.isArray(inner) || inner.length === 0) return message;
  return `${message} (${inner.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')})`;
}

/** Deletes a UnixFS file's blocks (a dag-pb tree with raw leaves). */
async function deleteDag(store: Pick<Blockstore, 'get' | 'delete'>, cid: CID): Promise<void> {
  try {
    if (cid.code === dagPb.code) {
      const parts: Uint8Array[] = [];
      for await (const p of store.get(cid)) parts.push(p);
      const bytes = concat(parts);
      for (const link of dagPb.decode(bytes).Links) await deleteDag(store, link.Hash);
    }
    await store.delete(cid);
  } catch {
    // already gone
  }
}
