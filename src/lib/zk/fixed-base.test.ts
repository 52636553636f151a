// Signed digits and fixed-base tables (groth16.ts with msm-batch-affine.ts's digits and table kernels) against
// wasmcurves' own kernel, on the committed proving keys' real bases: random, zero, one and r − 1 scalars, repeated and
// opposite points (the digits kernel's fallback), and whole proofs made with tables that verify in snarkjs — or, with
// a damaged table, fail their own check instead of coming out wrong.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as snarkjs from 'snarkjs';
import { buildBn128 } from 'ffjavascript';
import { DEFAULT_ARTIFACT_DIR, fileArtifactSource } from './artifacts.node.ts';
import {
  buildFixedBaseTables,
  buildResidentTables,
  dropFixedBaseTables,
  groth16Prove,
  makeKeyResident,
  multiExp,
  runnerOf,
  parseProvingKey,
  ProofCheckError,
  signedDigits,
  type Bn254Engine,
  type ProvingKey,
} from './groth16';
import { batchAffinePlugin, type WasmModuleBuilder } from './msm-batch-affine';
import { startResidentPool, type ResidentPool } from './thread-pool';
import { createWitnessCalculator } from './witness';
import { affineText, authorizationStatement, negatePoint, R, randomScalar, scalarsOf } from './testing';

type Engine = Bn254Engine & { terminate(): Promise<void> };
let curve: Engine;
let key: ProvingKey;
let code: Uint8Array<ArrayBuffer>;
let pool: ResidentPool | undefined;

beforeAll(async () => {
  // The module's code kept for the resident pool's workers (prover.ts does the same).
  const plugin = (m: WasmModuleBuilder & { build(): Uint8Array<ArrayBuffer> }): void => {
    batchAffinePlugin(m);
    const build = m.build.bind(m);
    m.build = () => (code = build());
  };
  curve = (await buildBn128(false, plugin as never)) as Engine;
  key = parseProvingKey(await fileArtifactSource().load('authorization', 'zkey'), curve);
}, 60_000);
afterAll(async () => {
  await pool?.terminate();
  await curve?.terminate();
});

const mixed = (n: number): bigint[] => Array.from({ length: n }, (_, i) => [0n, 1n, R - 1n, 2n ** 253n][i % 9] ?? randomScalar());
const affine = (group: 'G1' | 'G2', p: unknown): string => affineText(curve, group, p);
const negate = negatePoint;

/** An authorization statement with a fresh secret, granule and user each time. */
const authorizationSignals = (): Record<string, unknown> =>
  authorizationStatement({ secret: randomScalar(), alpha: randomScalar(), user: randomScalar(), leaves: 9, at: 4 }).signals;

describe('signed digits', () => {
  it('recompose every scalar (Σ dⱼ·2^(c·j) = s) with each digit within ±2^(c−1), for every window width', () => {
    const values = [0n, 1n, R - 1n, 2n ** 253n, 2n ** 254n - 1n, ...Array.from({ length: 20 }, randomScalar)];
    const sc = scalarsOf(values);
    for (let c = 4; c <= 16; c++) {
      const w = Math.ceil(255 / c);
      const digits = signedDigits(sc, values.length, c, true);
      values.forEach((v, i) => {
        let sum = 0n;
        for (let j = 0; j < w; j++) {
          const d = digits[i * w + j]!;
          expect(Math.abs(d)).toBeLessThanOrEqual(2 ** (c - 1));
          sum += BigInt(d) << BigInt(c * j);
        }
        expect(sum, `c = ${c}`).toBe(v);
      });
      // The window-major layout holds the same digits.
      const byWindow = signedDigits(sc, values.length, c, false);
      for (let i = 0; i < values.length; i++) for (let j = 0; j < w; j++) expect(byWindow[j * values.length + i]).toBe(digits[i * w + j]);
    }
  });
});

describe('signed-digit windows and fixed-base tables', () => {
  it("give wasmcurves' result on whole proving-key sections (G1 and G2)", async () => {
    const sections = [
      ['G1', key.H],
      ['G1', key.A],
      ['G2', key.B2],
    ] as const;
    const own = sections.map(([, b]) => ({ ...b, index: null, table: undefined }));
    const values = sections.map(([, b]) => scalarsOf(mixed(b.count)));
    const reference = await Promise.all(sections.map(([group], i) => multiExp(curve, group, own[i]!, values[i]!, 0, 'wasmcurves')));
    for (const [i, [group]] of sections.entries()) {
      const signed = await multiExp(curve, group, own[i]!, values[i]!, 0, 'signed');
      expect(affine(group, signed), `${group} signed`).toBe(affine(group, reference[i]));
    }
    const tableKey = { ...key, H: own[0]!, A: own[1]!, B2: own[2]! };
    const bytes = await buildFixedBaseTables(curve, tableKey, ['H', 'A', 'B2']);
    expect(bytes).toBeGreaterThan(0);
    for (const [i, [group]] of sections.entries()) {
      expect(own[i]!.table).toBeDefined();
      const fixed = await multiExp(curve, group, own[i]!, values[i]!, 0, 'fixed');
      expect(affine(group, fixed), `${group} fixed`).toBe(affine(group, reference[i]));
    }
  }, 300_000);

  it('add repeated and opposite points in one bucket correctly (the digits kernel falls back)', async () => {
    for (const [group, size, n8, source] of [
      ['G1', 64, 32, key.A.points],
      ['G2', 128, 64, key.B2.points],
    ] as const) {
      const many = new Uint8Array(60 * size);
      for (let i = 0; i < 60; i++) {
        const p = source.subarray((i % 6) * size, ((i % 6) + 1) * size);
        many.set(i % 2 ? negate(p, n8) : p, i * size);
      }
      const values = scalarsOf(Array.from({ length: 60 }, (_, i) => (i < 30 ? 3n : randomScalar())));
      const bases = { points: many, index: null, count: 60 };
      const reference = await multiExp(curve, group, bases, values, 0, 'wasmcurves');
      expect(affine(group, await multiExp(curve, group, bases, values, 0, 'signed')), `${group} signed`).toBe(affine(group, reference));
      const tableKey = { ...key, A: { ...bases }, B2: { ...bases } };
      await buildFixedBaseTables(curve, tableKey, [group === 'G1' ? 'A' : 'B2']);
      const fixed = await multiExp(curve, group, group === 'G1' ? tableKey.A : tableKey.B2, values, 0, 'fixed');
      expect(affine(group, fixed), `${group} fixed`).toBe(affine(group, reference));
    }
  }, 300_000);
});

describe('proofs with fixed-base tables', () => {
  it('verify in snarkjs; with a damaged table the proof fails its own check, and proves again once the tables are dropped', async () => {
    const calculator = await createWitnessCalculator(await fileArtifactSource().load('authorization', 'wasm'));
    const vkey = JSON.parse(readFileSync(join(DEFAULT_ARTIFACT_DIR, 'authorization.vkey.json'), 'utf8')) as unknown;
    const tableKey: ProvingKey = { ...key, A: { ...key.A }, B1: { ...key.B1 }, B2: { ...key.B2 }, C: { ...key.C }, H: { ...key.H } };
    await buildFixedBaseTables(curve, tableKey);
    for (let run = 0; run < 2; run++) {
      const witness = await calculator.calculate(authorizationSignals());
      const { proof, publicSignals } = await groth16Prove(curve, tableKey, witness);
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true);
    }
    // Two points of B2's table swapped: still valid curve points, so only the result can tell.
    const part = tableKey.B2.table!.parts[0]!.points!;
    const first = part.slice(0, 128);
    part.copyWithin(0, 128 * 5, 128 * 6);
    part.set(first, 128 * 5);
    const witness = await calculator.calculate(authorizationSignals());
    await expect(groth16Prove(curve, tableKey, witness)).rejects.toThrow(ProofCheckError);
    expect(dropFixedBaseTables(tableKey)).toBe(true);
    const { proof, publicSignals } = await groth16Prove(curve, tableKey, witness);
    expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true);
  }, 300_000);
});

describe('fixed-base tables built and kept inside the resident pool', () => {
  it("give wasmcurves' result (each worker summing its own share), and whole proofs with them verify in snarkjs", async () => {
    pool = await startResidentPool(await WebAssembly.compile(code), 2);
    const own: ProvingKey = { ...key, A: { ...key.A }, B1: { ...key.B1 }, B2: { ...key.B2 }, C: { ...key.C }, H: { ...key.H } };
    await makeKeyResident(pool, own);
    await buildResidentTables(curve, own);
    for (const name of ['A', 'B1', 'B2', 'C', 'H'] as const) {
      const parts = own[name].table!.parts;
      expect(parts.map((p) => [p.worker, p.points])).toEqual([
        [0, undefined],
        [1, undefined],
      ]);
    }
    const runner = runnerOf(curve, own);
    for (const [group, name] of [
      ['G1', 'H'],
      ['G1', 'A'],
      ['G2', 'B2'],
    ] as const) {
      const values = scalarsOf(mixed(own[name].count));
      const reference = await multiExp(curve, group, { ...own[name], index: null, table: undefined, res: undefined }, values, 0, 'wasmcurves');
      const fixed = await multiExp(curve, group, { ...own[name], index: null }, values, 0, 'fixed', runner);
      expect(affine(group, fixed), `${name} fixed, resident`).toBe(affine(group, reference));
      const signed = await multiExp(curve, group, { ...own[name], index: null, table: undefined }, values, 0, 'signed', runner);
      expect(affine(group, signed), `${name} signed, resident bases`).toBe(affine(group, reference));
    }
    const calculator = await createWitnessCalculator(await fileArtifactSource().load('authorization', 'wasm'));
    const vkey = JSON.parse(readFileSync(join(DEFAULT_ARTIFACT_DIR, 'authorization.vkey.json'), 'utf8')) as unknown;
    for (let run = 0; run < 3; run++) {
      const { proof, publicSignals } = await groth16Prove(curve, own, await calculator.calculate(authorizationSignals()));
      expect(await snarkjs.groth16.verify(vkey, publicSignals, proof)).toBe(true);
    }
  }, 300_000);
});
