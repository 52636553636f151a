// The BN254 scalar field: every value that enters a circuit (keys, α, salts) lives here.
import { bytesToBigInt as viemBytesToBigInt, numberToHex } from 'viem';
export const BN254_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** Big-endian unsigned integer of `bytes` (viem's, so the byte conversions live in one library). */
function bytesToBigInt(bytes: Uint8Array): bigint {
  return bytes.length === 0 ? 0n : viemBytesToBigInt(bytes);
}

/** 0x + 64 hex digits (a bytes32 on chain, α, Pk). */
export function toHex32(value: bigint): `0x${string}` {
  return numberToHex(value, { size: 32 });
}

export function isFieldElement(value: bigint): boolean {
  return value >= 0n && value < BN254_FIELD_ORDER;
}

/** A uniformly random non-zero field element (rejection sampling on 254-bit draws, so no modulo bias). */
export function randomFieldElement(): bigint {
  const bytes = new Uint8Array(32);
  for (;;) {
    crypto.getRandomValues(bytes);
    bytes[0]! &= 0x3f; // 254 bits: the order is just below 2^254, so most draws are accepted.
    const value = bytesToBigInt(bytes);
    if (value > 0n && value < BN254_FIELD_ORDER) return value;
  }
}
