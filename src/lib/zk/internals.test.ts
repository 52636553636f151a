// groth16.ts proves on snarkjs's BN254 engine through ffjavascript internals (its thread manager and the WASM
// functions of wasmcurves) because that is 1.3–1.6× faster than snarkjs.groth16.prove (docs/bench/zk.md, "Before and
// after, interleaved"). Those internals are not a public API, so package.json pins both packages exactly and this test
// fails loudly when what is installed is not what groth16.ts was written against.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as snarkjs from 'snarkjs';
import { Scalar } from 'ffjavascript';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
const versionOf = (name: string, from?: string): string => {
  const main = from ? createRequire(from).resolve(name) : require.resolve(name);
  let dir = dirname(main);
  while (!dir.endsWith(`node_modules/${name}`)) dir = dirname(dir);
  return (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
};
const CHANGED =
  'snarkjs or ffjavascript is not the version src/lib/zk/groth16.ts was written against: check its use of their internals (and run the zk tests and `npm run bench zk`) before moving the exact pins in package.json.';

/** What groth16.ts calls: the WASM functions it queues by name, and the engine methods it uses. */
const WASM_FUNCTIONS = [
  'g1m_multiexpAffine_chunk',
  'g2m_multiexpAffine_chunk',
  'qap_buildABC',
  'qap_joinABC',
  'frm_ifft',
  'frm_fft',
  'frm_batchApplyKey',
  'frm_batchFromMontgomery',
];
// What msm-batch-affine.ts's kernels call inside the module (some are not exported): checked against the module
// being built in msm-batch-affine.test.ts.
const GROUP_METHODS = ['add', 'neg', 'double', 'timesFr', 'toAffine', 'toObject', 'fromRprLEM'];
const FR_METHODS = ['e', 'random', 'mul', 'neg', 'toObject'];

type Engine = {
  tm: { concurrency: number; queueAction: unknown; instance?: { exports: Record<string, unknown> } };
  G1: Record<string, unknown> & { F: { n8: number } };
  G2: Record<string, unknown> & { F: { n8: number } };
  Fr: Record<string, unknown> & { n8: number; w: unknown[] };
  terminate(): Promise<void>;
};
let curve: Engine | undefined;
afterAll(async () => curve?.terminate());

describe('the prover pins the internals it uses', () => {
  it('package.json pins snarkjs and ffjavascript exactly, and those versions are the ones installed', () => {
    expect(pkg.dependencies.snarkjs, CHANGED).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies.ffjavascript, CHANGED).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versionOf('snarkjs'), CHANGED).toBe(pkg.dependencies.snarkjs);
    // The ffjavascript snarkjs itself loads (its curves come from there), not only the one at the top.
    expect(versionOf('ffjavascript', require.resolve('snarkjs')), CHANGED).toBe(pkg.dependencies.ffjavascript);
    // prover.ts builds the engine through ffjavascript's buildBn128 (with the batch-affine kernels): the same copy.
    expect(versionOf('ffjavascript'), CHANGED).toBe(pkg.dependencies.ffjavascript);
    expect(typeof Scalar.e, CHANGED).toBe('function');
    // witness.ts uses circom_runtime's calculator: the one snarkjs itself comes with.
    expect(versionOf('circom_runtime', require.resolve('snarkjs')), CHANGED).toBe(pkg.dependencies.circom_runtime);
  });

  it("snarkjs's BN254 engine still has the thread manager, WASM functions and methods groth16.ts calls", async () => {
    curve = (await snarkjs.curves.getCurveFromName('bn128')) as unknown as Engine;
    expect(typeof curve.tm.queueAction, CHANGED).toBe('function');
    expect(typeof (curve as unknown as { pairingEq: unknown }).pairingEq, CHANGED).toBe('function');
    expect(curve.tm.concurrency, CHANGED).toBeGreaterThan(0);
    const exported = curve.tm.instance?.exports ?? {};
    expect(
      WASM_FUNCTIONS.filter((f) => typeof exported[f] !== 'function'),
      CHANGED,
    ).toEqual([]);
    for (const g of [curve.G1, curve.G2])
      expect(
        GROUP_METHODS.filter((m) => typeof g[m] !== 'function'),
        CHANGED,
      ).toEqual([]);
    expect(
      FR_METHODS.filter((m) => typeof curve!.Fr[m] !== 'function'),
      CHANGED,
    ).toEqual([]);
    expect([curve.Fr.n8, curve.G1.F.n8, curve.G2.F.n8], CHANGED).toEqual([32, 32, 64]);
    expect(curve.Fr.w.length, CHANGED).toBeGreaterThan(20);
  });
});
