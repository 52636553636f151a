// The owner's side of Mechanism 2's storage step, in one call: encrypt, shard, store, have the pinning relay keep
// it, and hand the custodians their sealed shares — all before the registration transaction, so an owner may go
// offline as soon as it is mined. Returns the manifest CID the registry records.
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { storeGranule, type StoreGranuleParameters, type StoreGranuleReturnType } from './granule-store';
import { pinOnRelays } from './pin-protocol';
import { depositWithCustodians } from './custody-protocol';
import { cidToChainBytes, decodePublicManifest } from './public-manifest';
import { P2PError } from './errors';
import { readBlock } from './blocks';
import { Key } from 'interface-datastore';
import { CID } from 'multiformats/cid';
import { bytesToHex } from '@noble/hashes/utils.js';

export interface PublishGranuleParameters extends Omit<StoreGranuleParameters, 'helia'> {
  helia: Helia & { libp2p: Libp2p };
  /** Refuse to continue unless this many pinning nodes confirmed (default 1: the owner may go offline). */
  minPins?: number;
  /**
   * Called after pinning, before depositing: returns the owner's EIP-712 custody deposit signature
   * (signCustodyDeposit) for this manifest CID. Custodians refuse a deposit for an α their registry does not record
   * with this CID, so the caller registers first. Without it the deposit is unsigned and every custodian refuses it.
   */
  authorizeDeposit?: (p: { alpha: string; manifestCid: Uint8Array }) => Promise<string>;
  signal?: AbortSignal;
}

export interface PublishGranuleReturnType extends Omit<StoreGranuleReturnType, 'key'> {
  /** The manifest CID as the registry stores it (bytes). */
  manifestCidBytes: `0x${string}`;
  pinnedBy: string[];
  /** X25519 keys (hex) of the custodians that accepted their share. */
  depositedWith: string[];
}

const publishedKey = (alpha: string): Key => new Key(`/twingrain/published/${alpha}`);

/**
 * An earlier publish of this α from this node whose manifest and shards are still here, made for the same custodians
 * and threshold. A custodian keeps only the first deposit of an α, so a publish that stopped half way (a custodian
 * offline, the tab closed) must be finished with the same manifest, never a new one with a new key.
 */
async function earlierPublish(helia: Helia, p: PublishGranuleParameters): Promise<Omit<StoreGranuleReturnType, 'key'> | undefined> {
  try {
    const cid = CID.parse(new TextDecoder().decode(await helia.datastore.get(publishedKey(p.alpha))));
    const bytes = await readBlock(helia, cid, { offline: true });
    const manifest = decodePublicManifest(bytes, cid, p.alpha);
    const custodians = p.custody.custodians.map((c) => bytesToHex(c));
    if (manifest.custody.threshold !== p.custody.threshold || manifest.custody.shares.map((s) => s.custodian).join() !== custodians.join()) return undefined;
    const shards = manifest.shards.map((s) => CID.parse(s.cid));
    for (const shard of shards) if (!(await helia.blockstore.has(shard))) return undefined;
    return { manifestCid: cid, manifest, manifestBytes: bytes, cids: [cid, ...shards] };
  } catch {
    return undefined; // none, or unusable: publish anew
  }
}

export async function publishGranule(p: PublishGranuleParameters): Promise<PublishGranuleReturnType> {
  let stored = await earlierPublish(p.helia, p);
  if (!stored) {
    const { key: _key, ...fresh } = await storeGranule(p);
    stored = fresh;
    await p.helia.datastore.put(publishedKey(p.alpha), new TextEncoder().encode(fresh.manifestCid.toString()));
  }
  // One after the other: a custodian that is also the pinning relay would otherwise be asked for the manifest
  // block by the pin while the deposit writes it, and Helia's pending want for it never resolves.
  const pins = await pinOnRelays(p.helia.libp2p, stored.cids, { signal: p.signal });
  const minPins = p.minPins ?? 1;
  // Checked before depositing: a custodian keeps only the first deposit of an α, so a deposit made for a publish
  // that then fails would block every later attempt at this granule.
  if (pins.pinnedBy.length < minPins) {
    throw new P2PError(`Only ${pins.pinnedBy.length} pinning node(s) kept the granule (${minPins} needed)${pins.errors.length ? `: ${pins.errors.join('; ')}` : ''}. Keep this app open so peers can fetch it from you, or connect to a pinning relay and publish again.`);
  }
  const signature = p.authorizeDeposit ? await p.authorizeDeposit({ alpha: p.alpha, manifestCid: stored.manifestCid.bytes }) : undefined;
  const deposits = await depositWithCustodians(p.helia.libp2p, stored.manifestBytes, { signal: p.signal, ...(signature ? { signature } : {}) });
  if (deposits.custodians.length < p.custody.threshold) {
    throw new P2PError(`Only ${deposits.custodians.length} custodian(s) accepted their key share; ${p.custody.threshold} are needed before anyone can use this granule${deposits.errors.length ? ` (${deposits.errors.join('; ')})` : ''}. Check that the custodians listed on chain are online, then publish again.`);
  }
  return { ...stored, manifestCidBytes: cidToChainBytes(stored.manifestCid), pinnedBy: pins.pinnedBy, depositedWith: deposits.custodians };
}
