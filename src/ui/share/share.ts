// What the Share page does, as plain functions over the session: check the chain, then register, authorize and
// instantiate with proofs made in the prover worker, and mirror the resulting records. The Svelte panels only
// render these results and dispatch to them.
import type { Address } from 'viem';
import { effectivePinning } from '../settings/pinning-settings';
import { effectiveSnapshotSource } from '../settings/snapshot-settings';
import {
  authorizeGranule,
  commitRegistration,
  contractRevertOf,
  ContractRevertError,
  describeContractError,
  formatRecordAddress,
  instantiateGranule,
  parseRecordAddress,
  type ActionStage,
} from '../../lib/chain/index';
import { consortiumAbi, granuleRegistryAbi } from '../../lib/chain/abi.generated';
import { readCustody } from '../../lib/chain/index';
import type { RuntimeConfig } from '../../lib/config';
import { keepGranule, parseAlpha, type GranuleManifest } from '../../lib/granule/index';
import type { RetrieveState } from '../../lib/p2p/index';
import type { BlockSource } from '../../lib/p2p/index';
import { BN254_FIELD_ORDER, type Identity } from '../../lib/identity/index';
import { manifestCidOf, receiveGranule as receiveShared, shareGranule, type SharingPeer, type ShareStage } from '../../lib/sharing/index';
import {
  ensureMembership,
  preparedProofFrom,
  recordsOf,
  resolveRecord,
  submitPreparedProof,
  syncedTrees,
  syncMyRecords,
  decodePreparedProof,
  encodePreparedProof,
  type RecordsOfReturnType,
  type PreparedProof,
} from '../../lib/records/index';
import type { TwingrainDb } from '../../lib/store/index';
import type { WalletConnection } from '../../lib/wallet';
import { WaitingForKeyHoldersError } from '../../lib/custody/index';
import { deriveRegistrationSalt, registrationInput, type Prover, type ProveResult } from '../../lib/zk/index';
export type { ShareStage };
import { ShareInputError, ShareSetupError } from './errors';
import { bytesToHex } from 'viem';

export interface ShareContext {
  config: RuntimeConfig;
  identity: Identity;
  wallet: WalletConnection;
  db: TwingrainDb;
  prover: Prover;
}

export interface ChainCheck {
  chainId: number;
  registry: Address;
  consortium: Address;
  blockNumber: number;
  registrationLeaves: number;
  authorizationLeaves: number;
  registrationRoot: bigint;
  authorizationRoot: bigint;
  /** The mirror was cleared because the chain was reset (or the registry replaced). */
  reset: boolean;
  member: boolean;
  /** Custodians listed in the Consortium and how many shares rebuild a key (0: no key custody yet). */
  custodians: number;
  threshold: number;
}

export function contractsOf(config: RuntimeConfig): { registry: Address; consortium: Address } {
  const registry = config.chain.contracts.GranuleRegistry;
  const consortium = config.chain.contracts.Consortium;
  if (!registry || !consortium) {
    throw new ShareSetupError(
      'This deployment has no GranuleRegistry or Consortium: sharing is unavailable. Restart the stack (npm start) so it deploys them, then reload.',
    );
  }
  return { registry, consortium };
}

export function mirrorParameters(ctx: Pick<ShareContext, 'config' | 'wallet' | 'db'>) {
  return {
    db: ctx.db,
    publicClient: ctx.wallet.publicClient,
    registry: contractsOf(ctx.config).registry,
    fromBlock: ctx.config.chain.deployBlock,
    // A new browser starts from a community node's snapshot (chosen under Settings, else the deployment's), checked
    // against the registry's roots.
    ...(effectiveSnapshotSource(ctx.config) ? { snapshotUrl: effectiveSnapshotSource(ctx.config)! } : {}),
  };
}

/** This identity's own records (its lists), asked of the chain by its key: not the community's whole history. */
function syncMine(ctx: Pick<ShareContext, 'config' | 'wallet' | 'db' | 'identity'>): Promise<unknown> {
  const { db, publicClient, registry, fromBlock } = mirrorParameters(ctx);
  return syncMyRecords({ db, publicClient, registry, fromBlock, publicKey: ctx.identity.publicKey });
}

/** The message to show for any failure: a contract revert as its sentence, a typed error as its own message. */
export function sentenceOf(error: unknown): string {
  const revert = contractRevertOf(error);
  if (revert) return revert.message;
  return error instanceof Error ? error.message : String(error);
}

/** Contracts present, mirror synced, both roots equal to the chain's, and whether this wallet is enrolled. */
export async function checkChain(ctx: Pick<ShareContext, 'config' | 'wallet' | 'db' | 'identity'>): Promise<ChainCheck> {
  const { registry, consortium } = contractsOf(ctx.config);
  if (ctx.wallet.chain.id !== ctx.config.chain.chainId) {
    throw new ShareSetupError(
      `The wallet is on chain ${ctx.wallet.chain.id}, but this community's records are on chain ${ctx.config.chain.chainId}. Switch the wallet's network on the Settings page.`,
    );
  }
  const trees = await syncedTrees(mirrorParameters(ctx));
  const read = ctx.wallet.publicClient;
  const [pk, custodians, threshold] = await Promise.all([
    read.readContract({ address: consortium, abi: consortiumAbi, functionName: 'pkOf', args: [ctx.wallet.address] }),
    read.readContract({ address: consortium, abi: consortiumAbi, functionName: 'custodians' }),
    read.readContract({ address: consortium, abi: consortiumAbi, functionName: 'threshold' }),
  ]);
  return {
    chainId: trees.chainId,
    registry,
    consortium,
    blockNumber: trees.blockNumber,
    registrationLeaves: trees.registration.size,
    authorizationLeaves: trees.authorization.size,
    registrationRoot: trees.registration.root,
    authorizationRoot: trees.authorization.root,
    reset: trees.reset,
    member: pk === ctx.identity.publicKey,
    custodians: custodians.length,
    threshold: Number(threshold),
  };
}

/** This identity's wallet enrolled in the Consortium (enrolled now, with a proof, when it is not yet). */
function ensureMember(ctx: ShareContext): Promise<unknown> {
  return ensureMembership({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    consortium: contractsOf(ctx.config).consortium,
    secret: ctx.identity.secret,
    prover: ctx.prover,
  });
}

async function prepare(ctx: ShareContext, onStage: (stage: ActionStage) => void): Promise<void> {
  onStage('checking');
  await ensureMember(ctx);
  // Proving against a mirror the chain would not recognise wastes the proof: sync and compare roots first.
  await syncedTrees(mirrorParameters(ctx));
}

/** A prover that keeps the last proof it made, so the page can export it as a prepared proof. */
function capturing(prover: Prover, keep: (result: ProveResult) => void): Prover {
  return {
    ...prover,
    prove: async (input, onStage) => {
      const result = await prover.prove(input, onStage);
      keep(result);
      return result;
    },
  };
}

export interface ShareGranule {
  alpha: bigint;
  manifest: GranuleManifest;
  /** The packed archive: what goes on the peer-to-peer layer when the Consortium lists custodians. */
  archive: Uint8Array;
}

export interface PublishedGranule {
  manifestCid: string;
  pinnedBy: number;
  depositedWith: number;
  threshold: number;
}

const toHex = (bytes: Uint8Array): `0x${string}` => bytesToHex(bytes);

export interface ActionOutcome {
  recordAddress: string;
  txHash: `0x${string}`;
  leafIndex: number;
  prepared: string;
  timings: { witnessMs: number; proofMs: number };
  /** Set when the granule was put where users can get it (pinned, key shares with the custodians). */
  published?: PublishedGranule;
}

/** The sharing protocol's peer for this tab (only started when there is something to publish). */
async function sharingPeer(ctx: Pick<ShareContext, 'config'>): Promise<SharingPeer> {
  const { sharedBrowserNode } = await import('../../lib/p2p/index');
  const node = await sharedBrowserNode(ctx.config.relay);
  await node.supervisor.relayConnected();
  return node;
}

/** Register and publish, in the protocol's order (src/lib/sharing): commit, reveal with the proof, then publish. */
export async function register(ctx: ShareContext, granule: ShareGranule, onStage: (stage: ShareStage) => void): Promise<ActionOutcome> {
  onStage('checking');
  await syncedTrees(mirrorParameters(ctx));
  const { registry, consortium } = contractsOf(ctx.config);
  const result = await shareGranule({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    registry,
    consortium,
    prover: ctx.prover,
    secret: ctx.identity.secret,
    granule,
    peer: () => sharingPeer(ctx),
    onStage,
    // Storage services chosen under Settings (else the deployment's); without any, the relays pin.
    ...(effectivePinning(ctx.config) ? { pinning: effectivePinning(ctx.config)! } : {}),
  });
  await syncMine(ctx);
  const registered = result.registered!; // present: this page never resumes (resume is off)
  return {
    recordAddress: registered.recordAddress,
    txHash: result.txHash,
    leafIndex: result.leafIndex,
    timings: registered.timings,
    prepared: encodePreparedProof(
      preparedProofFrom({ result: registered.proved, registry, extra: toHex(result.manifestCid), salt: registered.commitmentSalt }),
    ),
    ...(result.published
      ? {
          published: {
            manifestCid: result.published.manifestCid,
            pinnedBy: result.published.pinnedBy,
            depositedWith: result.published.depositedWith,
            threshold: result.published.threshold,
          },
        }
      : {}),
  };
}

/**
 * Commits to the granule on chain and makes the registration proof without sending it (to send later, from this
 * same account: the proof and the commitment are bound to it). The pointer is the granule's manifest as prepared on
 * this device; nothing is published. Returns the prepared proof text.
 */
export async function prepareRegistration(ctx: ShareContext, granule: ShareGranule, onStage: (stage: ShareStage) => void): Promise<string> {
  await prepare(ctx, onStage);
  const { registry } = contractsOf(ctx.config);
  await refuseRegistered(ctx, granule.alpha);
  const manifestCid = manifestCidOf(granule.manifest);
  onStage('committing');
  const committed = await commitRegistration({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    registry,
    secret: ctx.identity.secret,
    alpha: granule.alpha,
  });
  const input = registrationInput({
    secret: ctx.identity.secret,
    alpha: granule.alpha,
    salt: deriveRegistrationSalt(ctx.identity.secret, granule.alpha),
    sender: ctx.wallet.address,
    chainId: ctx.config.chain.chainId,
    registry,
  });
  const result = await ctx.prover.prove(input, onStage);
  return encodePreparedProof(preparedProofFrom({ result, registry, extra: toHex(manifestCid), salt: committed.salt }));
}

async function refuseRegistered(ctx: Pick<ShareContext, 'config' | 'wallet'>, alpha: bigint): Promise<void> {
  if ((await ownerOfAlpha(ctx, alpha)) !== 0n) throw new ContractRevertError(describeContractError('AlreadyRegistered', [alpha]), 'AlreadyRegistered', [alpha]);
}

/** Pk as 0x-hex (as the Settings page shows it) or decimal. */
export function parsePublicKey(text: string): bigint {
  const t = text.trim();
  let value: bigint;
  try {
    if (!/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(t)) throw new Error();
    value = BigInt(t);
  } catch {
    throw new ShareInputError('That is not a twingrain member key: paste the key the member copied with "Copy my key".');
  }
  if (value === 0n || value >= BN254_FIELD_ORDER)
    throw new ShareInputError('That public key is zero or outside the BN254 field: it cannot belong to a twingrain identity.');
  return value;
}

/** α as 0x-hex, as the Share page and the CLI print it. */
export function parseAlphaText(text: string): bigint {
  try {
    return parseAlpha(text.trim());
  } catch {
    throw new ShareInputError('That is not a granule ID: choose one of your published granules, or paste the ID copied when it was published.');
  }
}

export async function authorize(
  ctx: ShareContext,
  alphaText: string,
  userPkText: string,
  onStage: (stage: ActionStage) => void,
  terms: { expiresAt: bigint | null; price: bigint } = { expiresAt: null, price: 0n },
): Promise<ActionOutcome> {
  const alpha = parseAlphaText(alphaText);
  const userPk = parsePublicKey(userPkText);
  if (userPk === ctx.identity.publicKey)
    throw new ShareInputError('You cannot grant access to yourself: you own this granule already. Paste the key of the member you grant it to.');
  await prepare(ctx, onStage);
  let proved: ProveResult | undefined;
  const result = await authorizeGranule({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    registry: contractsOf(ctx.config).registry,
    prover: capturing(ctx.prover, (r) => (proved = r)),
    secret: ctx.identity.secret,
    alpha,
    userPk,
    expiresAt: terms.expiresAt,
    price: terms.price,
    fromBlock: BigInt(ctx.config.chain.deployBlock),
    onStage,
  });
  await syncMine(ctx);
  return {
    recordAddress: result.recordAddress,
    txHash: result.txHash,
    leafIndex: result.leafIndex,
    timings: result.timings,
    prepared: encodePreparedProof(
      preparedProofFrom({ result: proved!, registry: contractsOf(ctx.config).registry, terms: { expiresAt: terms.expiresAt ?? 0n, price: terms.price } }),
    ),
  };
}

export async function instantiate(
  ctx: ShareContext,
  recordText: string,
  onStage: (stage: ActionStage) => void,
  maxPrice = 0n,
): Promise<ActionOutcome & { alpha: bigint }> {
  const record = parseRecordAddress(recordText);
  if (record.chainId !== ctx.config.chain.chainId)
    throw new ShareInputError(
      `This record is on chain ${record.chainId}; this app works with chain ${ctx.config.chain.chainId}. Ask for a record from this community.`,
    );
  await prepare(ctx, onStage);
  // Resolving through this key's records confirms the grant exists before any proving time is spent.
  await syncMine(ctx);
  await resolveRecord(ctx.db, record);
  let proved: ProveResult | undefined;
  const result = await instantiateGranule({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    prover: capturing(ctx.prover, (r) => (proved = r)),
    secret: ctx.identity.secret,
    record,
    x25519PublicKey: ctx.identity.x25519.publicKey,
    fromBlock: BigInt(ctx.config.chain.deployBlock),
    onStage,
    maxPrice,
  });
  await syncMine(ctx);
  return {
    alpha: result.alpha,
    recordAddress: formatRecordAddress(result.record),
    txHash: result.txHash,
    leafIndex: result.record.leafIndex,
    timings: result.timings,
    prepared: encodePreparedProof(preparedProofFrom({ result: proved!, registry: record.contract, extra: toHex(ctx.identity.x25519.publicKey) })),
  };
}

/** Sends a prepared proof from this wallet; the chain decides, and a refusal comes back as its sentence. */
export async function submitPrepared(
  ctx: Pick<ShareContext, 'config' | 'wallet' | 'db' | 'identity' | 'prover'>,
  text: string,
  onStage: (stage: ActionStage) => void,
): Promise<`0x${string}`> {
  const prepared: PreparedProof = decodePreparedProof(text);
  onStage('checking');
  await ensureMember(ctx);
  onStage('transaction');
  const { hash } = await submitPreparedProof({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    prepared,
    onSent: () => onStage('inclusion'),
  });
  await syncMine(ctx);
  return hash;
}

export async function myRecords(ctx: Pick<ShareContext, 'config' | 'wallet' | 'db' | 'identity'>): Promise<RecordsOfReturnType> {
  await syncMine(ctx);
  return recordsOf(ctx.db, ctx.config.chain.chainId, contractsOf(ctx.config).registry, ctx.identity.publicKey);
}

/** Whether α is registered on chain (and by whom), for the register form's hint. */
export async function ownerOfAlpha(ctx: Pick<ShareContext, 'config' | 'wallet'>, alpha: bigint): Promise<bigint> {
  return ctx.wallet.publicClient.readContract({ address: contractsOf(ctx.config).registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [alpha] });
}

/** One attempt at fetching a granule gives up after this long (the key wait inside it after 20 s, then retried). */
const RECEIVE_TIMEOUT_MS = 120_000;

export type ReceiveState = RetrieveState | { phase: 'waiting'; missing: number; threshold: number };

export interface ReceivedGranule {
  alpha: `0x${string}`;
  name: string;
  version: string;
  size: number;
  /** Who delivered the shards and over which kind of connection (most bytes first). */
  sources: BlockSource[];
  ownerPk: string;
  ownerName?: string;
}

/**
 * After instantiating: fetches the granule α from the peer-to-peer layer (manifest from the registry's pointer, key
 * shares released by the custodians to this identity's X25519 key, shards), checks it against α and keeps it on
 * this device so the Twins page lists it. Too few key holders answering is a wait, reported as a
 * WaitingForKeyHoldersError for the page to show and retry.
 */
export async function receiveGranule(
  ctx: ShareContext,
  alpha: bigint,
  onState: (state: ReceiveState) => void,
  signal?: AbortSignal,
  ownerName?: string,
): Promise<ReceivedGranule | null> {
  const { registry } = contractsOf(ctx.config);
  const custody = await readCustody({ publicClient: ctx.wallet.publicClient, consortium: contractsOf(ctx.config).consortium });
  if (custody.custodians.length === 0) return null;
  const { sharedBrowserNode } = await import('../../lib/p2p/index');
  const node = await sharedBrowserNode(ctx.config.relay);
  await node.supervisor.relayConnected();
  const result = await receiveShared({
    publicClient: ctx.wallet.publicClient,
    registry,
    alpha,
    userPk: ctx.identity.publicKey,
    helia: node.helia,
    userSecretKey: ctx.identity.x25519.secretKey,
    status: node.status,
    onState,
    keyTimeoutMs: 20_000,
    relayPeerIds: node.supervisor.relayPeerIds,
    // A pointer nobody serves (registered without publishing) would otherwise wait on the manifest for ever.
    signal: AbortSignal.any([...(signal ? [signal] : []), AbortSignal.timeout(RECEIVE_TIMEOUT_MS)]),
  });
  const ownerPk = `0x${(await ownerOfAlpha(ctx, alpha)).toString(16).padStart(64, '0')}`;
  const claimed = ownerName ?? result.granule.manifest.owner.name;
  await keepGranule(ctx.db, result.archive, 'received', { ownerPk, ...(claimed ? { ownerName: claimed } : {}) });
  const g = result.granule;
  return {
    alpha: g.alphaHex,
    name: g.manifest.name,
    version: g.manifest.version,
    size: result.archive.length,
    sources: result.sources,
    ownerPk,
    ...(claimed ? { ownerName: claimed } : {}),
  };
}

/** Whether a retrieval stopped only because too few key holders answered yet (a wait, not a failure). */
export function waitingForKeyHolders(error: unknown): WaitingForKeyHoldersError | null {
  return error instanceof WaitingForKeyHoldersError ? error : null;
}
