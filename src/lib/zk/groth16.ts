// Groth16 proof generation over a proving key parsed once and kept in memory, on the BN254 engine that snarkjs
// itself uses (ffjavascript's WASM curve and thread pool, obtained through snarkjs.curves). Why not
// snarkjs.groth16.prove: it re-reads the whole .zkey on every call, runs the QAP step in JavaScript one field element
// at a time, and splits each multi-exponentiation into one thread task per 9-bit window, each task copying every
// base again. Here the QAP (A·B−C over the coset) runs as one WASM task, and each multi-exponentiation is a handful
// of tasks that each copy the bases once and compute several windows; the MSMs of A, B1, B2 and C start together
// with the QAP so both cores stay busy. The windows use signed digits (half the buckets); once a key has fixed-base
// tables (computeFixedBaseTables: 2^(c·j)·P for every base, built once), an MSM is one bucket sum per table part with
// no windows and no doublings. Errors here are plain Errors about a damaged key; prover.ts words them. The maths is the
// textbook Groth16 prover:
//   πA = α + Σ wᵢAᵢ + rδ,  πB = β + Σ wᵢBᵢ + sδ (G2),  πC = Σ wᵢCᵢ + Σ hⱼHⱼ + s·πA + r·(β + Σ wᵢBᵢ + sδ)₁ − rsδ.

import {
  BATCH_AFFINE_FN,
  batchAffineScratchBytes,
  DIGITS_FN,
  DIGITS29_FN,
  digits29ScratchBytes,
  digitsScratchBytes,
  FQ29_BASES_FN,
  AFFINE_FQ29,
  TABLE_FN,
  tableScratchBytes,
} from './msm-batch-affine';
import { namedError } from '../errors/index';
import type { ResidentPool } from './thread-pool';

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
  /** Fixed-base table, once built (buildFixedBaseTables): the MSM then needs no windows and no doublings. */
  table?: FixedBaseTable;
  /** Name of the same points resident in every worker of the key's pool (makeKeyResident). */
  res?: string;
  /** Name of the same points in fq29's representation, resident beside them (makeKeyResident). */
  res29?: string;
  /** Set when a proof made with the fq29 kernel failed its self-check: these bases keep to wasmcurves' field code. */
  fq29Refused?: boolean;
}

/**
 * 2^(c·j)·Pᵢ for every base i and window j < w, affine, at (i·w + j), cut into parts of consecutive bases (one
 * thread task each, so each part is one ArrayBuffer to copy and one bucket sum to finish).
 */
interface FixedBaseTable {
  c: number;
  w: number;
  /** A part is held here (points) or resident in one worker of the key's pool (worker, res). */
  parts: { first: number; count: number; points?: Uint8Array; worker?: number; res?: string }[];
}

/** Where a key's tasks run: ffjavascript's pool (everything sent with each task) or the key's resident pool. */
interface Runner {
  concurrency: number;
  pool?: ResidentPool;
  run(task: unknown[], worker?: number, urgent?: boolean): Promise<Uint8Array[]>;
}
const tmRunner = (curve: Bn254Engine): Runner => ({ concurrency: Math.max(1, curve.tm.concurrency), run: (task) => curve.tm.queueAction(task) });
export function runnerOf(curve: Bn254Engine, key: ProvingKey): Runner {
  const pool = key.resident?.pool;
  if (!pool || pool.closed) return tmRunner(curve);
  return { concurrency: pool.size, pool, run: (task, worker, urgent) => pool.run(task, worker, undefined, urgent) };
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
  /** Set by makeKeyResident: the key's bases and coefficients live in this pool's workers under names `id.…`. */
  resident?: { pool: ResidentPool; id: string };
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

/**
 * wasmcurves: snarkjs's own window kernel. batch-affine: msm-batch-affine.ts's window kernel (unsigned windows).
 * signed: the digits kernel over signed-digit windows (half the buckets for the same window width). fixed: the
 * digits kernel over the base's fixed-base table, when it has one (else signed).
 */
export type MsmKernel = 'wasmcurves' | 'batch-affine' | 'signed' | 'fixed';

/** Whether the engine has the fq29 G1 kernel (msm-batch-affine.ts's plugin adds it unless told not to). */
function hasFq29(curve: Bn254Engine): boolean {
  const exports = (curve.tm as { instance?: { exports?: Record<string, unknown> } }).instance?.exports;
  return [DIGITS29_FN, FQ29_BASES_FN].every((fns) => typeof exports?.[fns.G1] === 'function' && typeof exports[fns.G2] === 'function');
}

/** Whether the engine was built with msm-batch-affine.ts's plugin (a curve built elsewhere first may lack it). */
function hasBatchAffine(curve: Bn254Engine): boolean {
  const exports = (curve.tm as { instance?: { exports?: Record<string, unknown> } }).instance?.exports;
  return [BATCH_AFFINE_FN, DIGITS_FN, TABLE_FN].every((fns) => typeof exports?.[fns.G1] === 'function' && typeof exports[fns.G2] === 'function');
}

/**
 * Bucket window: about log2(n) − 3 bits balances the n additions per window against the 2^c bucket sums with
 * wasmcurves' kernel; the batch-affine kernel makes the additions cheaper, so one bit less (measured: A, B2 and H of
 * the authorization key took 5–7% less CPU than with log2(n) − 3, and 10–35% less than with − 2 or − 5). Signed
 * digits halve the buckets of a window, so they take one bit more.
 */
function windowBits(n: number, kernel: MsmKernel): number {
  const offset = kernel === 'wasmcurves' ? 3 : kernel === 'batch-affine' ? 4 : 3;
  return Math.max(4, Math.min(16, Math.round(Math.log2(Math.max(n, 2))) - offset));
}

/** The thread copies ALLOCSET buffers through a Uint8Array: an Int32Array would be converted value by value. */
const bytesOf = (a: Int32Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Windows of signed c-bit digits that cover every scalar below r < 2^254 (the last digit absorbs the carry). */
const signedWindows = (c: number): number => Math.ceil((SCALAR_BITS + 1) / c);

/**
 * The signed c-bit digits of n 32-byte little-endian scalars (< 2^254), each in [−2^(c−1), 2^(c−1)], so that
 * s = Σ_j d_j·2^(c·j). pointMajor: digit j of scalar i at i·w + j (fixed-base tables); else at j·n + i (windows).
 */
export function signedDigits(scalars: Uint8Array, n: number, c: number, pointMajor: boolean): Int32Array {
  const w = signedWindows(c);
  const out = new Int32Array(n * w);
  const words = new Uint32Array(9);
  const bytes = new Uint8Array(words.buffer, 0, 32);
  const mask = (1 << c) - 1;
  const half = 1 << (c - 1);
  for (let i = 0; i < n; i++) {
    bytes.set(scalars.subarray(i * N8, (i + 1) * N8));
    let carry = 0;
    for (let j = 0; j < w; j++) {
      const bit = j * c;
      const word = bit >>> 5;
      const off = bit & 31;
      let v = word < 8 ? words[word]! >>> off : 0;
      if (off + c > 32 && word + 1 < 8) v |= words[word + 1]! << (32 - off);
      v = (v & mask) + carry;
      if (v > half) {
        v -= 1 << c;
        carry = 1;
      } else carry = 0;
      out[pointMajor ? i * w + j : j * n + i] = v;
    }
  }
  return out;
}

/**
 * Σ scalarᵢ·baseᵢ with the scalars as 32-byte little-endian standard-form field elements. With a fixed-base table,
 * one bucket sum per table part over every (2^(c·j)·Pᵢ, digit j of sᵢ). Without one, each thread task receives the
 * bases once and computes a run of windows with the engine's bucket kernel; the windows are joined here.
 */
export async function multiExp(
  curve: Bn254Engine,
  group: 'G1' | 'G2',
  bases: Bases,
  scalars: Uint8Array,
  scalarOffset = 0,
  kernel: MsmKernel = 'fixed',
  runner: Runner = tmRunner(curve),
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
  if (sc.byteLength !== bases.count * N8) throw new Error(`${bases.count} scalars expected, ${sc.byteLength / N8} given`);
  const built = hasBatchAffine(curve);
  const k: MsmKernel = !built ? 'wasmcurves' : kernel === 'fixed' && !bases.table ? 'signed' : kernel;
  const out = G.F.n8 * 3;
  if (k === 'fixed') return fixedBaseMultiExp(curve, group, bases.table!, sc, runner);
  // Resident bases are named in the task; otherwise every task carries a copy.
  const resident = runner.pool && bases.res ? bases.res : undefined;
  const basesParam = resident ? { res: resident } : { var: 0 };
  const c = windowBits(bases.count, k);
  const signed = k === 'signed';
  // G1 signed windows add in fq29 arithmetic when the engine has that kernel: on the bases kept resident in fq29 form,
  // or converted once per task.
  const fq29 = signed && proverTuning.fq29 && !bases.fq29Refused && hasFq29(curve);
  const fq29Resident = fq29 && runner.pool && bases.res29 ? { res: bases.res29 } : null;
  const fq29Var = 1000;
  // Unsigned: scalars are below the group order r < 2^254, so the top two bits of the 32 bytes are always zero.
  const windows = signed ? signedWindows(c) : Math.ceil(SCALAR_BITS / c);
  const digits = signed ? signedDigits(sc, bases.count, c, false) : null;
  // Enough tasks that a slow G2 MSM does not leave the other thread idle at the end, few enough to copy little.
  const perTask = Math.ceil(windows / (2 * runner.concurrency));
  const fn =
    k === 'signed'
      ? DIGITS_FN[group]
      : k === 'batch-affine'
        ? BATCH_AFFINE_FN[group]
        : group === 'G1'
          ? 'g1m_multiexpAffine_chunk'
          : 'g2m_multiexpAffine_chunk';
  const nBuckets = 1 << (c - 1);
  const tasks: Promise<Uint8Array[]>[] = [];
  for (let w0 = 0; w0 < windows; w0 += perTask) {
    const w1 = Math.min(windows, w0 + perTask);
    const convert = fq29 && !fq29Resident;
    const task: unknown[] = [
      ...((resident && !convert) || fq29Resident ? [] : [{ cmd: 'ALLOCSET', var: 0, buff: bases.points }]),
      digits ? { cmd: 'ALLOCSET', var: 1, buff: bytesOf(digits.slice(w0 * bases.count, w1 * bases.count)) } : { cmd: 'ALLOCSET', var: 1, buff: sc },
    ];
    if (convert) {
      task.push({ cmd: 'ALLOC', var: fq29Var, len: bases.count * AFFINE_FQ29[group] });
      task.push({ cmd: 'CALL', fnName: FQ29_BASES_FN[group], params: [{ var: 0 }, { val: bases.count }, { var: fq29Var }] });
    }
    // The batch-affine kernels' scratch (buckets, sorted points, inverses) is shared by the task's windows.
    if (k === 'batch-affine') task.push({ cmd: 'ALLOC', var: 2, len: batchAffineScratchBytes(group, bases.count, c) });
    if (signed)
      task.push({ cmd: 'ALLOC', var: 2, len: fq29 ? digits29ScratchBytes(group, bases.count, nBuckets) : digitsScratchBytes(group, bases.count, nBuckets) });
    for (let w = w0; w < w1; w++) {
      const v = 3 + w - w0;
      task.push({ cmd: 'ALLOC', var: v, len: out });
      task.push({
        cmd: 'CALL',
        fnName: fq29 ? DIGITS29_FN[group] : fn,
        params: signed
          ? [
              fq29Resident ?? (fq29 ? { var: fq29Var } : basesParam),
              { var: 1, offset: (w - w0) * bases.count * 4 },
              { val: bases.count },
              { val: nBuckets },
              { var: v },
              { var: 2 },
            ]
          : [
              basesParam,
              { var: 1 },
              { val: N8 },
              { val: bases.count },
              { val: w * c },
              { val: Math.min(SCALAR_BITS - w * c, c) },
              { var: v },
              ...(k === 'batch-affine' ? [{ var: 2 }] : []),
            ],
      });
      task.push({ cmd: 'GET', out: w - w0, var: v, len: out });
    }
    tasks.push(runner.run(task));
  }
  const parts = (await Promise.all(tasks)).flat();
  let acc = G.zero;
  for (let w = parts.length - 1; w >= 0; w--) {
    if (w !== parts.length - 1) for (let j = 0; j < c; j++) acc = G.double(acc);
    acc = G.add(acc, parts[w]);
  }
  return acc;
}

async function fixedBaseMultiExp(curve: Bn254Engine, group: 'G1' | 'G2', table: FixedBaseTable, sc: Uint8Array, runner: Runner): Promise<unknown> {
  const G = curve[group];
  const { c, w } = table;
  const nBuckets = 1 << (c - 1);
  const digits = signedDigits(sc, sc.byteLength / N8, c, true);
  const results = await Promise.all(
    table.parts.map((part) => {
      // A resident part is summed by the worker that holds it; a part held here travels with its task.
      const here = part.points !== undefined;
      if (!here && !runner.pool) throw new Error('the fixed-base table lives in a pool that is gone');
      return runner.run(
        [
          ...(here ? [{ cmd: 'ALLOCSET', var: 0, buff: part.points }] : []),
          { cmd: 'ALLOCSET', var: 1, buff: bytesOf(digits.slice(part.first * w, (part.first + part.count) * w)) },
          { cmd: 'ALLOC', var: 2, len: digitsScratchBytes(group, part.count * w, nBuckets) },
          { cmd: 'ALLOC', var: 3, len: G.F.n8 * 3 },
          {
            cmd: 'CALL',
            fnName: DIGITS_FN[group],
            params: [here ? { var: 0 } : { res: part.res }, { var: 1 }, { val: part.count * w }, { val: nBuckets }, { var: 3 }, { var: 2 }],
          },
          { cmd: 'GET', out: 0, var: 3, len: G.F.n8 * 3 },
        ],
        here ? undefined : part.worker,
      );
    }),
  );
  return results.reduce((acc, [r]) => G.add(acc, r), G.zero);
}

/**
 * Table window: the table's n·w points each cost one batch-affine addition (about 6 field multiplications with the
 * shared inversion, plus the sort), and each part's buckets one mixed and one Jacobian addition (about 27)
 * each; c minimises the sum. Bigger c also means a smaller table.
 */
function tableBits(n: number, parts: number, fieldCost: number): number {
  let best = 4;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let c = 4; c <= 16; c++) {
    const cost = n * signedWindows(c) * 7 * fieldCost + parts * (1 << (c - 1)) * 27 * fieldCost;
    if (cost < bestCost) {
      bestCost = cost;
      best = c;
    }
  }
  return best;
}

const MSM_NAMES = ['B2', 'H', 'A', 'C', 'B1'] as const;
type MsmName = (typeof MSM_NAMES)[number];

/** Bases per table-building task: small, so that a proof started meanwhile waits little for a free thread. */
const TABLE_CHUNK = { G1: 256, G2: 96 } as const;

/**
 * Computes the fixed-base table of each MSM of the key named in `which` on the thread pool: 254 doublings per base,
 * once, after which every proof with the key skips the windows' doublings and bucket sums. Tasks go out a few at a
 * time and `pause` is awaited before each round, so proofs keep the pool. attachFixedBaseTables puts them to use.
 */
export async function computeFixedBaseTables(
  curve: Bn254Engine,
  key: ProvingKey,
  which: readonly MsmName[] = MSM_NAMES,
  /** Awaited before each round of tasks (the prover holds the build here while a proof runs). */
  pause: () => Promise<void> = async () => undefined,
): Promise<Partial<Record<MsmName, FixedBaseTable>>> {
  const tables: Partial<Record<MsmName, FixedBaseTable>> = {};
  if (!hasBatchAffine(curve)) return tables;
  const threads = Math.max(1, curve.tm.concurrency);
  for (const name of which) {
    const group = name === 'B2' ? 'G2' : 'G1';
    const bases = key[name];
    if (bases.table || bases.count === 0) continue;
    const size = group === 'G1' ? G1_AFFINE : G2_AFFINE;
    const partsCount = Math.min(bases.count, 2 * threads);
    const c = tableBits(bases.count, partsCount, group === 'G1' ? 1 : 3);
    const w = signedWindows(c);
    const chunk = TABLE_CHUNK[group];
    const chunks: Uint8Array[] = [];
    for (let i0 = 0; i0 < bases.count; i0 += chunk * threads) {
      await pause();
      const jobs: Promise<Uint8Array[]>[] = [];
      for (let t = 0; t < threads; t++) {
        const first = i0 + t * chunk;
        const count = Math.min(chunk, bases.count - first);
        if (count <= 0) break;
        jobs.push(
          curve.tm.queueAction([
            { cmd: 'ALLOCSET', var: 0, buff: bases.points.slice(first * size, (first + count) * size) },
            { cmd: 'ALLOC', var: 1, len: count * w * size },
            { cmd: 'ALLOC', var: 2, len: tableScratchBytes(group, count, w) },
            { cmd: 'CALL', fnName: TABLE_FN[group], params: [{ var: 0 }, { val: count }, { val: c }, { val: w }, { var: 2 }, { var: 1 }] },
            { cmd: 'GET', out: 0, var: 1, len: count * w * size },
          ]),
        );
      }
      for (const [r] of await Promise.all(jobs)) chunks.push(r!);
    }
    const all = new Uint8Array(bases.count * w * size);
    let o = 0;
    for (const part of chunks) {
      all.set(part, o);
      o += part.byteLength;
    }
    const per = Math.ceil(bases.count / partsCount);
    const parts: FixedBaseTable['parts'] = [];
    for (let first = 0; first < bases.count; first += per) {
      const count = Math.min(per, bases.count - first);
      parts.push({ first, count, points: all.slice(first * w * size, (first + count) * w * size) });
    }
    tables[name] = { c, w, parts };
  }
  return tables;
}

let residentIds = 0;

/**
 * Sends the key's bases and QAP coefficients once to every worker of `pool`, where they stay: the key's proofs then
 * send only their scalars. A key made resident in a pool that has since closed is made resident again in the new one
 * (its tables in the old pool are gone with it).
 */
const residentStarts = new WeakMap<ProvingKey, { pool: ResidentPool; done: Promise<void> }>();
export function makeKeyResident(pool: ResidentPool, key: ProvingKey): Promise<void> {
  if (key.resident?.pool === pool) return Promise.resolve();
  // Calls made while the first is sending share it (a proof and the table build may both ask).
  const started = residentStarts.get(key);
  if (started?.pool === pool) return started.done;
  const done = sendKey(pool, key);
  residentStarts.set(key, { pool, done });
  done.catch(() => residentStarts.delete(key));
  return done;
}

async function sendKey(pool: ResidentPool, key: ProvingKey): Promise<void> {
  for (const name of MSM_NAMES) {
    const table = key[name].table;
    if (table?.parts.some((p) => p.points === undefined)) delete key[name].table;
    delete key[name].res;
    delete key[name].res29;
  }
  const id = `k${residentIds++}`;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < pool.size; i++) {
    sends.push(pool.keep(i, `${id}.coeffs`, key.coeffs));
    for (const name of MSM_NAMES) if (key[name].count > 0) sends.push(pool.keep(i, `${id}.${name}`, key[name].points));
  }
  await Promise.all(sends);
  // The bases also in fq29's representation, converted in each worker where they live (nothing more is sent).
  const named = MSM_NAMES.filter((name) => key[name].count > 0);
  if (pool.hasFunction(FQ29_BASES_FN.G1) && pool.hasFunction(FQ29_BASES_FN.G2)) {
    const converts: Promise<unknown>[] = [];
    for (let i = 0; i < pool.size; i++) {
      for (const name of named) {
        const group = name === 'B2' ? 'G2' : 'G1';
        const res29 = `${id}.${name}.29`;
        converts.push(
          pool
            .keep(i, res29, key[name].count * AFFINE_FQ29[group])
            .then(() =>
              pool.run([{ cmd: 'CALL', fnName: FQ29_BASES_FN[group], params: [{ res: `${id}.${name}` }, { val: key[name].count }, { res: res29 }] }], i),
            ),
        );
      }
    }
    await Promise.all(converts);
    for (const name of named) if (!key[name].fq29Refused) key[name].res29 = `${id}.${name}.29`;
  }
  for (const name of MSM_NAMES) if (key[name].count > 0) key[name].res = `${id}.${name}`;
  key.resident = { pool, id };
}

/**
 * Builds the key's fixed-base tables inside the workers of its resident pool, each worker its own share of every
 * MSM's bases (one table part per worker, kept where it is built: nothing is copied back or sent again), in small
 * tasks with `pause` awaited between rounds so that proofs keep the threads. Attaches each table when it is complete.
 */
export async function buildResidentTables(
  curve: Bn254Engine,
  key: ProvingKey,
  pause: () => Promise<void> = async () => undefined,
  which: readonly MsmName[] = MSM_NAMES,
): Promise<void> {
  const resident = key.resident;
  if (!resident || resident.pool.closed || !hasBatchAffine(curve)) return;
  const { pool, id } = resident;
  for (const name of which) {
    const group = name === 'B2' ? 'G2' : 'G1';
    const bases = key[name];
    if (bases.table || bases.count === 0 || !bases.res) continue;
    const size = group === 'G1' ? G1_AFFINE : G2_AFFINE;
    const partsCount = Math.min(bases.count, pool.size);
    const c = tableBits(bases.count, partsCount, group === 'G1' ? 1 : 3);
    const w = signedWindows(c);
    const per = Math.ceil(bases.count / partsCount);
    const parts: FixedBaseTable['parts'] = [];
    for (let first = 0, worker = 0; first < bases.count; first += per, worker++) {
      const count = Math.min(per, bases.count - first);
      const res = `${id}.T.${name}`;
      await pool.keep(worker, res, count * w * size);
      parts.push({ first, count, worker, res });
    }
    const chunk = TABLE_CHUNK[group];
    for (let done = 0; done < per; done += chunk) {
      await pause();
      if (key.resident !== resident || pool.closed) return;
      await Promise.all(
        parts.map((part) => {
          const count = Math.min(chunk, part.count - done);
          if (count <= 0) return undefined;
          return pool.run(
            [
              { cmd: 'ALLOC', var: 2, len: tableScratchBytes(group, count, w) },
              {
                cmd: 'CALL',
                fnName: TABLE_FN[group],
                params: [
                  { res: bases.res, offset: (part.first + done) * size },
                  { val: count },
                  { val: c },
                  { val: w },
                  { var: 2 },
                  { res: part.res, offset: done * w * size },
                ],
              },
            ],
            part.worker,
          );
        }),
      );
    }
    bases.table = { c, w, parts };
  }
}

/** Bytes the key's fixed-base tables would take (computeFixedBaseTables's choice of window for this pool). */
export function fixedBaseTableEstimate(curve: Bn254Engine, key: ProvingKey, threads = Math.max(1, curve.tm.concurrency)): number {
  return MSM_NAMES.reduce((sum, name) => {
    const g1 = name !== 'B2';
    const n = key[name].count;
    if (n === 0) return sum;
    const c = tableBits(n, Math.min(n, 2 * threads), g1 ? 1 : 3);
    return sum + n * signedWindows(c) * (g1 ? G1_AFFINE : G2_AFFINE);
  }, 0);
}

export function attachFixedBaseTables(key: ProvingKey, tables: Partial<Record<MsmName, FixedBaseTable>>): void {
  for (const name of MSM_NAMES) if (tables[name]) key[name].table = tables[name];
}

/** computeFixedBaseTables then attachFixedBaseTables; resolves to the tables' size in bytes. */
export async function buildFixedBaseTables(curve: Bn254Engine, key: ProvingKey, which: readonly MsmName[] = MSM_NAMES): Promise<number> {
  attachFixedBaseTables(key, await computeFixedBaseTables(curve, key, which));
  return fixedBaseTableBytes(key);
}

/** Drops every fixed-base table of the key (the prover's way back when a proof made with them fails its check). */
export function dropFixedBaseTables(key: ProvingKey): boolean {
  let had = false;
  for (const name of MSM_NAMES) {
    if (key[name].table) had = true;
    delete key[name].table;
  }
  const resident = key.resident;
  if (resident && !resident.pool.closed) void resident.pool.drop(`${resident.id}.T.`).catch(() => undefined);
  return had;
}

/**
 * Stops the key's MSMs using the fq29 kernels (the prover's way back when a proof made with them fails its check):
 * its bases keep to wasmcurves' field code for the session and their fq29 copies leave the workers. False when they
 * already did.
 */
export function dropFq29Bases(key: ProvingKey): boolean {
  if (MSM_NAMES.every((name) => key[name].fq29Refused)) return false;
  for (const name of MSM_NAMES) {
    key[name].fq29Refused = true;
    delete key[name].res29;
  }
  const resident = key.resident;
  if (resident && !resident.pool.closed) for (const name of MSM_NAMES) void resident.pool.drop(`${resident.id}.${name}.29`).catch(() => undefined);
  return true;
}

/** Bytes of the key's fixed-base tables. */
export function fixedBaseTableBytes(key: ProvingKey): number {
  const size = (name: MsmName): number => (name === 'B2' ? G2_AFFINE : G1_AFFINE);
  return MSM_NAMES.reduce((sum, name) => sum + (key[name].table?.parts.reduce((s, p) => s + p.count * key[name].table!.w * size(name), 0) ?? 0), 0);
}

/**
 * h's evaluations on the odd coset, as the H bases expect them: A, B, C from the witness, each interpolated and
 * re-evaluated on the coset, then (A·B − C) — all in one WASM task (a few milliseconds of work, so thread
 * round-trips between the steps would cost more than the steps).
 */
/** Benchmarks only: `splitQuotient = false` runs the QAP as one task on the resident pool too (the before of the split). */
/** fq29 = false: G1's signed windows add with wasmcurves' field code (the before of field29.ts; tests, benchmarks). */
export const proverTuning = { splitQuotient: true, fq29: true };

export async function quotientOnCoset(curve: Bn254Engine, key: ProvingKey, witness: Uint8Array, runner: Runner = tmRunner(curve)): Promise<Uint8Array> {
  if (runner.pool && key.resident && runner.concurrency > 1 && proverTuning.splitQuotient) return quotientSplit(curve, key, witness, runner);
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
  const [h] = await runner.run(task);
  return h!;
}

/**
 * The same on several threads: A, B and C each interpolated and moved to the coset by its own task (three tasks of
 * a third of the work, which the threads take as they come free, instead of one on one thread while H waits for
 * it), then one short task joins them. The coefficients are resident in every worker.
 */
async function quotientSplit(curve: Bn254Engine, key: ProvingKey, witness: Uint8Array, runner: Runner): Promise<Uint8Array> {
  const n = key.domainSize;
  const len = n * N8;
  const inc = curve.Fr.w[key.power + 1]!;
  const one = curve.Fr.e(1);
  const coeffs = `${key.resident!.id}.coeffs`;
  const transformed = await Promise.all(
    [2, 3, 4].map(async (v) => {
      const [out] = await runner.run([
        { cmd: 'ALLOCSET', var: 1, buff: witness },
        { cmd: 'ALLOC', var: 2, len },
        { cmd: 'ALLOC', var: 3, len },
        { cmd: 'ALLOC', var: 4, len },
        { cmd: 'ALLOCSET', var: 5, buff: one },
        { cmd: 'ALLOCSET', var: 6, buff: inc },
        {
          cmd: 'CALL',
          fnName: 'qap_buildABC',
          params: [
            { res: coeffs },
            { val: key.nCoeffs },
            { var: 1 },
            { var: 2 },
            { var: 3 },
            { var: 4 },
            { val: 0 },
            { val: n },
            { val: 0 },
            { val: key.nVars },
          ],
        },
        { cmd: 'CALL', fnName: 'frm_ifft', params: [{ var: v }, { val: n }] },
        { cmd: 'CALL', fnName: 'frm_batchApplyKey', params: [{ var: v }, { val: n }, { var: 5 }, { var: 6 }, { var: v }] },
        { cmd: 'CALL', fnName: 'frm_fft', params: [{ var: v }, { val: n }] },
        { cmd: 'GET', out: 0, var: v, len },
      ]);
      return out!;
    }),
  );
  // Urgent: it goes before the MSM tasks already queued, so that H's digits are made here while the threads work.
  const [h] = await runner.run(
    [
      { cmd: 'ALLOCSET', var: 2, buff: transformed[0] },
      { cmd: 'ALLOCSET', var: 3, buff: transformed[1] },
      { cmd: 'ALLOCSET', var: 4, buff: transformed[2] },
      { cmd: 'ALLOC', var: 7, len },
      { cmd: 'CALL', fnName: 'qap_joinABC', params: [{ var: 2 }, { var: 3 }, { var: 4 }, { val: n }, { var: 7 }] },
      { cmd: 'CALL', fnName: 'frm_batchFromMontgomery', params: [{ var: 7 }, { val: n }, { var: 7 }] },
      { cmd: 'GET', out: 0, var: 7, len },
    ],
    undefined,
    true,
  );
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
  kernel: MsmKernel = 'fixed',
): Promise<{ proof: Groth16ProofObject; publicSignals: string[] }> {
  if (witness.byteLength !== key.nVars * N8) throw new Error(`the witness has ${witness.byteLength / N8} values, the proving key expects ${key.nVars}`);
  const { G1, G2, Fr } = curve;
  const runner = runnerOf(curve, key);
  // Everything that needs only the witness starts at once (the quotient's tasks first, so that the threads take them
  // first); H waits for the quotient.
  const hPromise = quotientOnCoset(curve, key, witness, runner).then((h) => multiExp(curve, 'G1', key.H, h, 0, kernel, runner));
  const [a, b1, b2, c, h] = await Promise.all([
    multiExp(curve, 'G1', key.A, witness, 0, kernel, runner),
    multiExp(curve, 'G1', key.B1, witness, 0, kernel, runner),
    multiExp(curve, 'G2', key.B2, witness, 0, kernel, runner),
    multiExp(curve, 'G1', key.C, witness, (key.nPublic + 1) * N8, kernel, runner),
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
