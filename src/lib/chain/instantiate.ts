// Mechanisms 5 + 6: the user proves an authorization was made out to its key and asks for the granule. The
// Instantiated event is what custodians watch to deliver the granule key, sealed to `x25519PublicKey`.
import { erc20Abi, parseEventLogs, type Address, type Hash, type PublicClient, type WalletClient } from 'viem';
import { poseidonHash } from '../identity/index';
import { authorizationCommitment, instantiationInput, type Prover } from '../zk/index';
import { granuleRegistryAbi } from './abi.generated';
import { ContractRevertError, RecordAddressError } from './errors';
import { parseRecordAddress, type RecordAddress } from './record';
import type { ActionStage } from './register';
import { describeContractError, rethrowAsRevert } from './revert';
import { formatCredits, readLicenceState } from './licence';
import { accountOf, bindingOf, chainIdOf, proveAndSend, sendingParts } from './send';
import { loadAuthorizationTree, type TreeSources, type TreeSyncError } from './trees';
import { namedError } from '../errors/index';

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
  /**
   * The most community credit (base units) the user agreed to pay for this licence; 0 by default. A licence with a
   * higher price is refused before anything is sent; otherwise the registry is approved for the price and takes it
   * in the instantiation transaction (both happen, or neither).
   */
  maxPrice?: bigint;
  fromBlock?: bigint;
  /** Where the node keeps its trees and where it may get a community snapshot (see syncTrees). */
  trees?: TreeSources;
  onStage?: (stage: ActionStage) => void;
}

export interface InstantiateGranuleReturnType {
  alpha: bigint;
  ownerPk: bigint;
  userPk: bigint;
  txHash: Hash;
  blockNumber: bigint;
  record: RecordAddress;
  /** Credit base units paid to the owner (0: free licence). */
  paid: bigint;
  timings: { witnessMs: number; proofMs: number };
}

export type InstantiateGranuleErrorType = ContractRevertError | RecordAddressError | TreeSyncError | LicencePriceError;

const revert = (name: string, ...args: unknown[]): ContractRevertError => new ContractRevertError(describeContractError(name, args), name, args);

export async function instantiateGranule(p: InstantiateGranuleParameters): Promise<InstantiateGranuleReturnType> {
  const account = accountOf(p.walletClient);
  const record = typeof p.record === 'string' ? parseRecordAddress(p.record) : p.record;
  if (record.kind !== 'authorization')
    throw new RecordAddressError(`This is a ${record.kind} record; instantiation needs the authorization record the owner gave you.`);
  if (record.authSalt === undefined)
    throw new RecordAddressError('This authorization record lacks its salt (?salt=…): ask the owner for the complete record line.');
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
  if (userPk !== myPk)
    throw new RecordAddressError('This authorization was made out to another identity: unlock the identity whose public key the owner authorized.');
  if (authorizationCommitment(alpha, ownerPk, userPk, record.authSalt) !== commitment) {
    throw new RecordAddressError('The salt in this record does not match the authorization on chain: ask the owner for the record again.');
  }
  const [done, synced, licence, block] = await Promise.all([
    p.publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'instantiationOf', args: [alpha, userPk] }),
    loadAuthorizationTree({ publicClient: p.publicClient, registry, ...(p.fromBlock !== undefined ? { fromBlock: p.fromBlock } : {}), ...p.trees }),
    readLicenceState({ publicClient: p.publicClient, registry, alpha, userPk }),
    p.publicClient.getBlock({ blockTag: 'latest' }),
  ]);
  if (done[0] !== 0n) throw revert('AlreadyInstantiated', alpha, userPk);
  // The licence's terms, checked before proving so a refused instantiation costs no proving time (the registry
  // checks the same again).
  if (licence.commitment === 0n) throw revert('NotLicensed', alpha, userPk);
  if (licence.commitment !== commitment) throw new RecordAddressError('A newer licence replaced the one in this record: ask the owner for the current record.');
  if (licence.revokedAt !== 0n) throw revert('RevokedLicence', alpha, userPk, licence.revokedAt);
  if (!licence.fromCurrentOwner) throw revert('LicenceFromFormerOwner', alpha, userPk);
  if (licence.expiresAt !== 0n && block.timestamp + 1n >= licence.expiresAt) throw revert('LicenceExpired', alpha, userPk, licence.expiresAt);
  const price = licence.price;
  if (price > (p.maxPrice ?? 0n)) {
    throw new LicencePriceError(
      price,
      `This licence costs ${formatCredits(price)} credits, more than you agreed to pay (${formatCredits(p.maxPrice ?? 0n)}): accept the price to get the granule.`,
    );
  }
  if (price > 0n) await approvePayment(p.publicClient, p.walletClient, registry, price);
  const input = instantiationInput({
    secret: p.secret,
    alpha,
    ownerPk,
    authSalt: record.authSalt,
    proof: synced.tree.proof(record.leafIndex),
    root: synced.tree.root,
    ...bindingOf(account, chainId, registry),
  });
  const x25519 = `0x${Array.from(p.x25519PublicKey, (b) => b.toString(16).padStart(2, '0')).join('')}` as const;
  const {
    hash,
    receipt: included,
    timings,
  } = await proveAndSend({
    ...sendingParts({ ...p, registry }),
    input,
    functionName: 'instantiate',
    args: [alpha, userPk, synced.tree.root, x25519],
  });
  const [instantiated] = parseEventLogs({ abi: granuleRegistryAbi, logs: included.logs, eventName: 'Instantiated' });
  const out: RecordAddress = { kind: 'instantiation', chainId, contract: registry, leafIndex: instantiated?.logIndex ?? 0, txHash: hash };
  return { alpha, ownerPk, userPk, txHash: hash, blockNumber: included.blockNumber, record: out, paid: price, timings: timings };
}

/** The user's licence costs more than it agreed to pay: nothing was sent. */
export class LicencePriceError extends namedError('LicencePriceError', Error) {
  constructor(
    readonly price: bigint,
    message: string,
  ) {
    super(message);
  }
}

/** Lets the registry take exactly `price` credits in the instantiation (an ERC-20 allowance), when not already allowed. */
async function approvePayment(publicClient: PublicClient, walletClient: WalletClient, registry: Address, price: bigint): Promise<void> {
  const account = accountOf(walletClient);
  const credit = await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'credit' });
  const [balance, allowance] = await Promise.all([
    publicClient.readContract({ address: credit, abi: erc20Abi, functionName: 'balanceOf', args: [account.address] }),
    publicClient.readContract({ address: credit, abi: erc20Abi, functionName: 'allowance', args: [account.address, registry] }),
  ]);
  if (balance < price) throw revert('InsufficientCredit', price, balance);
  if (allowance >= price) return;
  try {
    const hash = await walletClient.writeContract({
      address: credit,
      abi: erc20Abi,
      functionName: 'approve',
      args: [registry, price],
      account,
      chain: walletClient.chain ?? null,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new ContractRevertError(`Approving the payment failed in transaction ${hash}: nothing was paid.`, 'ApproveFailed');
  } catch (error) {
    rethrowAsRevert(error);
  }
}
