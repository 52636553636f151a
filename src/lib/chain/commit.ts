// Registration, step 1 of 2: commit to (α, Pk_S, account, salt) without revealing α. The reveal (registerGranule)
// is accepted only from the same account, at least one block later and within a day, so whoever learns α from the
// reveal in the mempool is too late to commit for it (issue 12: registration could be front-run).
import { encodeAbiParameters, keccak256, parseEventLogs, type Address, type Hash, type Hex, type PublicClient, type WalletClient } from 'viem';
import { poseidonHash } from '../identity/index';
import { granuleRegistryAbi } from './abi.generated';
import { ContractRevertError } from './errors';
import { accountOf, sendRegistryTransaction } from './send';

export interface RegistrationCommitmentParameters {
  alpha: bigint;
  ownerPk: bigint;
  /** The account that will send the reveal (and sends the commitment). */
  account: Address;
  /** 32 random bytes, kept by the owner until the reveal. */
  salt: Hex;
}

/** c = keccak256(abi.encode(uint256 α, uint256 Pk_S, address account, bytes32 salt)), as GranuleRegistry computes it. */
export function registrationCommitment(p: RegistrationCommitmentParameters): Hex {
  return keccak256(
    encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }], [p.alpha, p.ownerPk, p.account, p.salt]),
  );
}

/** 32 fresh random bytes for a registration commitment. */
export function randomCommitmentSalt(): Hex {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export interface CommitRegistrationParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  /** Sk_S of the owner (Pk_S = H(Sk_S) goes into the commitment). */
  secret: bigint;
  alpha: bigint;
  /** By default 32 fresh random bytes; keep the returned one for registerGranule. */
  salt?: Hex;
  onSent?: (hash: Hash) => void;
}

export interface CommitRegistrationReturnType {
  commitment: Hex;
  /** Pass to registerGranule: the reveal needs it. */
  salt: Hex;
  txHash: Hash;
  /** The reveal is accepted from the next block on. */
  blockNumber: bigint;
}

export async function commitRegistration(p: CommitRegistrationParameters): Promise<CommitRegistrationReturnType> {
  const account = accountOf(p.walletClient);
  const salt = p.salt ?? randomCommitmentSalt();
  if (!/^0x[0-9a-fA-F]{64}$/.test(salt)) throw new ContractRevertError('The commitment salt must be 32 bytes (0x followed by 64 hex digits).', 'InvalidSalt');
  const commitment = registrationCommitment({ alpha: p.alpha, ownerPk: poseidonHash([p.secret]), account: account.address, salt });
  const { hash, receipt } = await sendRegistryTransaction({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry: p.registry,
    functionName: 'commitRegistration',
    args: [commitment],
    ...(p.onSent ? { onSent: p.onSent } : {}),
  });
  const [event] = parseEventLogs({ abi: granuleRegistryAbi, logs: receipt.logs, eventName: 'RegistrationCommitted' });
  if (!event) throw new ContractRevertError('The commitment was included but emitted no record: the registry address may be wrong.', 'MissingEvent');
  return { commitment, salt, txHash: hash, blockNumber: receipt.blockNumber };
}
