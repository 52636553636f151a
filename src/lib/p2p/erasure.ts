// Systematic Reed–Solomon erasure coding over GF(2^8) (polynomial 0x11d): data is cut into k data shards and
// n − k parity shards are added so that any k of the n rebuild the data. The generator is [I; C] with C a Cauchy
// matrix, every k×k submatrix of which is invertible — that is what makes "any k" true.
import { P2PFormatError, NotEnoughShardsError } from './errors';

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i++) EXP[i] = EXP[i - 255]!;
}

const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : EXP[LOG[a]! + LOG[b]!]!);
const inv = (a: number): number => {
  if (a === 0) throw new RangeError('0 has no inverse in GF(256)');
  return EXP[255 - LOG[a]!]!;
};

/** Row r of the generator for an (n, k) code: identity rows, then Cauchy rows 1 / (x_i + y_j). */
function generatorRow(r: number, k: number): Uint8Array {
  const row = new Uint8Array(k);
  if (r < k) {
    row[r] = 1;
    return row;
  }
  // x_i = r (k ≤ r < n), y_j = j (0 ≤ j < k): disjoint sets, so x_i + y_j (XOR) is never 0.
  for (let j = 0; j < k; j++) row[j] = inv(r ^ j);
  return row;
}

/** out ^= coefficient · input, with one 256-entry table per coefficient (the hot loop). */
function mulAdd(out: Uint8Array, input: Uint8Array, coefficient: number): void {
  if (coefficient === 0) return;
  const table = new Uint8Array(256);
  for (let v = 1; v < 256; v++) table[v] = mul(v, coefficient);
  for (let i = 0; i < out.length; i++) out[i]! ^= table[input[i]!]!;
}

function invert(matrix: Uint8Array[]): Uint8Array[] {
  const n = matrix.length;
  const a = matrix.map((row) => Uint8Array.from(row));
  const b = Array.from({ length: n }, (_, i) => {
    const row = new Uint8Array(n);
    row[i] = 1;
    return row;
  });
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && a[pivot]![col] === 0) pivot++;
    if (pivot === n) throw new P2PFormatError('The shard set is singular: shard indices repeat or are out of range.');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [b[col], b[pivot]] = [b[pivot]!, b[col]!];
    const f = inv(a[col]![col]!);
    for (let j = 0; j < n; j++) {
      a[col]![j] = mul(a[col]![j]!, f);
      b[col]![j] = mul(b[col]![j]!, f);
    }
    for (let r = 0; r < n; r++) {
      const g = a[r]![col]!;
      if (r === col || g === 0) continue;
      for (let j = 0; j < n; j++) {
        a[r]![j]! ^= mul(g, a[col]![j]!);
        b[r]![j]! ^= mul(g, b[col]![j]!);
      }
    }
  }
  return b;
}

export interface ErasureParams {
  k: number;
  n: number;
}

export function checkErasureParams({ k, n }: ErasureParams): void {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 1 || n < k || n > 255) {
    throw new P2PFormatError(`An erasure code of k=${k} of n=${n} is not possible: choose 1 ≤ k ≤ n ≤ 255.`);
  }
}

/** Shard size for `length` bytes of data cut into k pieces. */
export const shardSizeFor = (length: number, k: number): number => Math.max(1, Math.ceil(length / k));

/** Encodes data into n shards of equal size; shard i is the i-th row of the code applied to the data. */
export function encodeShards(data: Uint8Array, params: ErasureParams): Uint8Array[] {
  checkErasureParams(params);
  const { k, n } = params;
  const size = shardSizeFor(data.length, k);
  const shards: Uint8Array[] = [];
  for (let i = 0; i < k; i++) {
    const s = new Uint8Array(size);
    s.set(data.subarray(i * size, Math.min((i + 1) * size, data.length)));
    shards.push(s);
  }
  for (let r = k; r < n; r++) {
    const row = generatorRow(r, k);
    const out = new Uint8Array(size);
    for (let j = 0; j < k; j++) mulAdd(out, shards[j]!, row[j]!);
    shards.push(out);
  }
  return shards;
}

/**
 * Rebuilds the data from any k shards, given as index → bytes. `length` is the original data length (from the
 * manifest). Shards must be intact: check them against their CIDs before calling.
 */
export function decodeShards(shards: Map<number, Uint8Array>, params: ErasureParams & { length: number }): Uint8Array {
  checkErasureParams(params);
  const { k, n, length } = params;
  const size = shardSizeFor(length, k);
  const indices = [...shards.keys()].filter((i) => Number.isInteger(i) && i >= 0 && i < n).sort((a, b) => a - b);
  if (indices.length < k)
    throw new NotEnoughShardsError(
      `Only ${indices.length} of the ${k} shards needed could be gathered (of ${n}). Try again when more peers or the pinning relay are online.`,
    );
  const use = indices.slice(0, k);
  for (const i of use)
    if (shards.get(i)!.length !== size)
      throw new P2PFormatError(`Shard ${i} has ${shards.get(i)!.length} bytes, expected ${size}: it is not part of this granule.`);
  const out = new Uint8Array(k * size);
  if (use.every((i, pos) => i === pos)) {
    for (let i = 0; i < k; i++) out.set(shards.get(i)!, i * size);
  } else {
    const decode = invert(use.map((i) => generatorRow(i, k)));
    for (let r = 0; r < k; r++) {
      const piece = out.subarray(r * size, (r + 1) * size);
      for (let j = 0; j < k; j++) mulAdd(piece, shards.get(use[j]!)!, decode[r]![j]!);
    }
  }
  return out.subarray(0, length);
}
