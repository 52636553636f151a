// Licences: the terms an owner attaches to an authorization (expiry, price in community credit) and the state the
// registry keeps for them (revoked, instantiated, lapsed with a transfer). Terms are written once, with the
// authorization (GranuleRegistry.authorize), and read back here from the chain, never from what someone hands over.
import { formatUnits, parseEventLogs, parseUnits, type Address, type Hash, type PublicClient } from 'viem';
import { granuleRegistryAbi } from './abi.generated';
import { RecordAddressError } from './errors';
import { parseRecordAddress, type RecordAddress } from './record';
import { namedError } from '../errors/index';

/** Community credit has 18 decimals, like the incentive terms (contracts/incentive/CommunityCredit.sol). */
export const CREDIT_DECIMALS = 18;
/** The registry stores a price in 96 bits of base units. */
export const MAX_PRICE = (1n << 96n) - 1n;

export type LicenceState = 'active' | 'expired' | 'revoked' | 'instantiated';

export interface LicenceTerms {
  /** Unix seconds after which it cannot be instantiated; null: never expires. */
  expiresAt: bigint | null;
  /** Community credit base units (1e18 per credit) the user pays the owner at instantiation. */
  price: bigint;
}

export interface Licence extends LicenceTerms {
  alpha: bigint;
  ownerPk: bigint;
  userPk: bigint;
  /** R_α.U: the authorization record this licence belongs to. */
  commitment: bigint;
  state: LicenceState;
  /** One sentence on the state, for people. */
  reason: string;
  /** Unix seconds; null when not revoked. */
  revokedAt: bigint | null;
  /** Unix seconds; null when not instantiated. */
  instantiatedAt: bigint | null;
  /** Whether it can be instantiated (or a key share released for it) now. */
  inForce: boolean;
  /** Transaction of the authorization that granted it. */
  txHash: Hash;
  registry: Address;
}

export class LicenceTermsError extends namedError('LicenceTermsError', Error) {}

/** "2.5" credits → base units; refuses negative, malformed and too-large prices. */
export function parseCredits(text: string): bigint {
  const trimmed = text.trim();
  if (!/^\d+(\.\d{1,18})?$/.test(trimmed))
    throw new LicenceTermsError(`"${text}" is not a price in credits: write a number such as 2 or 0.5 (at most 18 decimals).`);
  const value = parseUnits(trimmed, CREDIT_DECIMALS);
  if (value > MAX_PRICE)
    throw new LicenceTermsError(`A price of ${trimmed} credits is more than a licence can carry (at most ${formatUnits(MAX_PRICE, CREDIT_DECIMALS)}).`);
  return value;
}

export function formatCredits(value: bigint): string {
  return formatUnits(value, CREDIT_DECIMALS);
}

/** An ISO time → unix seconds; refuses unreadable times. Whether it is in the future is the chain's to check. */
export function parseExpiry(text: string): bigint {
  const ms = Date.parse(text);
  if (!Number.isFinite(ms)) throw new LicenceTermsError(`"${text}" is not a time: write it as ISO 8601, for example 2027-01-31T12:00:00Z.`);
  return BigInt(Math.floor(ms / 1000));
}

export function formatExpiry(expiresAt: bigint | null): string | null {
  return expiresAt === null ? null : new Date(Number(expiresAt) * 1000).toISOString();
}

interface RawLicence {
  commitment: bigint;
  expiresAt: bigint;
  price: bigint;
  revokedAt: bigint;
  instantiatedAt: bigint;
  fromCurrentOwner: boolean;
  inForce: boolean;
}

export interface ReadLicenceParameters {
  publicClient: PublicClient;
  registry: Address;
  alpha: bigint;
  userPk: bigint;
  /** Read the state at this block (custodians read at head − confirmations); latest by default. */
  blockNumber?: bigint;
}

/** The registry's raw answer for (α, Pk_U): zeros when no licence was ever granted. */
export async function readLicenceState(p: ReadLicenceParameters): Promise<RawLicence> {
  return (await p.publicClient.readContract({
    address: p.registry,
    abi: granuleRegistryAbi,
    functionName: 'licenceOf',
    args: [p.alpha, p.userPk],
    ...(p.blockNumber !== undefined ? { blockNumber: p.blockNumber } : {}),
  })) as RawLicence;
}

/** The state and its sentence, from the chain's answer about the licence currently held and the record's own terms. */
export function licenceStateOf(
  raw: RawLicence,
  commitment: bigint,
  terms: LicenceTerms,
  now: bigint,
): { state: LicenceState; reason: string; inForce: boolean } {
  if (raw.commitment !== commitment) {
    return { state: 'revoked', reason: 'A newer licence replaced this one.', inForce: false };
  }
  if (raw.revokedAt !== 0n) return { state: 'revoked', reason: 'The owner revoked this licence.', inForce: false };
  if (!raw.fromCurrentOwner) return { state: 'revoked', reason: 'The granule changed owner; licences from the former owner ended.', inForce: false };
  if (raw.instantiatedAt !== 0n) return { state: 'instantiated', reason: 'The user already got this granule.', inForce: raw.inForce };
  if (terms.expiresAt !== null && now >= terms.expiresAt) return { state: 'expired', reason: 'The licence expired before it was used.', inForce: false };
  return { state: 'active', reason: 'The user can get this granule.', inForce: true };
}

export interface ReadLicenceOfRecordParameters {
  publicClient: PublicClient;
  /** The authorization record address the owner handed over. */
  record: RecordAddress | string;
}

/** The licence behind an authorization record: its terms (from the authorizing transaction) and its state now. */
export async function readLicenceOfRecord(p: ReadLicenceOfRecordParameters): Promise<Licence> {
  const record = typeof p.record === 'string' ? parseRecordAddress(p.record) : p.record;
  if (record.kind !== 'authorization') throw new RecordAddressError(`This is a ${record.kind} record; a licence belongs to an authorization record.`);
  let receipt;
  try {
    receipt = await p.publicClient.getTransactionReceipt({ hash: record.txHash });
  } catch {
    throw new RecordAddressError('The transaction of this record is not on this chain: check the record and the chain you are connected to.');
  }
  const ours = receipt.logs.filter((log) => log.address.toLowerCase() === record.contract.toLowerCase());
  const authorized = parseEventLogs({ abi: granuleRegistryAbi, logs: ours, eventName: 'Authorized' }).find(
    (log) => Number(log.args.leafIndex) === record.leafIndex,
  );
  if (!authorized) throw new RecordAddressError('No authorization was recorded at this address: the record is wrong or was edited.');
  const { alpha, ownerPk, userPk, commitment } = authorized.args;
  const granted = parseEventLogs({ abi: granuleRegistryAbi, logs: ours, eventName: 'LicenceGranted' }).find((log) => log.args.commitment === commitment);
  if (!granted) throw new RecordAddressError('This authorization carries no licence terms: it was made by an older registry.');
  const terms: LicenceTerms = { expiresAt: granted.args.expiresAt === 0n ? null : granted.args.expiresAt, price: granted.args.price };
  const [raw, block] = await Promise.all([
    readLicenceState({ publicClient: p.publicClient, registry: record.contract, alpha, userPk }),
    p.publicClient.getBlock({ blockTag: 'latest' }),
  ]);
  const state = licenceStateOf(raw, commitment, terms, block.timestamp);
  const current = raw.commitment === commitment;
  return {
    alpha,
    ownerPk,
    userPk,
    commitment,
    ...terms,
    ...state,
    revokedAt: current && raw.revokedAt !== 0n ? raw.revokedAt : null,
    instantiatedAt: current && raw.instantiatedAt !== 0n ? raw.instantiatedAt : null,
    txHash: record.txHash,
    registry: record.contract,
  };
}
