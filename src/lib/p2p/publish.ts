// The owner's side of Mechanism 2's storage step, in one call: encrypt, shard, store, have the pinning relay keep
// it, and hand the custodians their sealed shares — all before the registration transaction, so an owner may go
// offline as soon as it is mined. Returns the manifest CID the registry records.
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { storeGranule, type StoreGranuleParameters, type StoreGranuleReturnType } from './granule-store';
import { pinOnRelays } from './pin-protocol';
import { depositWithCustodians } from './custody-protocol';
import { cidToChainBytes } from './public-manifest';
import { P2PError } from './errors';

export interface PublishGranuleParameters extends Omit<StoreGranuleParameters, 'helia'> {
  helia: Helia & { libp2p: Libp2p };
  /** Refuse to continue unless this many pinning nodes confirmed (default 1: the owner may go offline). */
  minPins?: number;
  signal?: AbortSignal;
}

export interface PublishGranuleReturnType extends StoreGranuleReturnType {
  /** The manifest CID as the registry stores it (bytes). */
  manifestCidBytes: `0x${string}`;
  pinnedBy: string[];
  /** X25519 keys (hex) of the custodians that accepted their share. */
  depositedWith: string[];
}

export async function publishGranule(p: PublishGranuleParameters): Promise<PublishGranuleReturnType> {
  const stored = await storeGranule(p);
  // One after the other: a custodian that is also the pinning relay would otherwise be asked for the manifest
  // block by the pin while the deposit writes it, and Helia's pending want for it never resolves.
  const pins = await pinOnRelays(p.helia.libp2p, stored.cids, { signal: p.signal });
  const deposits = await depositWithCustodians(p.helia.libp2p, stored.manifestBytes, { signal: p.signal });
  const minPins = p.minPins ?? 1;
  if (pins.pinnedBy.length < minPins) {
    throw new P2PError(`Only ${pins.pinnedBy.length} pinning node(s) kept the granule (${minPins} needed)${pins.errors.length ? `: ${pins.errors.join('; ')}` : ''}. Keep this app open so peers can fetch it from you, or connect to a pinning relay and publish again.`);
  }
  if (deposits.custodians.length < p.custody.threshold) {
    throw new P2PError(`Only ${deposits.custodians.length} custodian(s) accepted their key share; ${p.custody.threshold} are needed before anyone can use this granule. Check that the custodians listed on chain are online, then publish again.`);
  }
  return { ...stored, manifestCidBytes: cidToChainBytes(stored.manifestCid), pinnedBy: pins.pinnedBy, depositedWith: deposits.custodians };
}
