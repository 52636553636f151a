// Pinning: an owner asks the community node to keep a granule's manifest and shards. The pinning node fetches the
// blocks itself over bitswap (from the owner, who is connected), verifying each by CID, and pins them so they
// survive restarts and serve users after the owner goes offline.
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { CID } from 'multiformats/cid';
import { PIN_PROTOCOL } from './protocols';
import { handleJson, requestJson } from './rpc';
import { peersWithProtocol } from './custody-protocol';
import { P2PFormatError } from './errors';

const MAX_CIDS = 300;

export async function servePinning(helia: Helia & { libp2p: Libp2p }, options: { timeoutMs?: number; onPinned?: (cids: string[]) => void } = {}): Promise<void> {
  await handleJson(helia.libp2p, PIN_PROTOCOL, async (request) => {
    const r = request as { cids?: unknown };
    if (!Array.isArray(r.cids) || r.cids.length === 0 || r.cids.length > MAX_CIDS || !r.cids.every((c) => typeof c === 'string')) {
      throw new P2PFormatError(`A pin request lists 1 to ${MAX_CIDS} CIDs.`);
    }
    let cids: CID[];
    try {
      cids = (r.cids as string[]).map((c) => CID.parse(c));
    } catch {
      throw new P2PFormatError('A pin request contains something that is not a CID.');
    }
    const signal = AbortSignal.timeout(options.timeoutMs ?? 120_000);
    // In parallel: shards are independent DAGs, and bitswap batches the wants of all of them.
    await Promise.all(
      cids.map(async (cid) => {
        if (await helia.pins.isPinned(cid)) return;
        // Walking the generator fetches (and verifies) every block of the DAG.
        for await (const _ of helia.pins.add(cid, { signal })) void _;
      }),
    );
    const pinned = cids.map((c) => c.toString());
    options.onPinned?.(pinned);
    return { pinned };
  });
}

/** Asks every reachable pinning node to keep `cids`; returns how many confirmed. */
export async function pinOnRelays(libp2p: Libp2p, cids: CID[], options: { signal?: AbortSignal } = {}): Promise<{ pinnedBy: string[]; errors: string[] }> {
  const peers = await peersWithProtocol(libp2p, PIN_PROTOCOL);
  const pinnedBy: string[] = [];
  const errors: string[] = [];
  await Promise.all(
    peers.map(async (peer) => {
      try {
        await requestJson(libp2p, peer, PIN_PROTOCOL, { cids: cids.map((c) => c.toString()) }, { signal: options.signal ?? AbortSignal.timeout(180_000) });
        pinnedBy.push(peer.toString());
      } catch (error) {
        errors.push((error as Error).message);
      }
    }),
  );
  return { pinnedBy, errors };
}
