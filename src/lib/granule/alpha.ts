import { bytesToHex } from '@noble/hashes/utils.js';
import { sha256 } from './sha256';

/** The BN254 (alt_bn128) scalar field order r, the field the Groth16 circuits compute in. */
export const BN254_SCALAR_FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/**
 * α, the granule's identity (paper Table 1: α = h(F)), as a BN254 scalar field element.
 *
 * Exactly: d = SHA-256(archiveBytes) (32 bytes); clear the three most significant bits of d[0]
 * (d[0] &= 0x1f); read the 32 bytes as a big-endian unsigned integer. The result is < 2^253 < r, so it is a
 * canonical field element with no modular reduction, and two archives share an α only if their SHA-256 digests
 * agree in their low 253 bits. In hex, α equals the SHA-256 hex with its first digit reduced mod 2.
 */
export function alphaOf(archiveBytes: Uint8Array): bigint {
  return alphaFromSha256(sha256(archiveBytes));
}

/** α of a 32-byte SHA-256 digest (see alphaOf). */
export function alphaFromSha256(digest: Uint8Array): bigint {
  if (digest.length !== 32) throw new RangeError(`a SHA-256 digest has 32 bytes, got ${digest.length}`);
  const d = Uint8Array.from(digest);
  d[0] = d[0]! & 0x1f;
  return BigInt('0x' + bytesToHex(d));
}

/** α as `0x` + 64 lowercase hex digits (the form the CLI prints and the chain stores as bytes32). */
export function alphaHex(alphaOrArchive: bigint | Uint8Array): `0x${string}` {
  const a = typeof alphaOrArchive === 'bigint' ? alphaOrArchive : alphaOf(alphaOrArchive);
  if (a < 0n || a >= 1n << 253n) throw new RangeError('α must be a 253-bit non-negative integer');
  return `0x${a.toString(16).padStart(64, '0')}`;
}

/** Parses `0x…` (1–64 hex digits) into α, refusing anything that could not be an α. */
export function parseAlpha(text: string): bigint {
  if (!/^0x[0-9a-fA-F]{1,64}$/.test(text)) throw new RangeError(`not an α: ${JSON.stringify(text)} (expected 0x followed by up to 64 hex digits)`);
  const a = BigInt(text);
  if (a >= 1n << 253n) throw new RangeError(`not an α: ${text} has bits above 2^253`);
  return a;
}

/** SHA-256 hex of bytes (lowercase, no prefix). */
export function sha256Hex(bytes: Uint8Array): string {
  return bytesToHex(sha256(bytes));
}
