// field29.ts's Fq arithmetic (9 × 29-bit limbs) against BigInt, in the module exactly as the prover builds it
// (ffjavascript's engine with msm-batch-affine.ts's plugin): random operands over the whole lazy range [0, 2p), edge
// cases, aliasing, and the conversions from and to wasmcurves' elements.
import { beforeAll, describe, expect, it } from 'vitest';
import { buildBn128 } from 'ffjavascript';
import { FQ, LIMBS, R29, toLimbs } from './field29';
import { batchAffinePlugin, type WasmModuleBuilder } from './msm-batch-affine';

let ex: Record<string, (...a: number[]) => number>;
let memory: WebAssembly.Memory;
const p = FQ;

beforeAll(async () => {
  let bytes: Uint8Array = new Uint8Array();
  const curve = (await buildBn128(true, (mb: unknown) => {
    const m = mb as WasmModuleBuilder & { build(): Uint8Array };
    batchAffinePlugin(m);
    const build = m.build.bind(m);
    m.build = () => (bytes = build());
  })) as { terminate(): Promise<void> };
  await curve.terminate();
  memory = new WebAssembly.Memory({ initial: 25 });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), { env: { memory } });
  ex = instance.exports as typeof ex;
});

const inverse = (a: bigint, m: bigint): bigint => {
  let [r0, r1, s0, s1] = [((a % m) + m) % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
};
const R29_INV = inverse(R29, p);
const R1 = (1n << 256n) % p;
const A = 1 << 20;
const B = A + 256;
const OUT = A + 512;
const u32 = (): Uint32Array => new Uint32Array(memory.buffer);
const put = (ptr: number, v: bigint): void => u32().set(toLimbs(v), ptr / 4);
const limbsAt = (ptr: number): number[] => Array.from(u32().subarray(ptr / 4, ptr / 4 + LIMBS));
const valueAt = (ptr: number): bigint => limbsAt(ptr).reduceRight((v, l) => (v << 29n) + BigInt(l), 0n);
const putWords = (ptr: number, v: bigint): void => {
  for (let i = 0; i < 8; i++, v >>= 32n) u32()[ptr / 4 + i] = Number(v & 0xffffffffn);
};
const wordsAt = (ptr: number): bigint => Array.from(u32().subarray(ptr / 4, ptr / 4 + 8)).reduceRight((v, w) => (v << 32n) + BigInt(w), 0n);
const random = (below: bigint): bigint => {
  const b = new Uint8Array(40);
  crypto.getRandomValues(b);
  return b.reduce((v, x) => (v << 8n) | BigInt(x), 0n) % below;
};
/** Below 2p, with normalised limbs: what every fq29 function must give. */
const inRange = (ptr: number): boolean => valueAt(ptr) < 2n * p && limbsAt(ptr).every((l) => l < 2 ** 29);
const EDGES = [0n, 1n, 2n, p - 1n, p, p + 1n, 2n * p - 1n, R29 % p, (1n << 29n) - 1n, 1n << 232n, (1n << 254n) - 1n];

describe('fq29: Fq in 29-bit limbs', () => {
  it('multiplies and squares (Montgomery, R = 2^261) like BigInt on edge cases and 3,000 random pairs, r aliasing x', () => {
    const pairs: [bigint, bigint][] = EDGES.flatMap((a) => EDGES.map((b) => [a, b] as [bigint, bigint]));
    for (let i = 0; i < 3000; i++) pairs.push([random(2n * p), random(2n * p)]);
    let wrong = 0;
    for (const [a, b] of pairs) {
      put(A, a);
      put(B, b);
      ex.fq29_mul!(A, B, OUT);
      if (valueAt(OUT) % p !== (a * b * R29_INV) % p || !inRange(OUT)) wrong++;
      ex.fq29_square!(A, OUT);
      if (valueAt(OUT) % p !== (a * a * R29_INV) % p || !inRange(OUT)) wrong++;
      ex.fq29_mul!(A, B, A);
      if (valueAt(A) % p !== (a * b * R29_INV) % p) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it('subtracts, negates and tells zero (0 and p) over the lazy range', () => {
    const pairs: [bigint, bigint][] = EDGES.flatMap((a) => EDGES.map((b) => [a, b] as [bigint, bigint]));
    for (let i = 0; i < 3000; i++) pairs.push([random(2n * p), random(2n * p)]);
    let wrong = 0;
    for (const [a, b] of pairs) {
      put(A, a);
      put(B, b);
      ex.fq29_sub!(A, B, OUT);
      if (valueAt(OUT) % p !== (((a - b) % p) + p) % p || !inRange(OUT)) wrong++;
      ex.fq29_neg!(A, OUT);
      if (valueAt(OUT) % p !== (p - (a % p)) % p || !inRange(OUT)) wrong++;
      if (ex.fq29_isZero!(A) !== (a % p === 0n ? 1 : 0)) wrong++;
    }
    expect(wrong).toBe(0);
  });

  it("converts from and to wasmcurves' elements (R = 2^256, below p), inverts, and gives one", () => {
    let wrong = 0;
    for (const a of [0n, 1n, p - 1n, ...Array.from({ length: 2000 }, () => random(p))]) {
      putWords(A, (a * R1) % p);
      ex.fq29_fromWords!(A, OUT);
      if (valueAt(OUT) % p !== (a * R29) % p || !inRange(OUT)) wrong++;
      ex.fq29_toWords!(OUT, B);
      if (wordsAt(B) !== (a * R1) % p) wrong++;
      if (a !== 0n) {
        ex.fq29_inverse!(OUT, OUT);
        if (valueAt(OUT) % p !== (inverse(a, p) * R29) % p) wrong++;
      }
    }
    ex.fq29_one!(OUT);
    expect(valueAt(OUT) % p).toBe(R29 % p);
    expect(wrong).toBe(0);
  });

  it('multiplies, squares and inverts in Fq2 = Fq[u]/(u² + 1) like BigInt (pairs of fq29 elements)', () => {
    const mod = (v: bigint): bigint => ((v % p) + p) % p;
    let wrong = 0;
    const quads: bigint[][] = [
      [0n, 0n, 0n, 0n],
      [p - 1n, p, 2n * p - 1n, 1n],
    ];
    for (let i = 0; i < 1000; i++) quads.push([random(2n * p), random(2n * p), random(2n * p), random(2n * p)]);
    for (const [a0, a1, b0, b1] of quads as [bigint, bigint, bigint, bigint][]) {
      put(A, a0);
      put(A + 36, a1);
      put(B, b0);
      put(B + 36, b1);
      ex.fq2_29_mul!(A, B, OUT);
      // Montgomery: each product carries one R⁻¹.
      if (mod(valueAt(OUT)) !== mod((a0 * b0 - a1 * b1) * R29_INV) || mod(valueAt(OUT + 36)) !== mod((a0 * b1 + a1 * b0) * R29_INV)) wrong++;
      if (!inRange(OUT) || !inRange(OUT + 36)) wrong++;
      ex.fq2_29_square!(A, OUT);
      if (mod(valueAt(OUT)) !== mod((a0 * a0 - a1 * a1) * R29_INV) || mod(valueAt(OUT + 36)) !== mod(2n * a0 * a1 * R29_INV)) wrong++;
      if (!inRange(OUT) || !inRange(OUT + 36)) wrong++;
      ex.fq2_29_mul!(A, B, A);
      if (mod(valueAt(A)) !== mod((a0 * b0 - a1 * b1) * R29_INV)) wrong++;
      if (mod(a0) !== 0n || mod(a1) !== 0n) {
        put(A, a0);
        put(A + 36, a1);
        ex.fq2_29_inverse!(A, OUT);
        ex.fq2_29_mul!(A, OUT, OUT);
        // (a·a⁻¹)·R = R: one in Montgomery form.
        if (mod(valueAt(OUT)) !== R29 % p || mod(valueAt(OUT + 36)) !== 0n) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });
});
