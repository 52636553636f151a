// Mechanisms 1 + 2: prove ownership of a granule's α and record it on chain. Registration is commit–reveal
// (commit.ts): this is the reveal, accepted only with the caller's own commitment mined in an earlier block.
import { parseEventLogs, type Hash, type Hex } from 'viem';
import { poseidonHash } from '../identity/index';
import { deriveRegistrationSalt, registrationInput } from '../zk/index';
import { granuleRegistryAbi } from './abi.generated';
import { commitRegistration, registrationCommitment } from './commit';
import { ContractRevertError } from './errors';
import { formatRecordAddress, type RecordAddress } from './record';
import { describeContractError } from './revert';
import { accountOf, bindingOf, chainIdOf, proveAndSend, sendingParts, type GranuleActionParameters } from './send';
import { bytesToHex } from 'viem';

export type { ActionStage } from './send';

export interface RegisterGranuleParameters extends GranuleActionParameters {
  /** Binary CID of the granule's public manifest on IPFS. */
  manifestCid: Uint8Array;
  /**
   * The salt of the registration commitment already mined (commitRegistration's `salt`). Without it this call
   * commits first and reveals in a later block: commit–reveal still holds on chain, but the caller must then not
   * have let anything carrying α (the public manifest) out before — use commitRegistration first for that.
   */
  salt?: Hex;
  /** σ of R_α = H(α, Pk_S, σ); by default derived from Sk and α so the owner never has to store it. */
  registrationSalt?: bigint;
}

export interface RegisterGranuleReturnType {
  alpha: bigint;
  ownerPk: bigint;
  commitment: bigint;
  leafIndex: number;
  root: bigint;
  txHash: Hash;
  blockNumber: bigint;
  /** The salt of the registration commitment that was revealed. */
  salt: Hex;
  /** The commitment transaction, when this call made it. */
  commitTxHash?: Hash;
  record: RecordAddress;
  recordAddress: string;
  timings: { witnessMs: number; proofMs: number };
}

export type RegisterGranuleErrorType = ContractRevertError;

function revert(name: string, ...args: unknown[]): ContractRevertError {
  return new ContractRevertError(describeContractError(name, args), name, args);
}

export async function registerGranule(p: RegisterGranuleParameters): Promise<RegisterGranuleReturnType> {
  const account = accountOf(p.walletClient);
  p.onStage?.('checking');
  const ownerPk = poseidonHash([p.secret]);
  const [chainId, owner] = await Promise.all([
    chainIdOf(p.publicClient, p.walletClient),
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [p.alpha] }),
  ]);
  // Checked before proving so a doomed registration costs no proving time.
  if (owner !== 0n) throw revert('AlreadyRegistered', p.alpha);
  let salt = p.salt;
  let commitTxHash: Hash | undefined;
  if (salt === undefined) {
    p.onStage?.('committing');
    const committed = await commitRegistration({
      publicClient: p.publicClient,
      walletClient: p.walletClient,
      registry: p.registry,
      secret: p.secret,
      alpha: p.alpha,
    });
    salt = committed.salt;
    commitTxHash = committed.txHash;
  } else {
    const [minedIn] = await p.publicClient.readContract({
      address: p.registry,
      abi: granuleRegistryAbi,
      functionName: 'commitmentOf',
      args: [account.address, registrationCommitment({ alpha: p.alpha, ownerPk, account: account.address, salt })],
    });
    if (minedIn === 0n) throw revert('NoCommitment');
  }
  const input = registrationInput({
    secret: p.secret,
    alpha: p.alpha,
    salt: p.registrationSalt ?? deriveRegistrationSalt(p.secret, p.alpha),
    ...bindingOf(account, chainId, p.registry),
  });
  const [, commitment] = input.publicSignals as [bigint, bigint];
  const { hash, receipt, timings } = await proveAndSend({
    ...sendingParts(p),
    input,
    functionName: 'register',
    args: [p.alpha, ownerPk, commitment, toHex(p.manifestCid), salt],
    simulatePending: true,
  });
  const [event] = parseEventLogs({ abi: granuleRegistryAbi, logs: receipt.logs, eventName: 'Registered' });
  if (!event) throw new ContractRevertError('The registration was included but emitted no record: the registry address may be wrong.', 'MissingEvent');
  const record: RecordAddress = { kind: 'registration', chainId, contract: p.registry, leafIndex: Number(event.args.leafIndex), txHash: hash };
  return {
    alpha: p.alpha,
    ownerPk,
    commitment,
    leafIndex: record.leafIndex,
    root: event.args.root,
    txHash: hash,
    blockNumber: receipt.blockNumber,
    salt,
    ...(commitTxHash ? { commitTxHash } : {}),
    record,
    recordAddress: formatRecordAddress(record),
    timings,
  };
}

const toHex = (bytes: Uint8Array): `0x${string}` => bytesToHex(bytes);
