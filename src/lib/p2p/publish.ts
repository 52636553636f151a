// The owner's side of Mechanism 2's storage step, in the order the protocol needs (docs/sharing-protocol.md; src/lib/sharing runs the whole journey):
// 1. prepareGranulePublication: encrypt, shard and store in the owner's own node, and compute the manifest CID —
//    nothing leaves the node (the public manifest carries α, and α must stay private until the chain has the
//    registration commitment).
// 2. pinPublication, once `register` is mined: ask the pinning relays to keep it; each checks manifestOf(α) on chain
//    and fetches the manifest and shards from this node over bitswap.
// Key shares go to the custodians after that (custody).
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { storeGranule, type StoreGranuleParameters, type StoreGranuleReturnType } from './granule-store';
import { pinOnRelays } from './pin-protocol';
import type { RelayLimitError } from './limits';
import { cidToChainBytes, decodePublicManifest } from './public-manifest';
import { P2PError } from './errors';
import { readBlock } from './blocks';
import { Key } from 'interface-datastore';
import { CID } from 'multiformats/cid';
import { bytesToHex } from '@noble/hashes/utils.js';

const publishedKey = (alpha: string): Key => new Key(`/twingrain/published/${alpha}`);

/**
 * An earlier publish of this α from this node whose manifest and shards are still here, made for the same custodians
 * and threshold. The chain records the manifest CID at registration, so a publication that stopped half way (a
 * custodian offline, the tab closed) must be finished with the same manifest, never a new one with a new key.
 */
async function earlierPublish(helia: Helia, p: Pick<StoreGranuleParameters, 'alpha' | 'custody'>): Promise<Omit<StoreGranuleReturnType, 'key'> | undefined> {
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

export interface PrepareGranulePublicationParameters extends Omit<StoreGranuleParameters, 'helia'> {
  helia: Helia;
}

export interface PreparedPublication extends Omit<StoreGranuleReturnType, 'key'> {
  /** The manifest CID as the registry stores it (bytes): what `register` records. */
  manifestCidBytes: `0x${string}`;
}

/**
 * Step 1: encrypts, shards and stores the granule in this node only and returns the manifest CID to register.
 * Sends nothing. Repeating it for the same α, custodians and threshold returns the same manifest (the one a
 * custodian may already hold a share of), as long as its blocks are still here.
 */
export async function prepareGranulePublication(p: PrepareGranulePublicationParameters): Promise<PreparedPublication> {
  let stored = await earlierPublish(p.helia, p);
  if (!stored) {
    const { key: _key, ...fresh } = await storeGranule(p);
    stored = fresh;
    await p.helia.datastore.put(publishedKey(p.alpha), new TextEncoder().encode(fresh.manifestCid.toString()));
  }
  return { ...stored, manifestCidBytes: cidToChainBytes(stored.manifestCid) };
}

export interface PinPublicationParameters {
  helia: Helia & { libp2p: Libp2p };
  alpha: string;
  manifestCid: CID;
  /** Refuse to continue unless this many pinning nodes confirmed (default 1: the owner may go offline). */
  minPins?: number;
  signal?: AbortSignal;
}

export interface PinPublicationReturnType {
  pinnedBy: string[];
  /** Relays that refused, with their codes (e.g. PIN_NOT_RECORDED while the registration is not mined yet). */
  refusals: RelayLimitError[];
}

/**
 * Step 2, after the registration is mined: the pinning relays check that the chain records this manifest for α,
 * then fetch it and its shards from this node (keep it online until this returns).
 */
export async function pinPublication(p: PinPublicationParameters): Promise<PinPublicationReturnType> {
  const pins = await pinOnRelays(p.helia.libp2p, { alpha: p.alpha, manifestCid: p.manifestCid }, p.signal ? { signal: p.signal } : {});
  const minPins = p.minPins ?? 1;
  if (pins.pinnedBy.length < minPins) {
    throw new P2PError(
      `Only ${pins.pinnedBy.length} pinning node(s) kept the granule (${minPins} needed)${pins.errors.length ? `: ${pins.errors.join('; ').replace(/\.$/, '')}` : ''}. Keep this app open so peers can fetch it from you, or connect to a pinning relay and try again.`,
    );
  }
  return { pinnedBy: pins.pinnedBy, refusals: pins.refusals };
}
