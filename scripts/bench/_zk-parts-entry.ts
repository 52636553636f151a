// Browser entry of the proof profile (zk-profile.ts bundles it with Vite): the engine built as the app's prover builds
// it (ffjavascript with the batch-affine kernels) and the parts of a proof, fetched artifacts.
import { buildBn128 } from 'ffjavascript';
import type { Bn254Engine } from '../../src/lib/zk/groth16';
import { batchAffinePlugin } from '../../src/lib/zk/msm-batch-affine';
import { proofParts } from './_zk-parts';

export async function browserParts(base: string, circuit: string) {
  const get = async (u: string) => new Uint8Array(await (await fetch(u)).arrayBuffer());
  const curve = (await buildBn128(false, batchAffinePlugin as (m: unknown) => void)) as Bn254Engine;
  return proofParts(curve, await get(`${base}${circuit}.wasm`), await get(`${base}${circuit}.zkey`));
}
export { createProver } from '../../src/lib/zk/prover';
export { fetchArtifactSource } from '../../src/lib/zk/artifacts.browser';
