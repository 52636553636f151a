// The batch-affine MSM kernel (msm-batch-affine.ts) against wasmcurves' own kernel and against plain scalar
// multiplications, on the committed proving keys' real bases, in G1 and G2: random scalars, tiny and empty inputs, and
// repeated or opposite points in one bucket (the pairs its formulas cannot add, which must fall back, not go wrong).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBn128 } from 'ffjavascript';
import { fileArtifactSource } from './artifacts.node.ts';
import { multiExp, parseProvingKey, proverTuning, type Bn254Engine, type ProvingKey } from './groth16';
import { BATCH_AFFINE_CALLS, BATCH_AFFINE_FN, batchAffinePlugin, DIGITS29_FN, FQ29_BASES_FN } from './msm-batch-affine';
import { affineText, negatePoint, randomScalar, scalarsOf } from './testing';

type Engine = Bn254Engine & { terminate(): Promise<void>; tm: { instance: { exports: Record<string, unknown> } } };
let curve: Engine;
let key: ProvingKey;
let calls: string[] = [];

beforeAll(async () => {
  curve = (await buildBn128(false, (m) => {
    calls = BATCH_AFFINE_CALLS.filter((name) => (m as { functionIdxByName: Record<string, number> }).functionIdxByName[name] !== undefined);
    batchAffinePlugin(m as never);
  })) as Engine;
  key = parseProvingKey(await fileArtifactSource().load('authorization', 'zkey'), curve);
});
afterAll(async () => curve?.terminate());

const bases = (points: Uint8Array, size: number) => ({ points, index: null, count: points.byteLength / size });
const affine = (group: 'G1' | 'G2', p: unknown): string => affineText(curve, group, p);
const negate = negatePoint;

describe('batch-affine MSM kernel', () => {
  it('is built into the engine (every wasmcurves function it calls exists in the pinned version)', () => {
    expect(calls).toEqual(BATCH_AFFINE_CALLS);
    expect(typeof curve.tm.instance.exports[BATCH_AFFINE_FN.G1]).toBe('function');
    expect(typeof curve.tm.instance.exports[BATCH_AFFINE_FN.G2]).toBe('function');
  });

  it('equals Σ sᵢ·Pᵢ computed one scalar multiplication at a time (G1 and G2)', async () => {
    for (const [group, size, source] of [
      ['G1', 64, key.A.points],
      ['G2', 128, key.B2.points],
    ] as const) {
      const G = curve[group];
      for (const n of [1, 2, 3, 17, 64]) {
        const values = Array.from({ length: n }, randomScalar);
        const pts = source.slice(0, n * size);
        let expected = G.zero;
        for (let i = 0; i < n; i++) expected = G.add(expected, G.timesFr(G.fromRprLEM(pts, i * size), curve.Fr.e(values[i]!)));
        const got = await multiExp(curve, group, bases(pts, size), scalarsOf(values), 0, 'batch-affine');
        expect(affine(group, got), `${group}, ${n} points`).toBe(affine(group, expected));
      }
    }
  });

  it("gives wasmcurves' result on whole proving-key sections with random, zero and one scalars", async () => {
    for (const [group, b] of [
      ['G1', key.H],
      ['G1', key.A],
      ['G2', key.B2],
    ] as const) {
      const values = Array.from({ length: b.count }, (_, i) => (i % 7 === 0 ? 0n : i % 7 === 1 ? 1n : randomScalar()));
      const sc = scalarsOf(values);
      const fast = await multiExp(curve, group, { ...b, index: null }, sc, 0, 'batch-affine');
      const reference = await multiExp(curve, group, { ...b, index: null }, sc, 0, 'wasmcurves');
      expect(affine(group, fast), `${group}, ${b.count} points`).toBe(affine(group, reference));
    }
    const none = await multiExp(curve, 'G1', bases(new Uint8Array(0), 64), new Uint8Array(0), 0, 'batch-affine');
    expect(affine('G1', none)).toBe(affine('G1', curve.G1.zero));
  });

  it('adds a point to itself or to its opposite in one bucket correctly (falls back for that window)', async () => {
    for (const [group, size, n8, source] of [
      ['G1', 64, 32, key.A.points],
      ['G2', 128, 64, key.B2.points],
    ] as const) {
      const G = curve[group];
      const p = source.subarray(0, size);
      const q = source.subarray(size, 2 * size);
      // [P, P, Q, −Q, P] all with scalar 5: one bucket, pairs (P, P) and (Q, −Q). Σ = 15·P.
      const pts = new Uint8Array(5 * size);
      [p, p, q, negate(q, n8), p].forEach((point, i) => pts.set(point, i * size));
      const got = await multiExp(curve, group, bases(pts, size), scalarsOf([5n, 5n, 5n, 5n, 5n]), 0, 'batch-affine');
      expect(affine(group, got), group).toBe(affine(group, G.timesFr(G.fromRprLEM(p, 0), curve.Fr.e(15n))));
      // Many random scalars over repeated points: every window meets such pairs in some bucket.
      const many = new Uint8Array(200 * size);
      for (let i = 0; i < 200; i++)
        many.set(
          i % 2 ? negate(source.subarray((i % 10) * size, ((i % 10) + 1) * size), n8) : source.subarray((i % 10) * size, ((i % 10) + 1) * size),
          i * size,
        );
      const values = Array.from({ length: 200 }, (_, i) => (i < 100 ? 3n : randomScalar()));
      const fast = await multiExp(curve, group, bases(many, size), scalarsOf(values), 0, 'batch-affine');
      const reference = await multiExp(curve, group, bases(many, size), scalarsOf(values), 0, 'wasmcurves');
      expect(affine(group, fast), group).toBe(affine(group, reference));
    }
  });

  it("fq29 kernels (signed windows in 29-bit-limb arithmetic, G1 and G2) give wasmcurves' result, repeated and opposite points included", async () => {
    expect(proverTuning.fq29).toBe(true);
    for (const [group, size, n8, sections] of [
      ['G1', 64, 32, [key.H, key.A, key.C]],
      ['G2', 128, 64, [key.B2]],
    ] as const) {
      expect(typeof curve.tm.instance.exports[DIGITS29_FN[group]]).toBe('function');
      expect(typeof curve.tm.instance.exports[FQ29_BASES_FN[group]]).toBe('function');
      const G = curve[group];
      for (const b of sections) {
        const values = Array.from({ length: b.count }, (_, i) => (i % 7 === 0 ? 0n : i % 7 === 1 ? 1n : randomScalar()));
        const sc = scalarsOf(values);
        const fast = await multiExp(curve, group, { ...b, index: null }, sc, 0, 'signed');
        const reference = await multiExp(curve, group, { ...b, index: null }, sc, 0, 'wasmcurves');
        expect(affine(group, fast), `${group}, ${b.count} points`).toBe(affine(group, reference));
      }
      for (const n of [1, 2, 3, 17]) {
        const values = Array.from({ length: n }, randomScalar);
        const pts = sections[0]!.points.slice(0, n * size);
        let expected = G.zero;
        for (let i = 0; i < n; i++) expected = G.add(expected, G.timesFr(G.fromRprLEM(pts, i * size), curve.Fr.e(values[i]!)));
        expect(affine(group, await multiExp(curve, group, bases(pts, size), scalarsOf(values), 0, 'signed')), `${group}, ${n} points`).toBe(
          affine(group, expected),
        );
      }
      // [P, P, Q, −Q, P] with scalar 5 (pairs the affine formulas cannot add: the kernel's fallback), then many.
      const source = sections[0]!.points;
      const p = source.subarray(0, size);
      const q = source.subarray(size, 2 * size);
      const pts = new Uint8Array(5 * size);
      [p, p, q, negate(q, n8), p].forEach((point, i) => pts.set(point, i * size));
      const got = await multiExp(curve, group, bases(pts, size), scalarsOf([5n, 5n, 5n, 5n, 5n]), 0, 'signed');
      expect(affine(group, got), group).toBe(affine(group, G.timesFr(G.fromRprLEM(p, 0), curve.Fr.e(15n))));
      const many = new Uint8Array(200 * size);
      for (let i = 0; i < 200; i++) {
        const point = source.subarray((i % 10) * size, ((i % 10) + 1) * size);
        many.set(i % 2 ? negate(point, n8) : point, i * size);
      }
      const values = Array.from({ length: 200 }, (_, i) => (i < 100 ? 3n : randomScalar()));
      const fast = await multiExp(curve, group, bases(many, size), scalarsOf(values), 0, 'signed');
      const reference = await multiExp(curve, group, bases(many, size), scalarsOf(values), 0, 'wasmcurves');
      expect(affine(group, fast), group).toBe(affine(group, reference));
    }
  });
});
