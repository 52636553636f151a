// Groth16 proof generation over a proving key parsed once and kept in memory, on the BN254 engine that snarkjs
// itself uses (ffjavascript's WASM curve and thread pool, obtained through snarkjs.curves). Why not
// snarkjs.groth16.prove: it re-reads the whole .zkey on every call, runs the QAP step in JavaScript one field element
// at a time, and splits each multi-exponentiation into one thread task per 9-bit window, each task copying every
// base again. Here the QAP (A·B−C over the coset) runs as one WASM task, and each multi-exponentiation is a handful
// of tasks that each copy the bases once and compute several windows; the MSMs of A, B1, B2 and C start together
// with the QAP so both cores stay busy. Errors here are plain Errors about a damaged key; prover.ts words them. The maths is the textbook Groth16 prover:
//   πA = α + Σ wᵢAᵢ + rδ,  πB = β + Σ wᵢBᵢ + sδ (G2),  πC = Σ wᵢCᵢ + Σ hⱼHⱼ + s·πA + r·(β + Σ wᵢBᵢ + sδ)₁ − rsδ.

import { BATCH_AFFINE_FN, batchAffineScratchBytes } from './msm-batch-affine';
import { namedError } from '../errors/index';

/** The part of ffjavascript's curve engine used here (untyped upstream). */
export interface CurveGroup {
  F: { n8: number };
  zero: unknown;
  add(a: unknown, b: unknown): unknown;
  neg(a: unknown): unknown;
  double(a: unknown): unknown;
  timesFr(a: unknown, s: unknown): unknown;
  toAffine(a: unknown): unknown;
  toObject(a: unknown): unknown[];
  fromRprLEM(buff: Uint8Array, offset: number): unknown;
}
export interface Bn254Engine {
  Fr: {
    n8: number;
    w: Uint8Array[];
    e(v: number | bigint | string): Uint8Array;
    random(): Uint8Array;
    mul(a: Uint8Array, b: Uint8Array): Uint8Array;
    neg(a: Uint8Array): Uint8Array;
    toObject(a: Uint8Array): bigint;
  };
  G1: CurveGroup;
  G2: CurveGroup;
  tm: { concurrency: number; queueAction(task: unknown[]): Promise<Uint8Array[]> };
  pairingEq(...points: unknown[]): Promise<boolean>;
}

interface Bases {
  /** Compact affine points (points at infinity dropped). */
  points: Uint8Array;
  /** Witness index of each kept point, or null when every index 0..n-1 is kept in order. */
  index: Uint32Array | null;
  count: number;
}

export interface ProvingKey {
  nVars: number;
  nPublic: number;
  domainSize: number;
  power: number;
  alpha1: unknown;
  beta1: unknown;
  beta2: unknown;
  delta1: unknown;
  delta2: unknown;
  /** gamma2 and the public inputs' points (section 3, affine): the proof is checked against them before it is returned. */
  gamma2: unknown;
  ic: Uint8Array;
  /** Section 4 without its count: records of (matrix u32, constraint u32, signal u32, coefficient 32 bytes). */
  coeffs: Uint8Array;
  nCoeffs: number;
  A: Bases;
  B1: Bases;
  B2: Bases;
  C: Bases;
  H: Bases;
}

const N8 = 32;
const SCALAR_BITS = 254;
const G1_AFFINE = 64;
const G2_AFFINE = 128;

function sectionsOf(zkey: Uint8Array): Map<number, Uint8Array> {
  const view = new DataView(zkey.buffer, zkey.byteOffset, zkey.byteLength);
  if (zkey.byteLength < 12 || String.fromCharCode(...zkey.subarray(0, 4)) !== 'zkey') throw new Error('not a .zkey file');
  const count = view.getUint32(8, true);
  const sections = new Map<number, Uint8Array>();
  let p = 12;
  for (let i = 0; i < count; i++) {
    if (p + 12 > zkey.byteLength) throw new Error('truncated .zkey file');
    const type = view.getUint32(p, true);
    const size = Number(view.getBigUint64(p + 4, true));
    p += 12;
    if (p + size > zkey.byteLength) throw new Error('truncated .zkey file');
    if (sections.has(type)) throw new Error(`.zkey section ${type} appears twice`);
    sections.set(type, zkey.subarray(p, p + size));
    p += size;
  }
  return sections;
}

/** Drops points at infinity (all-zero affine encodings): a third of B1/B2 in the tree circuits. */
function compactBases(section: Uint8Array, size: number, expected: number): Bases {
  if (section.byteLength !== expected * size) throw new Error(`.zkey point section has ${section.byteLength / size} points, ${expected} expected`);
  const keep: number[] = [];
  for (let i = 0; i < expected; i++) {
    const o = i * size;
    let zero = true;
    for (let j = 0; j < size; j++)
      if (section[o + j] !== 0) {
        zero = false;
        break;
      }
    if (!zero) keep.push(i);
  }
  if (keep.length === expected) return { points: section.slice(), index: null, count: expected };
  const points = new Uint8Array(keep.length * size);
  keep.forEach((i, k) => points.set(section.subarray(i * size, (i + 1) * size), k * size));
  return { points, index: Uint32Array.from(keep), count: keep.length };
}

/** Parses a snarkjs Groth16 .zkey once; every array is a compact copy (thread tasks copy whole ArrayBuffers). */
export function parseProvingKey(zkey: Uint8Array, curve: Bn254Engine): ProvingKey {
  const s = sectionsOf(zkey);
  const need = (n: number): Uint8Array => {
    const b = s.get(n);
    if (!b) throw new Error(`.zkey section ${n} is missing`);
    return b;
  };
  const protocol = new DataView(need(1).buffer, need(1).byteOffset).getUint32(0, true);
  if (protocol !== 1) throw new Error('the .zkey is not a Groth16 key');
  const h = need(2);
  const hv = new DataView(h.buffer, h.byteOffset, h.byteLength);
  let o = 0;
  const n8q = hv.getUint32(o, true);
  o += 4 + n8q;
  const n8r = hv.getUint32(o, true);
  o += 4 + n8r;
  if (n8q !== N8 || n8r !== N8) throw new Error('the .zkey is not for BN254');
  const nVars = hv.getUint32(o, true);
  const nPublic = hv.getUint32(o + 4, true);
  const domainSize = hv.getUint32(o + 8, true);
  o += 12;
  const g1 = (): unknown => {
    const v = curve.G1.fromRprLEM(h, o);
    o += G1_AFFINE;
    return v;
  };
  const g2 = (): unknown => {
    const v = curve.G2.fromRprLEM(h, o);
    o += G2_AFFINE;
    return v;
  };
  const alpha1 = g1();
  const beta1 = g1();
  const beta2 = g2();
  const gamma2 = g2();
  const delta1 = g1();
  const delta2 = g2();
  const power = Math.log2(domainSize);
  if (!Number.isInteger(power)) throw new Error('the .zkey domain size is not a power of two');
  const ic = need(3);
  if (ic.byteLength !== (nPublic + 1) * G1_AFFINE) throw new Error('the .zkey public-input section is malformed');
  const coeffSection = need(4);
  const nCoeffs = new DataView(coeffSection.buffer, coeffSection.byteOffset).getUint32(0, true);
  if (coeffSection.byteLength !== 4 + nCoeffs * (12 + N8)) throw new Error('the .zkey coefficient section is malformed');
  return {
    nVars,
    nPublic,
    domainSize,
    power,
    alpha1,
    beta1,
    beta2,
    delta1,
    delta2,
    gamma2,
    ic: ic.slice(),
    coeffs: coeffSection.slice(4),
    nCoeffs,
    A: compactBases(need(5), G1_AFFINE, nVars),
    B1: compactBases(need(6), G1_AFFINE, nVars),
    B2: compactBases(need(7), G2_AFFINE, nVars),
    C: compactBases(need(8), G1_AFFINE, nVars - nPublic - 1),
    H: compactBases(need(9), G1_AFFINE, domainSize),
  };
}

export type MsmKernel = 'batch-affine' | 'wasmcurves';

/** Whether the engine was built with msm-batch-affine.ts's plugin (a curve built elsewhere first may lack it). */
function hasBatchAffine(curve: Bn254Engine): boolean {
  const exports = (curve.tm as { instance?: { exports?: Record<string, unknown> } }).instance?.exports;
  return typeof exports?.[BATCH_AFFINE_FN.G1] === 'function' && typeof exports[BATCH_AFFINE_FN.G2] === 'function';
}

/**
 * Bucket window: about log2(n) − 3 bits balances the n additions per window against the 2^c bucket sums with
 * wasmcurves' kernel; the batch-affine kernel makes the additions cheaper, so one bit less (measured: A, B2 and H of
 * the authorization key took 5–7% less CPU than with log2(n) − 3, and 10–35% less than with − 2 or − 5).
 */
function windowBits(n: number, batchAffine: boolean): number {
  return Math.max(4, Math.min(16, Math.round(Math.log2(Math.max(n, 2))) - (batchAffine ? 4 : 3)));
}

/**
 * Σ scalarᵢ·baseᵢ with the scalars as 32-byte little-endian standard-form field elements. Each thread task receives
 * the bases once and computes a run of windows with the engine's bucket kernel; the windows are joined here.
 */
export async function multiExp(
  curve: Bn254Engine,
  group: 'G1' | 'G2',
  bases: Bases,
  scalars: Uint8Array,
  scalarOffset = 0,
  kernel: MsmKernel = 'batch-affine',
): Promise<unknown> {
  const G = curve[group];
  if (bases.count === 0) return G.zero;
  let sc: Uint8Array;
  if (bases.index) {
    sc = new Uint8Array(bases.count * N8);
    for (let k = 0; k < bases.count; k++) {
      const i = bases.index[k]! * N8 + scalarOffset;
      sc.set(scalars.subarray(i, i + N8), k * N8);
    }
  } else {
    sc = scalars.slice(scalarOffset, scalarOffset + bases.count * N8);
  }
  const batch = kernel === 'batch-affine' && hasBatchAffine(curve);
  const c = windowBits(bases.count, batch);
  // Scalars are below the group order r < 2^254: the top two bits of the 32 bytes are always zero.
  const windows = Math.ceil(SCALAR_BITS / c);
  // Enough tasks that a slow G2 MSM does not leave the other thread idle at the end, few enough to copy little.
  const perTask = Math.ceil(windows / (2 * Math.max(1, curve.tm.concurrency)));
  const fn = batch ? BATCH_AFFINE_FN[group] : group === 'G1' ? 'g1m_multiexpAffine_chunk' : 'g2m_multiexpAffine_chunk';
  const out = G.F.n8 * 3;
  const tasks: Promise<Uint8Array[]>[] = [];
  for (let w0 = 0; w0 < windows; w0 += perTask) {
    const task: unknown[] = [
      { cmd: 'ALLOCSET', var: 0, buff: bases.points },
      { cmd: 'ALLOCSET', var: 1, buff: sc },
    ];
    // The batch-affine kernel's scratch (buckets, sorted points, inverses) is shared by the task's windows.
    if (batch) task.push({ cmd: 'ALLOC', var: 2, len: batchAffineScratchBytes(group, bases.count, c) });
    const w1 = Math.min(windows, w0 + perTask);
    for (let w = w0; w < w1; w++) {
      const v = 3 + w - w0;
      task.push({ cmd: 'ALLOC', var: v, len: out });
      task.push({
        cmd: 'CALL',
        fnName: fn,
        params: [
          { var: 0 },
          { var: 1 },
          { val: N8 },
          { val: bases.count },
          { val: w * c },
          { val: Math.min(SCALAR_BITS - w * c, c) },
          { var: v },
          ...(batch ? [{ var: 2 }] : []),
        ],
      });
      task.push({ cmd: 'GET', out: w - w0, var: v, len: out });
    }
    tasks.push(curve.tm.queueAction(task));
  }
  const parts = (await Promise.all(tasks)).flat();
  let acc = G.zero;
  for (let w = parts.length - 1; w >= 0; w--) {
    if (w !== parts.length - 1) for (let j = 0; j < c; j++) acc = G.double(acc);
    acc = G.add(acc, parts[w]);
  }
  return acc;
}

/**
 * h's evaluations on the odd coset, as the H bases expect them: A, B, C from the witness, each interpolated and
 * re-evaluated on the coset, then (A·B − C) — all in one WASM task (a few milliseconds of work, so thread
 * round-trips between the steps would cost more than the steps).
 */
export async function quotientOnCoset(curve: Bn254Engine, key: ProvingKey, witness: Uint8Array): Promise<Uint8Array> {
  const n = key.domainSize;
  const len = n * N8;
  const inc = curve.Fr.w[key.power + 1]!;
  const task: unknown[] = [
    { cmd: 'ALLOCSET', var: 0, buff: key.coeffs },
    { cmd: 'ALLOCSET', var: 1, buff: witness },
    { cmd: 'ALLOC', var: 2, len },
    { cmd: 'ALLOC', var: 3, len },
    { cmd: 'ALLOC', var: 4, len },
    { cmd: 'ALLOCSET', var: 5, buff: curve.Fr.e(1) },
    { cmd: 'ALLOCSET', var: 6, buff: inc },
    { cmd: 'ALLOC', var: 7, len },
    {
      cmd: 'CALL',
      fnName: 'qap_buildABC',
      params: [{ var: 0 }, { val: key.nCoeffs }, { var: 1 }, { var: 2 }, { var: 3 }, { var: 4 }, { val: 0 }, { val: n }, { val: 0 }, { val: key.nVars }],
    },
  ];
  for (const v of [2, 3, 4]) {
    task.push({ cmd: 'CALL', fnName: 'frm_ifft', params: [{ var: v }, { val: n }] });
    task.push({ cmd: 'CALL', fnName: 'frm_batchApplyKey', params: [{ var: v }, { val: n }, { var: 5 }, { var: 6 }, { var: v }] });
    task.push({ cmd: 'CALL', fnName: 'frm_fft', params: [{ var: v }, { val: n }] });
  }
  task.push({ cmd: 'CALL', fnName: 'qap_joinABC', params: [{ var: 2 }, { var: 3 }, { var: 4 }, { val: n }, { var: 7 }] });
  task.push({ cmd: 'CALL', fnName: 'frm_batchFromMontgomery', params: [{ var: 7 }, { val: n }, { var: 7 }] });
  task.push({ cmd: 'GET', out: 0, var: 7, len });
  const [h] = await curve.tm.queueAction(task);
  return h!;
}

/** The proof computed does not verify: something in the arithmetic or the key is wrong (never returned as a proof). */
export class ProofCheckError extends namedError('ProofCheckError', Error) {}

export interface Groth16ProofObject {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: string;
  curve: string;
}

/** A Groth16 proof (snarkjs's JSON shape) and the public signals, from a full witness (see witness.ts). */
export async function groth16Prove(
  curve: Bn254Engine,
  key: ProvingKey,
  witness: Uint8Array,
  kernel: MsmKernel = 'batch-affine',
): Promise<{ proof: Groth16ProofObject; publicSignals: string[] }> {
  if (witness.byteLength !== key.nVars * N8) throw new Error(`the witness has ${witness.byteLength / N8} values, the proving key expects ${key.nVars}`);
  const { G1, G2, Fr } = curve;
  // Everything that needs only the witness starts at once; H waits for the quotient.
  const hPromise = quotientOnCoset(curve, key, witness).then((h) => multiExp(curve, 'G1', key.H, h, 0, kernel));
  const [a, b1, b2, c, h] = await Promise.all([
    multiExp(curve, 'G1', key.A, witness, 0, kernel),
    multiExp(curve, 'G1', key.B1, witness, 0, kernel),
    multiExp(curve, 'G2', key.B2, witness, 0, kernel),
    multiExp(curve, 'G1', key.C, witness, (key.nPublic + 1) * N8, kernel),
    hPromise,
  ]);
  const r = Fr.random();
  const s = Fr.random();
  const piA = G1.add(G1.add(a, key.alpha1), G1.timesFr(key.delta1, r));
  const piB = G2.add(G2.add(b2, key.beta2), G2.timesFr(key.delta2, s));
  const piB1 = G1.add(G1.add(b1, key.beta1), G1.timesFr(key.delta1, s));
  let piC = G1.add(c, h);
  piC = G1.add(piC, G1.timesFr(piA, s));
  piC = G1.add(piC, G1.timesFr(piB1, r));
  piC = G1.add(piC, G1.timesFr(key.delta1, Fr.neg(Fr.mul(r, s))));
  const str = (v: unknown): unknown => (Array.isArray(v) ? v.map(str) : (v as bigint).toString());
  const publicSignals: string[] = [];
  const view = new DataView(witness.buffer, witness.byteOffset, witness.byteLength);
  // The pairing check a verifier makes, against the key's own verification part: whatever went wrong in the
  // arithmetic above (a wrong MSM, a damaged base that still parses), a proof that does not verify is never returned.
  let cpub = G1.fromRprLEM(key.ic, 0);
  for (let i = 1; i <= key.nPublic; i++) {
    let v = 0n;
    for (let j = 7; j >= 0; j--) v = (v << 32n) | BigInt(view.getUint32(i * N8 + j * 4, true));
    publicSignals.push(v.toString());
    cpub = G1.add(cpub, G1.timesFr(G1.fromRprLEM(key.ic, i * G1_AFFINE), Fr.e(v)));
  }
  if (!(await curve.pairingEq(G1.neg(piA), piB, cpub, key.gamma2, piC, key.delta2, key.alpha1, key.beta2)))
    throw new ProofCheckError('the proof does not pass its own verification');
  return {
    proof: {
      pi_a: str(G1.toObject(G1.toAffine(piA))) as string[],
      pi_b: str(G2.toObject(G2.toAffine(piB))) as string[][],
      pi_c: str(G1.toObject(G1.toAffine(piC))) as string[],
      protocol: 'groth16',
      curve: 'bn128',
    },
    publicSignals,
  };
}
