// The owner's granule goes where users can get it, once the chain says it is the owner's: the pinning relay keeps
// the manifest and shards (it checks manifestOf(α) first), and each custodian gets its key share with a deposit the
// owner's wallet signed (it checks the registration, the manifest and the signer). Both steps are idempotent, so a
// publication cut off half way (a node offline, a closed tab) is finished by running this again from the same device.
import { CID } from 'multiformats/cid';
import { Key } from 'interface-datastore';
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import type { Address, PublicClient, WalletClient } from 'viem';
import { granuleRegistryAbi } from '../chain/abi.generated';
import type { ReadCustodyReturnType } from '../chain/index';
import { signCustodyDeposit } from '../custody/index';
import { alphaHex, type GranuleManifest } from '../granule/index';
import {
  createPinningToken,
  pinWithServices,
  prepareGranulePublication,
  pinPublication,
  type PinningServicesConfig,
  type PreparedPublication,
} from '../p2p/index';
import { depositWithCustodians, type DepositRefusal } from '../p2p/index';
import { PublicationUnfinishedError, SharingError } from './errors';

export interface SharingPeer {
  helia: Helia & { libp2p: Libp2p };
}

export interface PreparePublicationParameters {
  peer: SharingPeer;
  granule: { alpha: bigint; manifest: GranuleManifest; archive: Uint8Array };
  custody: ReadCustodyReturnType;
  erasure?: { k: number; n: number };
}

/** Encrypts, shards and stores the granule in this device's node; sends nothing. The same α gives the same manifest. */
export function preparePublication(p: PreparePublicationParameters): Promise<PreparedPublication> {
  const m = p.granule.manifest;
  return prepareGranulePublication({
    helia: p.peer.helia,
    archive: p.granule.archive,
    alpha: alphaHex(p.granule.alpha),
    granule: {
      name: m.name,
      version: m.version,
      description: m.description,
      domain: m.domain,
      context: m.context,
      printers: m.printers,
      tags: m.tags,
      license: m.license,
      ...(m.owner.name ? { ownerName: m.owner.name } : {}),
    },
    k: p.erasure?.k ?? 2,
    n: p.erasure?.n ?? 3,
    custody: { threshold: p.custody.threshold, custodians: p.custody.custodians.map((c) => c.x25519PublicKey) },
  });
}

// Set on this device once a publication reached the pinning relay and t custodians: a later run then has nothing to finish.
const finishedKey = (alpha: string): Key => new Key(`/twingrain/publication-finished/${alpha}`);

/** Whether this device finished publishing α (so "register" again means "already registered", not "resume"). */
export async function publicationFinished(peer: SharingPeer, alpha: string): Promise<boolean> {
  return peer.helia.datastore.has(finishedKey(alpha));
}

export interface PublishRegisteredParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  peer: SharingPeer;
  publication: PreparedPublication;
  threshold: number;
  ownerPk: bigint;
  /**
   * Pin through these IPFS Pinning Service API endpoints (several, with a replication factor) instead of asking the
   * relays over libp2p. Community nodes get a member token signed by walletClient.
   */
  pinning?: PinningServicesConfig;
  onStage?: (stage: 'pin' | 'deposit') => void;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

export interface PublishRegisteredReturnType {
  manifestCid: string;
  pinnedBy: number;
  depositedWith: number;
  /** How many custodians the Consortium lists. */
  custodians: number;
  threshold: number;
  /** Custodians that refused, with their reasons (shown to the owner; enough others may have accepted). */
  refusals: DepositRefusal[];
}

export async function publishRegistered(p: PublishRegisteredParameters): Promise<PublishRegisteredReturnType> {
  const alpha = p.publication.manifest.alpha;
  const manifestCid = p.publication.manifestCid.toString();
  const [owner, onChain] = await Promise.all([
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [BigInt(alpha)] }),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [BigInt(alpha)] }),
  ]);
  if (owner !== p.ownerPk || onChain.toLowerCase() !== p.publication.manifestCidBytes.toLowerCase()) {
    throw new SharingError(
      'NOT_REGISTERED',
      `Granule ${alpha.slice(0, 12)}… is not registered to you with this content, so it is not published. Register it first.`,
    );
  }
  const unfinished = (what: string, cause?: unknown): PublicationUnfinishedError =>
    new PublicationUnfinishedError(
      alpha,
      manifestCid,
      `Your granule is registered, but ${what}. Nothing is lost: keep this device's copy and try "finish publishing" again once the community nodes are back.`,
      cause === undefined ? undefined : { cause },
    );

  p.onStage?.('pin');
  let pinnedBy: string[];
  if (p.pinning && p.pinning.services.length > 0) {
    // The manifest and each shard root, so that a service that knows nothing of granules keeps them all.
    const cids = [CID.parse(manifestCid), ...p.publication.manifest.shards.map((s) => CID.parse(s.cid))];
    const walletClient = p.walletClient;
    try {
      ({ pinnedBy } = await pinWithServices({
        ...p.pinning,
        cids,
        name: `twingrain granule ${alpha.slice(0, 12)}`,
        meta: { alpha },
        origins: p.peer.helia.libp2p.getMultiaddrs().map(String),
        tokenFor: (challenge) => createPinningToken(walletClient, challenge),
        ...(p.onProgress ? { onProgress: p.onProgress } : {}),
        ...(p.signal ? { signal: p.signal } : {}),
      }));
    } catch (error) {
      throw unfinished(`fewer pinning services than the ${p.pinning.replication} asked for kept a copy (${(error as Error).message})`, error);
    }
  } else {
    try {
      ({ pinnedBy } = await pinPublication({ helia: p.peer.helia, alpha, manifestCid: CID.parse(manifestCid), ...(p.signal ? { signal: p.signal } : {}) }));
    } catch (error) {
      throw unfinished('no storage node has kept a copy yet', error);
    }
  }
  p.onProgress?.(`stored by ${pinnedBy.length} storage node(s)`);

  p.onStage?.('deposit');
  const chainId = await p.publicClient.getChainId();
  const signature = await signCustodyDeposit(p.walletClient, { chainId, registry: p.registry, alpha, manifestCid: p.publication.manifestCidBytes });
  const deposits = await depositWithCustodians(p.peer.helia.libp2p, p.publication.manifestBytes, { signature, ...(p.signal ? { signal: p.signal } : {}) });
  p.onProgress?.(`key shares with ${deposits.custodians.length} key holder(s) (${p.threshold} needed)`);
  if (deposits.custodians.length < p.threshold) {
    const why = deposits.refusals.map((r) => r.reason).join('; ');
    throw unfinished(`only ${deposits.custodians.length} of the ${p.threshold} key holders needed took their part of the key${why ? ` (${why})` : ''}`);
  }
  const custodians = p.publication.manifest.custody.shares.length;
  await p.peer.helia.datastore.put(finishedKey(alpha), new TextEncoder().encode(manifestCid));
  return { manifestCid, pinnedBy: pinnedBy.length, depositedWith: deposits.custodians.length, custodians, threshold: p.threshold, refusals: deposits.refusals };
}
