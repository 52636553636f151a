// The owner's authorisation of a custody deposit: an EIP-712 signature by the wallet that the Consortium binds to the
// granule's owner key, over α and the manifest CID the registry records. A custodian recovers the signer and compares
// it with consortium.memberOf(ownerOf(α)); anyone else's deposit (or a deposit of another manifest) is refused.
import { recoverTypedDataAddress, type Address, type Hex, type WalletClient } from 'viem';
import { DepositRefusedError } from './errors';
import { bytesToHex } from 'viem';

const CUSTODY_DEPOSIT_DOMAIN_NAME = 'twingrain custody';
const CUSTODY_DEPOSIT_DOMAIN_VERSION = '1';

const CUSTODY_DEPOSIT_TYPES = {
  Deposit: [
    { name: 'alpha', type: 'uint256' },
    { name: 'manifestCid', type: 'bytes' },
  ],
} as const;

export interface CustodyDepositTypedDataParameters {
  chainId: number;
  /** The GranuleRegistry the registration is on. */
  registry: Address;
  /** α as a number or 0x + 64 hex. */
  alpha: bigint | string;
  /** The manifest CID as the registry stores it (binary CID). */
  manifestCid: Uint8Array | Hex;
}

const toHex = (bytes: Uint8Array): Hex => bytesToHex(bytes);

/** The typed data an owner signs (walletClient.signTypedData) and a custodian verifies. */
export function custodyDepositTypedData(p: CustodyDepositTypedDataParameters) {
  return {
    domain: { name: CUSTODY_DEPOSIT_DOMAIN_NAME, version: CUSTODY_DEPOSIT_DOMAIN_VERSION, chainId: p.chainId, verifyingContract: p.registry },
    types: CUSTODY_DEPOSIT_TYPES,
    primaryType: 'Deposit' as const,
    message: {
      alpha: typeof p.alpha === 'bigint' ? p.alpha : BigInt(p.alpha),
      manifestCid: typeof p.manifestCid === 'string' ? p.manifestCid : toHex(p.manifestCid),
    },
  };
}

/** Signs a deposit with the owner's wallet (the account enrolled with Pk_S). */
export async function signCustodyDeposit(walletClient: WalletClient, p: CustodyDepositTypedDataParameters): Promise<Hex> {
  const account = walletClient.account;
  if (!account)
    throw new DepositRefusedError(
      'bad-signature',
      'The wallet has no account to sign the custody deposit with: unlock the account enrolled in the Consortium.',
    );
  return walletClient.signTypedData({ account, ...custodyDepositTypedData(p) });
}

/** Who signed a deposit; a signature that is not one is refused with code bad-signature. */
export async function recoverCustodyDepositSigner(p: CustodyDepositTypedDataParameters & { signature: string }): Promise<Address> {
  if (!/^0x[0-9a-fA-F]{130}$/.test(p.signature)) {
    throw new DepositRefusedError(
      'bad-signature',
      'The deposit carries no valid signature: the owner signs each deposit with the wallet enrolled in the Consortium (EIP-712, "twingrain custody").',
    );
  }
  try {
    return await recoverTypedDataAddress({ ...custodyDepositTypedData(p), signature: p.signature as Hex });
  } catch {
    throw new DepositRefusedError('bad-signature', 'The deposit signature cannot be read: it was altered or was not made for a twingrain custody deposit.');
  }
}
