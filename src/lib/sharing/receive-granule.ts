// The user's journey after its instantiation is on chain: the manifest the registry points to (checked against α),
// t key shares released by the custodians to the X25519 key the chain recorded, k shards from peers or the pinning
// relay, decryption, and the α check of the archive itself. The Discover page and `twingrain fetch` both call this.
import type { Address, PublicClient } from 'viem';
import type { CID } from 'multiformats/cid';
import { granuleRegistryAbi } from '../chain/abi.generated';
import { readInstantiation } from '../chain/index';
import { alphaHex, unpackGranule, type UnpackGranuleReturnType } from '../granule/index';
import { retrieveGranule, type RetrieveGranuleParameters, type RetrieveGranuleReturnType } from '../p2p/index';
import { cidFromChainBytes } from '../p2p/index';
import { SharingError } from './errors';

export interface ReceiveGranuleParameters extends Omit<RetrieveGranuleParameters, 'manifestCid' | 'alpha' | 'userPk'> {
  publicClient: PublicClient;
  registry: Address;
  alpha: bigint;
  /** Pk_U the instantiation was made with. */
  userPk: bigint;
  /** What checkReceivable already returned for this α and Pk_U (the caller asked before starting its peer). */
  checked?: CID;
}

export interface ReceiveGranuleReturnType extends RetrieveGranuleReturnType {
  manifestCid: string;
  granule: UnpackGranuleReturnType;
}

/**
 * The chain's answer to "may this identity receive α now?": the manifest CID when α is registered and Pk_U's
 * instantiation is recorded; a SharingError that says what to do otherwise. Cheap: callers ask it before starting a peer.
 */
export async function checkReceivable(p: Pick<ReceiveGranuleParameters, 'publicClient' | 'registry' | 'alpha' | 'userPk'>): Promise<CID> {
  const [pointer, instantiation] = await Promise.all([
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [p.alpha] }),
    readInstantiation({ publicClient: p.publicClient, registry: p.registry, alpha: p.alpha, userPk: p.userPk }),
  ]);
  if (!pointer || pointer === '0x') {
    throw new SharingError(
      'NOT_REGISTERED',
      `Granule ${alphaHex(p.alpha).slice(0, 14)}… is not registered in this community: check the identifier, or ask its owner to register it.`,
    );
  }
  // Custodians release key shares only to an instantiation on chain; without one, waiting for them is pointless.
  if (!instantiation) {
    throw new SharingError(
      'NOT_INSTANTIATED',
      `You have not taken up granule ${alphaHex(p.alpha).slice(0, 14)}… yet, so no key holder will hand out its key: ask the owner to grant it to you, then use it ("Instantiate") with this identity.`,
    );
  }
  return cidFromChainBytes(pointer);
}

export async function receiveGranule(p: ReceiveGranuleParameters): Promise<ReceiveGranuleReturnType> {
  const { publicClient, registry, alpha, userPk, checked, ...retrieve } = p;
  const manifestCid = checked ?? (await checkReceivable({ publicClient, registry, alpha, userPk }));
  const result = await retrieveGranule({ ...retrieve, manifestCid, alpha: alphaHex(alpha), userPk });
  // The archive must hash to α itself, not only match the manifest.
  const granule = unpackGranule({ bytes: result.archive, expectedAlpha: alpha });
  return { ...result, manifestCid: manifestCid.toString(), granule };
}
