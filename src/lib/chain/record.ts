// The paper's Addr becomes a record address: chain id, contract, leaf index and transaction hash, written as one
// copyable line. An authorization handed to a user also carries σ', the salt the user needs to prove it.
import type { Address, Hash } from 'viem';
import { RecordAddressError } from './errors';

export type RecordKind = 'registration' | 'authorization' | 'instantiation';

export interface RecordAddress {
  kind: RecordKind;
  chainId: number;
  contract: Address;
  /** Leaf index in the registration or authorization tree (instantiations: the log index in the transaction). */
  leafIndex: number;
  txHash: Hash;
  /** Authorizations only: σ', which the owner hands to the user with the record. */
  authSalt?: bigint;
}

const PREFIX = 'twingrain:';

/** e.g. `twingrain:authorization/31337/0xContract/4/0xTxHash?salt=0x…` */
export function formatRecordAddress(record: RecordAddress): string {
  const base = `${PREFIX}${record.kind}/${record.chainId}/${record.contract}/${record.leafIndex}/${record.txHash}`;
  return record.authSalt === undefined ? base : `${base}?salt=0x${record.authSalt.toString(16)}`;
}

export function parseRecordAddress(text: string): RecordAddress {
  const trimmed = text.trim();
  const match =
    /^twingrain:(registration|authorization|instantiation)\/(\d+)\/(0x[0-9a-fA-F]{40})\/(\d+)\/(0x[0-9a-fA-F]{64})(?:\?salt=(0x[0-9a-fA-F]{1,64}))?$/.exec(
      trimmed,
    );
  if (!match) {
    throw new RecordAddressError(
      'This is not a twingrain record address (expected twingrain:<kind>/<chain id>/<contract>/<leaf index>/<transaction hash>). Copy the whole line you were given.',
    );
  }
  const [, kind, chainId, contract, leafIndex, txHash, salt] = match;
  const record: RecordAddress = {
    kind: kind as RecordKind,
    chainId: Number(chainId),
    contract: contract as Address,
    leafIndex: Number(leafIndex),
    txHash: txHash as Hash,
  };
  if (salt) record.authSalt = BigInt(salt);
  return record;
}
