// The owner's journey, in the order that keeps α private until the chain has given it to the owner (issue 12):
//   1. check: member (enrolled with a proof of Sk), α not registered, custody listed, pinning and custodians reachable
//   2. prepare: encrypt, shard and store in the owner's own node; the manifest CID is computed locally, nothing leaves
//   3. commit: keccak(α, Pk_S, account, salt) on chain — hides α
//   4. register: the reveal with the Groth16 proof, one block later at the earliest
//   5. publish: the pinning relay checks manifestOf(α) and fetches; custodians get key shares with a signed deposit
// The Share page and the CLI both call this; only their progress display differs.
import { hexToBytes, type Address, type Hash, type Hex, type PublicClient, type WalletClient } from 'viem';
import { commitRegistration } from '../chain/index';
import { granuleRegistryAbi } from '../chain/abi.generated';
import { ContractRevertError } from '../chain/index';
import { describeContractError } from '../chain/index';
import { readCustody, type ReadCustodyReturnType } from '../chain/index';
import { registerGranule, type ActionStage } from '../chain/index';
import { alphaHex, canonicalJson, type GranuleManifest } from '../granule/index';
import { poseidonHash } from '../identity/index';
import { publicManifestCid } from '../p2p/index';
import type { PinningServicesConfig } from '../p2p/index';
import { CUSTODY_DEPOSIT_PROTOCOL, PIN_PROTOCOL } from '../p2p/index';
import { ensureMembership } from '../records/index';
import type { ProveResult, Prover } from '../zk/index';
import { SharingError } from './errors';
import { preparePublication, publicationFinished, publishRegistered, type PublishRegisteredReturnType, type SharingPeer } from './publish-registered';
import { waitForServices } from './services';

export type ShareStage = ActionStage | 'publish' | 'pin' | 'deposit';

export interface ShareGranuleParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  consortium: Address;
  prover: Prover;
  /** Sk_S of the owner. */
  secret: bigint;
  granule: { alpha: bigint; manifest: GranuleManifest; archive: Uint8Array };
  /** The owner's peer; started only when the Consortium lists custodians (there is something to publish). */
  peer: () => Promise<SharingPeer>;
  /**
   * When α is already registered to this owner: finish its publication from this device's copy (a run that stopped
   * after registering) instead of refusing. Off by default: the Share page refuses a second registration.
   */
  resume?: boolean;
  /**
   * Refuse when the Consortium lists no custodians (the CLI: a granule registered there could never be handed to
   * anyone). Without it such a registration records the canonical manifest's CID only, as the Share page does.
   */
  requireCustody?: boolean;
  /** The registry's deployment block: where a resumed publication looks for its registration event (default 0). */
  fromBlock?: bigint;
  /** How long to wait for the pinning relay and the custodians to show up before anything is sent (default 15 s). */
  serviceWaitMs?: number;
  /** Pin through these Pinning Service API endpoints (with a replication factor) instead of the relays' libp2p protocol. */
  pinning?: PinningServicesConfig;
  /** Erasure code of the shards (default any 2 of 3 rebuild the granule). */
  erasure?: { k: number; n: number };
  onStage?: (stage: ShareStage) => void;
  /** One line per step, for a log (the CLI prints them on stderr). */
  onProgress?: (line: string) => void;
}

export interface ShareGranuleReturnType {
  alpha: bigint;
  leafIndex: number;
  root: bigint;
  /** The registration transaction (of an earlier run when `resumed`). */
  txHash: Hash;
  blockNumber: bigint;
  /** True when α was already registered to this owner and this run only finished publishing it. */
  resumed: boolean;
  /** What this run's registration produced (absent when resumed). */
  registered?: {
    commitTxHash: Hash;
    /** The salt of the registration commitment (a prepared copy of the proof needs it). */
    commitmentSalt: Hex;
    recordAddress: string;
    timings: { witnessMs: number; proofMs: number };
    /** The registration proof (the Share page offers it for export). */
    proved: ProveResult;
  };
  /** The registered pointer (binary CID). */
  manifestCid: Uint8Array;
  /** Set when the granule was put where users can get it (custodians listed). */
  published?: PublishRegisteredReturnType;
}

function revert(name: string, ...args: unknown[]): ContractRevertError {
  return new ContractRevertError(describeContractError(name, args), name, args);
}

/** The pointer registered when no custodians are listed: the CID of the canonical granule manifest. */
export function manifestCidOf(manifest: GranuleManifest): Uint8Array {
  return publicManifestCid(new TextEncoder().encode(canonicalJson(manifest) + '\n')).bytes;
}

/** Custody that can work, or a refusal that says whom to ask. */
function requireCustody(custody: ReadCustodyReturnType): void {
  const n = custody.custodians.length;
  if (custody.threshold < 1 || custody.threshold > n) {
    throw new SharingError(
      'NO_CUSTODY',
      `This community asks for ${custody.threshold} of its ${n} key holders to hand out a key, which cannot work: ask the community's administrator to set a number between 1 and ${n}.`,
    );
  }
}

/** The registration of α as the chain recorded it (for a publication resumed in a later run). */
async function readRegistration(
  p: Pick<ShareGranuleParameters, 'publicClient' | 'registry' | 'fromBlock'>,
  alpha: bigint,
): Promise<{ leafIndex: number; root: bigint; txHash: Hash; blockNumber: bigint } | undefined> {
  const [event] = await p.publicClient.getContractEvents({
    address: p.registry,
    abi: granuleRegistryAbi,
    eventName: 'Registered',
    args: { alpha },
    fromBlock: p.fromBlock ?? 0n,
    strict: true,
  });
  if (!event) return undefined;
  return { leafIndex: Number(event.args.leafIndex), root: event.args.root, txHash: event.transactionHash, blockNumber: event.blockNumber };
}

export async function shareGranule(p: ShareGranuleParameters): Promise<ShareGranuleReturnType> {
  const say = (line: string): void => p.onProgress?.(line);
  p.onStage?.('checking');
  await ensureMembership({ publicClient: p.publicClient, walletClient: p.walletClient, consortium: p.consortium, secret: p.secret, prover: p.prover });
  const ownerPk = poseidonHash([p.secret]);
  const owner = await p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [p.granule.alpha] });
  // Someone else's: refused before anything is proved or published.
  if (owner !== 0n && (owner !== ownerPk || !p.resume)) throw revert('AlreadyRegistered', p.granule.alpha);
  const custody = await readCustody({ publicClient: p.publicClient, consortium: p.consortium });
  // Already ours with nothing to publish: nothing to do but say so.
  if (owner !== 0n && custody.custodians.length === 0) throw revert('AlreadyRegistered', p.granule.alpha);

  if (custody.custodians.length === 0 && p.requireCustody) {
    throw new SharingError(
      'NO_CUSTODY',
      `This community lists no key custodians, so nobody could ever be given this granule's key. Ask the community's administrator to list custodians and a threshold.`,
    );
  }
  let manifestCid: Uint8Array;
  let peer: SharingPeer | undefined;
  if (custody.custodians.length === 0) {
    manifestCid = manifestCidOf(p.granule.manifest);
  } else {
    requireCustody(custody);
    p.onStage?.('publish');
    peer = await p.peer();
    if (owner === ownerPk && (await publicationFinished(peer, alphaHex(p.granule.alpha)))) throw revert('AlreadyRegistered', p.granule.alpha);
    // Checked before the commitment: a registration whose granule nobody can then pin or hold keys for helps nobody.
    const waitMs = p.serviceWaitMs ?? 15_000;
    // Pinning services are reached over HTTP when configured: then no pinning peer is needed here.
    const viaServices = (p.pinning?.services.length ?? 0) > 0;
    const found = await waitForServices(
      peer.helia.libp2p,
      { [PIN_PROTOCOL]: viaServices ? 0 : 1, [CUSTODY_DEPOSIT_PROTOCOL]: custody.custodians.length },
      waitMs,
    );
    const pins = found[PIN_PROTOCOL] ?? 0;
    const holders = found[CUSTODY_DEPOSIT_PROTOCOL] ?? 0;
    say(`found ${pins} pinning node(s) and ${holders} of ${custody.custodians.length} key holder(s)`);
    if ((pins === 0 && !viaServices) || holders < custody.threshold) {
      throw new SharingError(
        'PUBLISH_UNAVAILABLE',
        `Nothing was ${owner === 0n ? 'registered or ' : ''}sent: within ${Math.round(waitMs / 1000)} s this device reached ${pins} storage node(s) (1 needed) and ${holders} of the ${custody.custodians.length} key holders (${custody.threshold} needed). ` +
          'Check that the community nodes are running and reachable, then try again.',
      );
    }
  }
  // Stored locally and its CID computed before the commitment: nothing that carries α leaves this device until the
  // registration is mined. The same α on the same device gives the same manifest (so a cut-off run can resume).
  const publication = peer ? await preparePublication({ peer, granule: p.granule, custody, ...(p.erasure ? { erasure: p.erasure } : {}) }) : undefined;
  if (publication) manifestCid = hexToBytes(publication.manifestCidBytes);
  // Pins the encrypted granule and deposits its key shares, once the registration is on chain.
  const publish = (to: SharingPeer, prepared: NonNullable<typeof publication>) =>
    publishRegistered({
      publicClient: p.publicClient,
      walletClient: p.walletClient,
      registry: p.registry,
      peer: to,
      publication: prepared,
      threshold: custody.threshold,
      ownerPk,
      onStage: p.onStage,
      onProgress: p.onProgress,
      ...(p.pinning ? { pinning: p.pinning } : {}),
    });

  if (owner === ownerPk) {
    // Registered by us in an earlier run that stopped before publishing: finish it, if this device still holds what
    // was registered (another device's encryption would not match the manifest on chain).
    const registration = await readRegistration(p, p.granule.alpha);
    if (!publication || !registration) throw revert('AlreadyRegistered', p.granule.alpha);
    say('this granule is already registered to you: finishing its publication');
    const published = await publish(peer!, publication);
    return { alpha: p.granule.alpha, ...registration, resumed: true, manifestCid: manifestCid!, published };
  }

  let proved: ProveResult | undefined;
  const capturing: Prover = { ...p.prover, prove: async (input, onStage) => (proved = await p.prover.prove(input, onStage)) };
  p.onStage?.('committing');
  say('committing to the granule on chain (what it is stays hidden until the commitment is mined)…');
  const committed = await commitRegistration({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry: p.registry,
    secret: p.secret,
    alpha: p.granule.alpha,
  });
  const result = await registerGranule({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry: p.registry,
    prover: capturing,
    // Its own 'checking' would send the progress display back to the start.
    secret: p.secret,
    alpha: p.granule.alpha,
    manifestCid: manifestCid!,
    salt: committed.salt,
    onStage: (stage) => stage !== 'checking' && p.onStage?.(stage),
  });
  say(`registered in transaction ${result.txHash}`);

  let published: PublishRegisteredReturnType | undefined;
  if (peer && publication) {
    published = await publish(peer, publication);
  }
  return {
    alpha: p.granule.alpha,
    leafIndex: result.leafIndex,
    root: result.root,
    txHash: result.txHash,
    blockNumber: result.blockNumber,
    resumed: false,
    registered: {
      commitTxHash: committed.txHash,
      commitmentSalt: committed.salt,
      recordAddress: result.recordAddress,
      timings: result.timings,
      proved: proved!,
    },
    manifestCid: manifestCid!,
    ...(published ? { published } : {}),
  };
}
