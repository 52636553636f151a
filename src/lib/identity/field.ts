// The BN254 scalar field: every value that enters a circuit (keys, α, salts) lives here.
export const BN254_FIELD_ORDER = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

export function bigIntToBytes32(value: bigint): Uint8Array {
  if (value < 0n || value >= 1n << 256n) throw new RangeError('value does not fit in 32 bytes');
  const out = new Uint8Array(32);
  let v = value;
  for (let i = 31; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function toHex32(value: bigint): `0x${string}` {
  return `0x${value.toString(16).padStart(64, '0')}`;
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
