// The owner revokes a licence. From the block it lands in, the registry refuses to instantiate it and custodians
// (which read the registry at head − confirmations) release no key share for it. What the user already received
// stays with it: revocation cannot take back a key or a granule that was delivered.
import type { Hash, PublicClient, WalletClient } from 'viem';
import { poseidonHash } from '../identity/index';
import { granuleRegistryAbi } from './abi.generated';
import { ContractRevertError } from './errors';
import { readLicenceOfRecord } from './licence';
import type { RecordAddress } from './record';
import { describeContractError } from './revert';
import { sendRegistryTransaction } from './send';

export interface RevokeLicenceParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  /** Sk of the owner (to check, before sending, that this identity owns the granule). */
  secret: bigint;
  /** The authorization record of the licence. */
  record: RecordAddress | string;
}

export interface RevokeLicenceReturnType {
  alpha: bigint;
  userPk: bigint;
  txHash: Hash;
  blockNumber: bigint;
  /** Unix seconds of the revoking block. */
  revokedAt: bigint;
}

const revert = (name: string, ...args: unknown[]): ContractRevertError => new ContractRevertError(describeContractError(name, args), name, args);

export async function revokeLicence(p: RevokeLicenceParameters): Promise<RevokeLicenceReturnType> {
  const licence = await readLicenceOfRecord({ publicClient: p.publicClient, record: p.record });
  const myPk = poseidonHash([p.secret]);
  const owner = await p.publicClient.readContract({ address: licence.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [licence.alpha] });
  if (owner !== myPk) throw revert('NotGranuleOwner', licence.alpha, myPk);
  if (licence.revokedAt !== null) throw revert('AlreadyRevoked', licence.alpha, licence.userPk);
  if (licence.state === 'revoked') throw revert('NotLicensed', licence.alpha, licence.userPk);
  const { hash, receipt } = await sendRegistryTransaction({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry: licence.registry,
    functionName: 'revoke',
    args: [licence.alpha, licence.userPk],
  });
  const block = await p.publicClient.getBlock({ blockNumber: receipt.blockNumber });
  return { alpha: licence.alpha, userPk: licence.userPk, txHash: hash, blockNumber: receipt.blockNumber, revokedAt: block.timestamp };
}
