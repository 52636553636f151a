// What the Share page does, as plain functions over the session: check the chain, then register, authorize and
// instantiate with proofs made in the prover worker, and mirror the resulting records. The Svelte panels only
// render these results and dispatch to them.
import type { Address } from 'viem';
import { authorizeGranule, contractRevertOf, ContractRevertError, describeContractError, formatRecordAddress, instantiateGranule, registerGranule, parseRecordAddress, type ActionStage } from '../../lib/chain/index';
import { consortiumAbi, granuleRegistryAbi } from '../../lib/chain/abi.generated';
import type { RuntimeConfig } from '../../lib/config';
import { canonicalJson, parseAlpha, type GranuleManifest } from '../../lib/granule/index';
import { BN254_FIELD_ORDER, type Identity } from '../../lib/identity/index';
import { publicManifestCid } from '../../lib/p2p/public-manifest';
import {
  ensureMembership, preparedProofFrom, recordsOf, resolveRecord, submitPreparedProof, syncedTrees, syncRecords, decodePreparedProof,
  encodePreparedProof, type RecordsOfReturnType, type PreparedProof,
} from '../../lib/records/index';
import type { TwingrainDb } from '../../lib/store/index';
import type { WalletConnection } from '../../lib/wallet';
import { deriveRegistrationSalt, registrationInput, type Prover, type ProveResult } from '../../lib/zk/index';
import { ShareInputError, ShareSetupError } from './errors';

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
    throw new ShareSetupError('This deployment has no GranuleRegistry or Consortium: sharing is unavailable. Restart the stack (npm start) so it deploys them, then reload.');
  }
  return { registry, consortium };
}

function mirrorParameters(ctx: Pick<ShareContext, 'config' | 'wallet' | 'db'>) {
  return { db: ctx.db, publicClient: ctx.wallet.publicClient, registry: contractsOf(ctx.config).registry, fromBlock: ctx.config.chain.deployBlock };
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
    throw new ShareSetupError(`The wallet is on chain ${ctx.wallet.chain.id}, but this community's records are on chain ${ctx.config.chain.chainId}. Switch the wallet's network on the Settings page.`);
  }
  const trees = await syncedTrees(mirrorParameters(ctx));
  const read = ctx.wallet.publicClient;
  const [pk, custodians, threshold] = await Promise.all([
    read.readContract({ address: consortium, abi: consortiumAbi, functionName: 'pkOf', args: [ctx.wallet.address] }),
    read.readContract({ address: consortium, abi: consortiumAbi, functionName: 'custodians' }),
    read.readContract({ address: consortium, abi: consortiumAbi, functionName: 'threshold' }),
  ]);
  return {
    chainId: trees.chainId, registry, consortium, blockNumber: trees.blockNumber,
    registrationLeaves: trees.registration.size, authorizationLeaves: trees.authorization.size,
    registrationRoot: trees.registration.root, authorizationRoot: trees.authorization.root,
    reset: trees.reset, member: pk === ctx.identity.publicKey, custodians: custodians.length, threshold: Number(threshold),
  };
}

async function prepare(ctx: ShareContext, onStage: (stage: ActionStage) => void): Promise<void> {
  onStage('checking');
  await ensureMembership({ publicClient: ctx.wallet.publicClient, walletClient: ctx.wallet.walletClient, consortium: contractsOf(ctx.config).consortium, publicKey: ctx.identity.publicKey });
  // Proving against a mirror the chain would not recognise wastes the proof: sync and compare roots first.
  await syncedTrees(mirrorParameters(ctx));
}

/** A prover that keeps the last proof it made, so the page can export it as a prepared proof. */
function capturing(prover: Prover, keep: (result: ProveResult) => void): Prover {
  return { ...prover, prove: async (input, onStage) => {
    const result = await prover.prove(input, onStage);
    keep(result);
    return result;
  } };
}

export interface ShareGranule {
  alpha: bigint;
  manifest: GranuleManifest;
}

/** The pointer recorded on chain: the CID (raw, SHA-256) of the granule's canonical manifest. */
export function manifestCidOf(manifest: GranuleManifest): Uint8Array {
  return publicManifestCid(new TextEncoder().encode(canonicalJson(manifest) + '\n')).bytes;
}

const toHex = (bytes: Uint8Array): `0x${string}` => `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;

export interface ActionOutcome {
  recordAddress: string;
  txHash: `0x${string}`;
  leafIndex: number;
  prepared: string;
  timings: { witnessMs: number; proofMs: number };
}

export async function register(ctx: ShareContext, granule: ShareGranule, onStage: (stage: ActionStage) => void): Promise<ActionOutcome> {
  await prepare(ctx, onStage);
  const manifestCid = manifestCidOf(granule.manifest);
  let proved: ProveResult | undefined;
  const result = await registerGranule({
    publicClient: ctx.wallet.publicClient, walletClient: ctx.wallet.walletClient, registry: contractsOf(ctx.config).registry,
    prover: capturing(ctx.prover, (r) => (proved = r)), secret: ctx.identity.secret, alpha: granule.alpha, manifestCid, onStage,
  });
  await syncRecords(mirrorParameters(ctx));
  return {
    recordAddress: result.recordAddress, txHash: result.txHash, leafIndex: result.leafIndex, timings: result.timings,
    prepared: encodePreparedProof(preparedProofFrom({ result: proved!, registry: contractsOf(ctx.config).registry, extra: toHex(manifestCid) })),
  };
}

/**
 * Makes the registration proof without sending it (to send later, from this same account: the proof is bound to
 * it). Returns the prepared proof text.
 */
export async function prepareRegistration(ctx: ShareContext, granule: ShareGranule, onStage: (stage: ActionStage) => void): Promise<string> {
  await prepare(ctx, onStage);
  const { registry } = contractsOf(ctx.config);
  if ((await ownerOfAlpha(ctx, granule.alpha)) !== 0n) throw new ContractRevertError(describeContractError('AlreadyRegistered', [granule.alpha]), 'AlreadyRegistered', [granule.alpha]);
  const input = registrationInput({
    secret: ctx.identity.secret, alpha: granule.alpha, salt: deriveRegistrationSalt(ctx.identity.secret, granule.alpha),
    sender: ctx.wallet.address, chainId: ctx.config.chain.chainId,
  });
  const result = await ctx.prover.prove(input, onStage);
  return encodePreparedProof(preparedProofFrom({ result, registry, extra: toHex(manifestCidOf(granule.manifest)) }));
}

/** Pk as 0x-hex (as the Settings page shows it) or decimal. */
export function parsePublicKey(text: string): bigint {
  const t = text.trim();
  let value: bigint;
  try {
    if (!/^(0x[0-9a-fA-F]{1,64}|[0-9]{1,78})$/.test(t)) throw new Error();
    value = BigInt(t);
  } catch {
    throw new ShareInputError('That is not a twingrain public key: paste the 0x… key the user sees under Settings → Identity.');
  }
  if (value === 0n || value >= BN254_FIELD_ORDER) throw new ShareInputError('That public key is zero or outside the BN254 field: it cannot belong to a twingrain identity.');
  return value;
}

/** α as 0x-hex, as the Share page and the CLI print it. */
export function parseAlphaText(text: string): bigint {
  try {
    return parseAlpha(text.trim());
  } catch {
    throw new ShareInputError('That is not a granule α: choose one of your registrations, or paste the 0x… α shown when it was registered.');
  }
}

export async function authorize(ctx: ShareContext, alphaText: string, userPkText: string, onStage: (stage: ActionStage) => void): Promise<ActionOutcome> {
  const alpha = parseAlphaText(alphaText);
  const userPk = parsePublicKey(userPkText);
  if (userPk === ctx.identity.publicKey) throw new ShareInputError('You cannot authorize yourself: you own this granule already. Paste the public key of the user.');
  await prepare(ctx, onStage);
  let proved: ProveResult | undefined;
  const result = await authorizeGranule({
    publicClient: ctx.wallet.publicClient, walletClient: ctx.wallet.walletClient, registry: contractsOf(ctx.config).registry,
    prover: capturing(ctx.prover, (r) => (proved = r)), secret: ctx.identity.secret, alpha, userPk,
    fromBlock: BigInt(ctx.config.chain.deployBlock), onStage,
  });
  await syncRecords(mirrorParameters(ctx));
  return {
    recordAddress: result.recordAddress, txHash: result.txHash, leafIndex: result.leafIndex, timings: result.timings,
    prepared: encodePreparedProof(preparedProofFrom({ result: proved!, registry: contractsOf(ctx.config).registry })),
  };
}

export async function instantiate(ctx: ShareContext, recordText: string, onStage: (stage: ActionStage) => void): Promise<ActionOutcome> {
  const record = parseRecordAddress(recordText);
  if (record.chainId !== ctx.config.chain.chainId) throw new ShareInputError(`This record is on chain ${record.chainId}; this app works with chain ${ctx.config.chain.chainId}. Ask for a record from this community.`);
  await prepare(ctx, onStage);
  // Resolving through the mirror confirms the record exists before any proving time is spent.
  await resolveRecord(ctx.db, record);
  let proved: ProveResult | undefined;
  const result = await instantiateGranule({
    publicClient: ctx.wallet.publicClient, walletClient: ctx.wallet.walletClient, prover: capturing(ctx.prover, (r) => (proved = r)),
    secret: ctx.identity.secret, record, x25519PublicKey: ctx.identity.x25519.publicKey, fromBlock: BigInt(ctx.config.chain.deployBlock), onStage,
  });
  await syncRecords(mirrorParameters(ctx));
  return {
    recordAddress: formatRecordAddress(result.record), txHash: result.txHash, leafIndex: result.record.leafIndex, timings: result.timings,
    prepared: encodePreparedProof(preparedProofFrom({ result: proved!, registry: record.contract, extra: toHex(ctx.identity.x25519.publicKey) })),
  };
}

/** Sends a prepared proof from this wallet; the chain decides, and a refusal comes back as its sentence. */
export async function submitPrepared(ctx: Pick<ShareContext, 'config' | 'wallet' | 'db' | 'identity'>, text: string, onStage: (stage: ActionStage) => void): Promise<`0x${string}`> {
  const prepared: PreparedProof = decodePreparedProof(text);
  onStage('checking');
  await ensureMembership({ publicClient: ctx.wallet.publicClient, walletClient: ctx.wallet.walletClient, consortium: contractsOf(ctx.config).consortium, publicKey: ctx.identity.publicKey });
  onStage('transaction');
  const { hash } = await submitPreparedProof({ publicClient: ctx.wallet.publicClient, walletClient: ctx.wallet.walletClient, prepared, onSent: () => onStage('inclusion') });
  await syncRecords(mirrorParameters(ctx));
  return hash;
}

export async function myRecords(ctx: Pick<ShareContext, 'config' | 'wallet' | 'db' | 'identity'>): Promise<RecordsOfReturnType> {
  return recordsOf(ctx.db, ctx.config.chain.chainId, contractsOf(ctx.config).registry, ctx.identity.publicKey);
}

/** Whether α is registered on chain (and by whom), for the register form's hint. */
export async function ownerOfAlpha(ctx: Pick<ShareContext, 'config' | 'wallet'>, alpha: bigint): Promise<bigint> {
  return ctx.wallet.publicClient.readContract({ address: contractsOf(ctx.config).registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [alpha] });
}
