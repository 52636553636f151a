// Mechanisms 5 + 6: the user proves an authorization was made out to its key and asks for the granule. The
// Instantiated event is what custodians watch to deliver the granule key, sealed to `x25519PublicKey`.
import { parseEventLogs, type Hash, type PublicClient, type WalletClient } from 'viem';
import { poseidonHash } from '../identity/index';
import { authorizationCommitment, instantiationInput, toSolidityProof, type Prover } from '../zk/index';
import { granuleRegistryAbi } from './abi.generated';
import { ContractRevertError, RecordAddressError } from './errors';
import { parseRecordAddress, type RecordAddress } from './record';
import type { ActionStage } from './register';
import { describeContractError } from './revert';
import { accountOf, chainIdOf, sendRegistryTransaction } from './send';
import { loadAuthorizationTree, type TreeSyncError } from './trees';

export interface InstantiateGranuleParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  prover: Prover;
  /** Sk_U of the user. */
  secret: bigint;
  /** The authorization record address the owner handed over (string or parsed). */
  record: RecordAddress | string;
  /** Where custodians seal the granule key (the user's X25519 public key, 32 bytes). */
  x25519PublicKey: Uint8Array;
  fromBlock?: bigint;
  onStage?: (stage: ActionStage) => void;
}

export interface InstantiateGranuleReturnType {
  alpha: bigint;
  ownerPk: bigint;
  userPk: bigint;
  txHash: Hash;
  blockNumber: bigint;
  record: RecordAddress;
  timings: { witnessMs: number; proofMs: number };
}

export type InstantiateGranuleErrorType = ContractRevertError | RecordAddressError | TreeSyncError;

const revert = (name: string, ...args: unknown[]): ContractRevertError => new ContractRevertError(describeContractError(name, args), name, args);

export async function instantiateGranule(p: InstantiateGranuleParameters): Promise<InstantiateGranuleReturnType> {
  const account = accountOf(p.walletClient);
  const record = typeof p.record === 'string' ? parseRecordAddress(p.record) : p.record;
  if (record.kind !== 'authorization') throw new RecordAddressError(`This is a ${record.kind} record; instantiation needs the authorization record the owner gave you.`);
  if (record.authSalt === undefined) throw new RecordAddressError('This authorization record lacks its salt (?salt=…): ask the owner for the complete record line.');
  if (p.x25519PublicKey.length !== 32) throw new RecordAddressError('The X25519 public key must be 32 bytes.');
  p.onStage?.('checking');
  const chainId = await chainIdOf(p.publicClient, p.walletClient);
  if (chainId !== record.chainId) throw new RecordAddressError(`This record is on chain ${record.chainId}, but you are connected to chain ${chainId}.`);
  const registry = record.contract;
  let receipt;
  try {
    receipt = await p.publicClient.getTransactionReceipt({ hash: record.txHash });
  } catch {
    throw new RecordAddressError('The transaction of this record is not on this chain: check the record and the chain you are connected to.');
  }
  const event = parseEventLogs({ abi: granuleRegistryAbi, logs: receipt.logs, eventName: 'Authorized' }).find(
    (log) => log.address.toLowerCase() === registry.toLowerCase() && Number(log.args.leafIndex) === record.leafIndex,
  );
  if (!event) throw new RecordAddressError('No authorization was recorded at this address: the record is wrong or was edited.');
  const { alpha, ownerPk, userPk, commitment } = event.args;
  const myPk = poseidonHash([p.secret]);
  if (userPk !== myPk) throw new RecordAddressError('This authorization was made out to another identity: unlock the identity whose public key the owner authorized.');
  if (authorizationCommitment(alpha, ownerPk, userPk, record.authSalt) !== commitment) {
    throw new RecordAddressError('The salt in this record does not match the authorization on chain: ask the owner for the record again.');
  }
  const [done, synced] = await Promise.all([
    p.publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'instantiationOf', args: [alpha, userPk] }),
    loadAuthorizationTree({ publicClient: p.publicClient, registry, ...(p.fromBlock !== undefined ? { fromBlock: p.fromBlock } : {}) }),
  ]);
  if (done[0] !== 0n) throw revert('AlreadyInstantiated', alpha, userPk);
  const input = instantiationInput({
    secret: p.secret, alpha, ownerPk, authSalt: record.authSalt,
    proof: synced.tree.proof(record.leafIndex), root: synced.tree.root, sender: account.address, chainId, registry,
  });
  const proved = await p.prover.prove(input, p.onStage);
  p.onStage?.('transaction');
  const x25519 = `0x${Array.from(p.x25519PublicKey, (b) => b.toString(16).padStart(2, '0')).join('')}` as const;
  const { hash, receipt: included } = await sendRegistryTransaction({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry,
    functionName: 'instantiate',
    args: [toSolidityProof(proved.proof), alpha, userPk, synced.tree.root, x25519],
    onSent: () => p.onStage?.('inclusion'),
  });
  const [instantiated] = parseEventLogs({ abi: granuleRegistryAbi, logs: included.logs, eventName: 'Instantiated' });
  const out: RecordAddress = { kind: 'instantiation', chainId, contract: registry, leafIndex: instantiated?.logIndex ?? 0, txHash: hash };
  return { alpha, ownerPk, userPk, txHash: hash, blockNumber: included.blockNumber, record: out, timings: proved.timings };
}
