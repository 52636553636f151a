// A bucket-method multi-exponentiation window with batch-affine additions, added to snarkjs's BN254 WebAssembly
// module through ffjavascript's plugin hook (the module is generated at start-up by wasmbuilder from wasmcurves, and
// this adds two functions to it, one for G1 and one for G2; the thread workers get the same module).
//
// Why: wasmcurves' own window kernel (g1m_multiexpAffine_chunk) adds every point into a Jacobian bucket, about 11
// field multiplications per addition. Here the points of a window are first sorted by bucket (counting sort), then
// each bucket's points are summed pairwise in rounds, with all the pairs of a round sharing one field inversion
// (Montgomery's trick): an affine addition then costs about 6 multiplications. The buckets end as one affine point
// each and are combined by the usual running sum. Same parameters and result as the wasmcurves kernel, plus a
// scratch area the caller allocates (batchAffineScratchBytes). If two points of a pair share their x (a doubling or a
// sum at infinity, only possible with repeated bases), the window is recomputed with the wasmcurves kernel instead.

import { buildFq29, FQ29_BYTES, FQ29_FN } from './field29';

/** The wasmbuilder objects used here (wasmbuilder is untyped). */
interface CodeBuilder {
  [op: string]: (...args: never[]) => number[];
}
interface FunctionBuilder {
  addParam(name: string, type: 'i32'): void;
  addLocal(name: string, type: 'i32'): void;
  getCodeBuilder(): CodeBuilder;
  addCode(...code: number[][]): void;
}
export interface WasmModuleBuilder {
  addFunction(name: string): FunctionBuilder;
  exportFunction(name: string): void;
  functionIdxByName: Record<string, number>;
}

export const BATCH_AFFINE_FN = { G1: 'g1m_multiexpBatchAffine_chunk', G2: 'g2m_multiexpBatchAffine_chunk' } as const;
/**
 * Σ dᵢ·Pᵢ for small signed digits dᵢ given as i32 (|dᵢ| ≤ nBuckets): the same bucket method with batch-affine
 * additions, one bucket set for the whole call. Used for signed-digit windows (a negative digit adds −P, so half the
 * buckets cover the same digits) and for fixed-base tables (every point 2^(c·j)·P of a base with the digit of
 * window j, so one call replaces all the windows and the doublings between them). Parameters: pPoints, pDigits, n,
 * nBuckets, pr, pScratch (digitsScratchBytes).
 */
export const DIGITS_FN = { G1: 'g1m_bucketSumDigits', G2: 'g2m_bucketSumDigits' } as const;
/** The fixed-base table of n affine bases: 2^(c·j)·Pᵢ for j < w, affine, at (i·w + j). Parameters: pBases, n, c, w, pJacobian (n·w Jacobian points of scratch), pOut. */
export const TABLE_FN = { G1: 'g1m_shiftedTable', G2: 'g2m_shiftedTable' } as const;

/**
 * DIGITS_FN for G1 on bases held in field29.ts's representation (9 × 29-bit limbs, 72 bytes a point; FQ29_BASES_FN
 * converts them): the same bucket sum with its additions in fq29 arithmetic, about 1.45× faster per multiplication
 * than wasmcurves' f1m_mul. Same parameters and result (a Jacobian point in wasmcurves' form).
 */
export const DIGITS29_FN = { G1: 'g1m_bucketSumDigits29', G2: 'g2m_bucketSumDigits29' } as const;
/** Converts n affine points from wasmcurves' form (64 / 128 bytes) to fq29's (72 / 144 bytes): pIn, n, pOut. */
export const FQ29_BASES_FN = { G1: 'g1m_toFq29', G2: 'g2m_toFq29' } as const;
/** Bytes of an affine point in fq29's representation. */
export const AFFINE_FQ29 = { G1: 2 * FQ29_BYTES, G2: 4 * FQ29_BYTES } as const;

/** Field element size of the group's coordinates. */
const N8 = { G1: 32, G2: 64 } as const;
// Field-element slots: λ, t, product, inverse, x3, y3, two Jacobian points, then (digits kernel's fallback) a negated
// affine point, a Jacobian product and a 4-byte scalar, then (fq29 kernel) an affine point in wasmcurves' form.
const TEMPS = 21;

/** Bytes of scratch memory the kernel needs for `n` points and `chunkSize`-bit windows. */
export function batchAffineScratchBytes(group: 'G1' | 'G2', n: number, chunkSize: number): number {
  return scratchBytes(group, n, 1 << chunkSize);
}

/** Bytes of scratch memory the digits kernel needs for `n` points and digits up to ±nBuckets. */
export function digitsScratchBytes(group: 'G1' | 'G2', n: number, nBuckets: number): number {
  return scratchBytes(group, n, nBuckets + 1);
}

/** Bytes of scratch memory DIGITS29_FN needs for `n` points and digits up to ±nBuckets. */
export function digits29ScratchBytes(group: 'G1' | 'G2', n: number, nBuckets: number): number {
  return scratchBytes(group, n, nBuckets + 1, AFFINE_FQ29[group] / 2);
}

function scratchBytes(group: 'G1' | 'G2', n: number, nTable: number, n8: number = N8[group]): number {
  const pairs = (n >> 1) + 1;
  return nTable * 12 + pairs * (12 + 2 * n8) + TEMPS * n8 + 16 + n * 2 * n8;
}

/**
 * Bytes of the Jacobian scratch a TABLE_FN call needs. Allocate it last in the task: batchToAffine takes n·w·n8 more
 * from the free-memory pointer, and ffjavascript's thread always leaves a last allocation's size free behind it.
 */
export function tableScratchBytes(group: 'G1' | 'G2', n: number, w: number): number {
  return n * w * 3 * N8[group];
}

/** The functions of wasmcurves' module the kernels call (internals.test.ts checks them against the pinned version). */
export const BATCH_AFFINE_CALLS = ['g', 'f']
  .flatMap((kind) =>
    kind === 'g'
      ? [
          'zero',
          'copy',
          'add',
          'addMixed',
          'double',
          'multiexpAffine_getChunk',
          'multiexpAffine_chunk',
          'negAffine',
          'timesScalarAffine',
          'toJacobian',
          'batchToAffine',
        ].flatMap((op) => [`g1m_${op}`, `g2m_${op}`])
      : ['copy', 'sub', 'mul', 'square', 'inverse', 'isZero', 'one', 'neg'].flatMap((op) => [`f1m_${op}`, `f2m_${op}`]),
  )
  .sort();

/**
 * The ffjavascript plugin: adds both kernels to the module being built. Should a wasmcurves function they call be
 * missing, it adds nothing (a half-built function would break the whole engine) and groth16.ts keeps to wasmcurves'
 * own kernel.
 */
export function batchAffinePlugin(module: WasmModuleBuilder): void {
  if (BATCH_AFFINE_CALLS.some((name) => module.functionIdxByName[name] === undefined)) return;
  for (const [group, g, f] of [
    ['G1', 'g1m', 'f1m'],
    ['G2', 'g2m', 'f2m'],
  ] as const) {
    buildKernel(module, group, g, f, 'window');
    buildKernel(module, group, g, f, 'digits');
    buildTable(module, group, g);
  }
  buildFq29(module);
  buildKernel(module, 'G1', 'g1m', 'fq29', 'digits');
  buildKernel(module, 'G2', 'g2m', 'fq2_29', 'digits');
  buildBasesToFq29(module, 'G1');
  buildBasesToFq29(module, 'G2');
}

function buildBasesToFq29(module: WasmModuleBuilder, group: 'G1' | 'G2'): void {
  const fn = module.addFunction(FQ29_BASES_FN[group]);
  for (const p of ['pIn', 'n', 'pOut']) fn.addParam(p, 'i32');
  fn.addLocal('i', 'i32');
  const c = fn.getCodeBuilder() as unknown as Record<string, (...args: unknown[]) => number[]>;
  const get = (name: string): number[] => c.getLocal!(name);
  const coords = group === 'G1' ? 2 : 4;
  const inAt = (off: number): number[] => c.i32_add!(c.i32_add!(get('pIn'), c.i32_mul!(get('i'), c.i32_const!(32 * coords))), c.i32_const!(off));
  const outAt = (off: number): number[] => c.i32_add!(c.i32_add!(get('pOut'), c.i32_mul!(get('i'), c.i32_const!(AFFINE_FQ29[group]))), c.i32_const!(off));
  fn.addCode(
    c.setLocal!('i', c.i32_const!(0)),
    c.block!(
      c.loop!(
        c.br_if!(1, c.i32_ge_u!(get('i'), get('n'))),
        ...Array.from({ length: coords }, (_, k) => c.call!(FQ29_FN.fromWords, inAt(32 * k), outAt(FQ29_BYTES * k))),
        c.setLocal!('i', c.i32_add!(get('i'), c.i32_const!(1))),
        c.br!(0),
      ),
    ),
  );
  module.exportFunction(FQ29_BASES_FN[group]);
}

function buildTable(module: WasmModuleBuilder, group: 'G1' | 'G2', g: string): void {
  const n8 = N8[group];
  const fn = module.addFunction(TABLE_FN[group]);
  for (const p of ['pBases', 'n', 'c', 'w', 'pJac', 'pOut']) fn.addParam(p, 'i32');
  for (const l of ['i', 'j', 'k', 'pAcc']) fn.addLocal(l, 'i32');
  const c = fn.getCodeBuilder() as unknown as Record<string, (...args: unknown[]) => number[]>;
  const C = (v: number): number[] => c.i32_const!(v);
  const get = (name: string): number[] => c.getLocal!(name);
  const set = (name: string, v: number[]): number[] => c.setLocal!(name, v);
  const add = (a: number[], b: number[]): number[] => c.i32_add!(a, b);
  const mul = (a: number[], b: number[]): number[] => c.i32_mul!(a, b);
  const forUp = (v: string, to: number[], ...body: number[][]): number[] => [
    ...set(v, C(0)),
    ...c.block!(c.loop!(c.br_if!(1, c.i32_ge_u!(get(v), to)), ...body, set(v, add(get(v), C(1))), c.br!(0))),
  ];
  // Each base's chain of doublings is written straight into its run of Jacobian slots (slot j from slot j − 1), then
  // one batch conversion (a single inversion) makes them all affine.
  fn.addCode(
    forUp(
      'i',
      get('n'),
      set('pAcc', add(get('pJac'), mul(mul(get('i'), get('w')), C(3 * n8)))),
      c.call!(`${g}_toJacobian`, add(get('pBases'), mul(get('i'), C(2 * n8))), get('pAcc')),
      forUp(
        'j',
        c.i32_sub!(get('w'), C(1)),
        c.call!(`${g}_copy`, get('pAcc'), add(get('pAcc'), C(3 * n8))),
        set('pAcc', add(get('pAcc'), C(3 * n8))),
        forUp('k', get('c'), c.call!(`${g}_double`, get('pAcc'), get('pAcc'))),
      ),
    ),
    c.call!(`${g}_batchToAffine`, get('pJac'), mul(get('n'), get('w')), get('pOut')),
  );
  module.exportFunction(TABLE_FN[group]);
}

function buildKernel(module: WasmModuleBuilder, group: 'G1' | 'G2', g: string, f: string, mode: 'window' | 'digits'): void {
  // fq29: the bases, sorted points and field temporaries are fq29 elements; the group functions (bucket running sum,
  // fallback) get wasmcurves' points, converted into slot AFF.
  const fq29 = f.startsWith('fq');
  const n8 = fq29 ? AFFINE_FQ29[group] / 2 : N8[group];
  const ps = 2 * n8;
  const digits = mode === 'digits';
  const name = fq29 ? DIGITS29_FN[group] : digits ? DIGITS_FN[group] : BATCH_AFFINE_FN[group];
  const fn = module.addFunction(name);
  const params = digits
    ? ['pBases', 'pDigits', 'n', 'nBuckets', 'pr', 'pScratch']
    : ['pBases', 'pScalars', 'scalarSize', 'n', 'startBit', 'chunkSize', 'pr', 'pScratch'];
  for (const p of params) fn.addParam(p, 'i32');
  for (const l of ['nTable', 'pL', 'pSt', 'pCur', 'pPairs', 'pD', 'pPre', 'pT', 'pS', 'i', 'b', 'k', 'len', 'idx', 'm', 'pA', 'pB', 'pO', 'start', 'acc', 'd'])
    fn.addLocal(l, 'i32');
  const c = fn.getCodeBuilder() as unknown as Record<string, (...args: unknown[]) => number[]>;
  const C = (v: number): number[] => c.i32_const!(v);
  const get = (name: string): number[] => c.getLocal!(name);
  const set = (name: string, v: number[]): number[] => c.setLocal!(name, v);
  const add = (a: number[], b: number[]): number[] => c.i32_add!(a, b);
  const mul = (a: number[], b: number[]): number[] => c.i32_mul!(a, b);
  const load = (addr: number[], off = 0): number[] => c.i32_load!(addr, off);
  const store = (addr: number[], v: number[], off = 0): number[] => c.i32_store!(addr, off, v);
  const call = (name: string, ...args: number[][]): number[] => c.call!(name, ...args);
  const at = (base: string, index: number[], size: number): number[] => add(get(base), mul(index, C(size)));
  /** for (v = from; v < to; v++) body */
  const forUp = (v: string, from: number[], to: number[], ...body: number[][]): number[] => [
    ...set(v, from),
    ...c.block!(c.loop!(c.br_if!(1, c.i32_ge_u!(get(v), to)), ...body, set(v, add(get(v), C(1))), c.br!(0))),
  ];
  // The bucket of point i into local idx (digits: |dᵢ|, with dᵢ's sign kept in local d).
  const bucketOf = (i: number[]): number[] =>
    digits
      ? [
          ...set('d', load(add(get('pDigits'), mul(i, C(4))))),
          ...set('idx', get('d')),
          ...c.if!(c.i32_lt_s!(get('d'), C(0)), set('idx', c.i32_sub!(C(0), get('d')))),
        ]
      : set('idx', call(`${g}_multiexpAffine_getChunk`, add(get('pScalars'), mul(i, get('scalarSize'))), get('scalarSize'), get('startBit'), get('chunkSize')));
  const copyPoint = (from: number[], to: number[]): number[] => [...call(`${f}_copy`, from, to), ...call(`${f}_copy`, add(from, C(n8)), add(to, C(n8)))];
  const T = (slot: number): number[] => add(get('pT'), C(slot * n8));
  const [LAM, TA, PROD, INV, X3, Y3, JACC, JSUM] = [0, 1, 2, 3, 4, 5, 6, 9];
  const x = (p: string): number[] => get(p);
  const y = (p: string): number[] => add(get(p), C(n8));
  const [NEGP, TJ, SCAL, AFF] = [13, 15, 18, 19];
  // The affine point at `p` as wasmcurves' point: itself, or (fq29) converted into slot AFF.
  const wcPoint = (p: number[]): { code: number[]; at: number[] } =>
    fq29
      ? {
          code: Array.from({ length: ps / FQ29_BYTES }, (_, k) => call(FQ29_FN.toWords, add(p, C(k * FQ29_BYTES)), add(T(AFF), C(32 * k)))).flat(),
          at: T(AFF),
        }
      : { code: [], at: p };
  const base = wcPoint(at('pBases', get('i'), ps));
  // Digits kernel, when a pair shares its x: Σ dᵢ·Pᵢ one scalar multiplication at a time into T(JACC) (slow, but only
  // met with repeated or opposite points, never with a proving key's independent bases).
  const fallbackDigits = (): number[] => [
    ...call(`${g}_zero`, T(JACC)),
    ...forUp(
      'i',
      C(0),
      get('n'),
      bucketOf(get('i')),
      c.if!(get('idx'), [
        ...store(T(SCAL), get('idx')),
        ...base.code,
        ...c.if!(
          c.i32_lt_s!(get('d'), C(0)),
          [...call(`${g}_negAffine`, base.at, T(NEGP)), ...call(`${g}_timesScalarAffine`, T(NEGP), T(SCAL), C(4), T(TJ))],
          call(`${g}_timesScalarAffine`, base.at, T(SCAL), C(4), T(TJ)),
        ),
        ...call(`${g}_add`, T(JACC), T(TJ), T(JACC)),
      ]),
    ),
    ...call(`${g}_copy`, T(JACC), get('pr')),
  ];

  const bucket = wcPoint(at('pS', load(at('pSt', get('b'), 4)), ps));
  fn.addCode(
    c.if!(c.i32_eqz!(get('n')), [...call(`${g}_zero`, get('pr')), ...c.ret!([])]),
    set('nTable', digits ? add(get('nBuckets'), C(1)) : c.i32_shl!(C(1), get('chunkSize'))),
    set('pL', get('pScratch')),
    set('pSt', add(get('pL'), mul(get('nTable'), C(4)))),
    set('pCur', add(get('pSt'), mul(get('nTable'), C(4)))),
    set('pPairs', add(get('pCur'), mul(get('nTable'), C(4)))),
    set('pD', add(get('pPairs'), mul(add(c.i32_shr_u!(get('n'), C(1)), C(1)), C(12)))),
    set('pPre', add(get('pD'), mul(add(c.i32_shr_u!(get('n'), C(1)), C(1)), C(n8)))),
    set('pT', add(get('pPre'), mul(add(c.i32_shr_u!(get('n'), C(1)), C(1)), C(n8)))),
    // 16-byte aligned point storage after the temporaries
    set('pS', c.i32_and!(add(add(get('pT'), C(TEMPS * n8)), C(15)), C(-16))),

    // Count the points of each bucket (digit 0 adds nothing), then lay them out bucket by bucket.
    forUp('b', C(0), get('nTable'), store(at('pL', get('b'), 4), C(0))),
    forUp('i', C(0), get('n'), bucketOf(get('i')), c.if!(get('idx'), store(at('pL', get('idx'), 4), add(load(at('pL', get('idx'), 4)), C(1))))),
    set('acc', C(0)),
    forUp(
      'b',
      C(0),
      get('nTable'),
      store(at('pSt', get('b'), 4), get('acc')),
      store(at('pCur', get('b'), 4), get('acc')),
      set('acc', add(get('acc'), load(at('pL', get('b'), 4)))),
    ),
    forUp(
      'i',
      C(0),
      get('n'),
      bucketOf(get('i')),
      c.if!(get('idx'), [
        ...set('k', load(at('pCur', get('idx'), 4))),
        ...store(at('pCur', get('idx'), 4), add(get('k'), C(1))),
        ...(digits
          ? [
              ...call(`${f}_copy`, at('pBases', get('i'), ps), at('pS', get('k'), ps)),
              ...c.if!(
                c.i32_lt_s!(get('d'), C(0)),
                call(`${f}_neg`, add(at('pBases', get('i'), ps), C(n8)), add(at('pS', get('k'), ps), C(n8))),
                call(`${f}_copy`, add(at('pBases', get('i'), ps), C(n8)), add(at('pS', get('k'), ps), C(n8))),
              ),
            ]
          : copyPoint(at('pBases', get('i'), ps), at('pS', get('k'), ps))),
      ]),
    ),

    // Rounds: in every bucket with two points or more, points 2k and 2k+1 are added into slot k.
    c.block!(
      c.loop!(
        set('m', C(0)),
        forUp(
          'b',
          C(1),
          get('nTable'),
          set('len', load(at('pL', get('b'), 4))),
          c.if!(c.i32_ge_u!(get('len'), C(2)), [
            ...set('start', load(at('pSt', get('b'), 4))),
            ...forUp(
              'k',
              C(0),
              c.i32_shr_u!(get('len'), C(1)),
              store(at('pPairs', get('m'), 12), at('pS', add(get('start'), c.i32_shl!(get('k'), C(1))), ps)),
              store(at('pPairs', get('m'), 12), at('pS', add(add(get('start'), c.i32_shl!(get('k'), C(1))), C(1)), ps), 4),
              store(at('pPairs', get('m'), 12), at('pS', add(get('start'), get('k')), ps), 8),
              set('m', add(get('m'), C(1))),
            ),
          ]),
        ),
        c.br_if!(1, c.i32_eqz!(get('m'))),

        // Denominators x₂ − x₁ and their running products.
        call(`${f}_one`, T(PROD)),
        forUp(
          'i',
          C(0),
          get('m'),
          set('pA', load(at('pPairs', get('i'), 12))),
          set('pB', load(at('pPairs', get('i'), 12), 4)),
          call(`${f}_sub`, x('pB'), x('pA'), at('pD', get('i'), n8)),
          c.if!(call(`${f}_isZero`, at('pD', get('i'), n8)), [
            ...(digits
              ? fallbackDigits()
              : call(`${g}_multiexpAffine_chunk`, get('pBases'), get('pScalars'), get('scalarSize'), get('n'), get('startBit'), get('chunkSize'), get('pr'))),
            ...c.ret!([]),
          ]),
          call(`${f}_copy`, T(PROD), at('pPre', get('i'), n8)),
          call(`${f}_mul`, T(PROD), at('pD', get('i'), n8), T(PROD)),
        ),
        // One inversion, then every denominator's inverse walking back.
        call(`${f}_inverse`, T(PROD), T(INV)),
        set('i', get('m')),
        c.block!(
          c.loop!(
            c.br_if!(1, c.i32_eqz!(get('i'))),
            set('i', c.i32_sub!(get('i'), C(1))),
            call(`${f}_mul`, T(INV), at('pPre', get('i'), n8), T(TA)),
            call(`${f}_mul`, T(INV), at('pD', get('i'), n8), T(INV)),
            call(`${f}_copy`, T(TA), at('pD', get('i'), n8)),
            c.br!(0),
          ),
        ),
        // λ = (y₂ − y₁)/(x₂ − x₁), x₃ = λ² − x₁ − x₂, y₃ = λ(x₁ − x₃) − y₁; slot k ≤ 2k, so going forward never
        // overwrites a point still to be read.
        forUp(
          'i',
          C(0),
          get('m'),
          set('pA', load(at('pPairs', get('i'), 12))),
          set('pB', load(at('pPairs', get('i'), 12), 4)),
          set('pO', load(at('pPairs', get('i'), 12), 8)),
          call(`${f}_sub`, y('pB'), y('pA'), T(LAM)),
          call(`${f}_mul`, T(LAM), at('pD', get('i'), n8), T(LAM)),
          call(`${f}_square`, T(LAM), T(X3)),
          call(`${f}_sub`, T(X3), x('pA'), T(X3)),
          call(`${f}_sub`, T(X3), x('pB'), T(X3)),
          call(`${f}_sub`, x('pA'), T(X3), T(Y3)),
          call(`${f}_mul`, T(LAM), T(Y3), T(Y3)),
          call(`${f}_sub`, T(Y3), y('pA'), T(Y3)),
          call(`${f}_copy`, T(X3), x('pO')),
          call(`${f}_copy`, T(Y3), y('pO')),
        ),
        // An odd bucket's last point moves down behind the sums; every length halves (rounded up).
        forUp(
          'b',
          C(1),
          get('nTable'),
          set('len', load(at('pL', get('b'), 4))),
          c.if!(c.i32_ge_u!(get('len'), C(2)), [
            ...set('start', load(at('pSt', get('b'), 4))),
            ...c.if!(
              c.i32_and!(get('len'), C(1)),
              copyPoint(at('pS', c.i32_sub!(add(get('start'), get('len')), C(1)), ps), at('pS', add(get('start'), c.i32_shr_u!(get('len'), C(1))), ps)),
            ),
            ...store(at('pL', get('b'), 4), c.i32_shr_u!(add(get('len'), C(1)), C(1))),
          ]),
        ),
        c.br!(0),
      ),
    ),

    // Σ b·bucket_b as a running sum from the top bucket down.
    // (bucket: the bucket's affine point, in wasmcurves' form.)
    call(`${g}_zero`, T(JACC)),
    call(`${g}_zero`, T(JSUM)),
    set('b', c.i32_sub!(get('nTable'), C(1))),
    c.block!(
      c.loop!(
        c.br_if!(1, c.i32_eqz!(get('b'))),
        c.if!(load(at('pL', get('b'), 4)), [...bucket.code, ...call(`${g}_addMixed`, T(JACC), bucket.at, T(JACC))]),
        call(`${g}_add`, T(JSUM), T(JACC), T(JSUM)),
        set('b', c.i32_sub!(get('b'), C(1))),
        c.br!(0),
      ),
    ),
    call(`${g}_copy`, T(JSUM), get('pr')),
  );
  module.exportFunction(name);
}
