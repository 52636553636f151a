// The shape of mirrored records in the app database's `records` table. Field elements are stored as 0x-prefixed,
// 64-digit hex strings: IndexedDB cannot index bigints, and one fixed width keeps equality lookups exact.
import type { RecordRow } from '../store/index';

export type TreeName = 'registration' | 'authorization';
export type Hex = `0x${string}`;

interface BaseRow extends RecordRow {
  registry: Hex;
  blockNumber: number;
}

export interface RegistrationRow extends BaseRow {
  kind: 'registration';
  ownerPk: Hex;
  commitment: Hex;
  /** The registration root right after this leaf was added (absent when taken from a community node's list). */
  root?: Hex;
  manifestCid: Hex;
}

export interface AuthorizationRow extends BaseRow {
  kind: 'authorization';
  ownerPk: Hex;
  userPk: Hex;
  commitment: Hex;
  root: Hex;
}

export interface InstantiationRow extends BaseRow {
  kind: 'instantiation';
  ownerPk: Hex;
  userPk: Hex;
  account: Hex;
  x25519PublicKey: Hex;
}

export type MirroredRecord = RegistrationRow | AuthorizationRow | InstantiationRow;

/** One field element as stored. */
export function fieldHex(value: bigint): Hex {
  return `0x${value.toString(16).padStart(64, '0')}`;
}

/** Registrations and authorizations are keyed by leaf index; instantiations (no tree) by their log position. */
export function recordId(chainId: number, registry: string, kind: MirroredRecord['kind'], position: number | string): string {
  return `${chainId}/${registry.toLowerCase()}/${kind}/${position}`;
}
