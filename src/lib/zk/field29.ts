// BN254's base field Fq in 9 limbs of 29 bits, Montgomery form with R = 2^261, added to the prover's WebAssembly
// module through the same plugin hook as the MSM kernels (msm-batch-affine.ts).
//
// Why: wasmcurves' f1m_mul works on 8 limbs of 32 bits. Every 32×32-bit product in an i64 must have its carry split
// off at once (and, shift, add) or the next product overflows. With 29-bit limbs a product takes 58 bits and 18 of them
// (the 9 of the product and the 9 of the reduction that meet in one column) still fit under 2^63, so a column is a
// plain sum and the carries are taken once per limb of the reduction, not once per product (the approach the ZPrize
// WebAssembly MSM entries described; written here from that description). Values are kept "lazy": below 2p, not
// below p (R/p = 2^7 leaves room), so a multiplication needs no final subtraction.
//
// Memory layout of an element: 9 little-endian u32 words, each < 2^29 after a multiplication (36 bytes).

/** The wasmbuilder module object (untyped; the part used here). */
interface WasmModuleBuilder {
  addFunction(name: string): unknown;
  exportFunction(name: string): void;
}

/** BN254's base field modulus. */
export const FQ = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
export const LIMBS = 9;
const LIMB_BITS = 29;
export const FQ29_BYTES = LIMBS * 4;
const MASK = (1 << LIMB_BITS) - 1;
/** R of this representation: 2^261. */
export const R29 = 1n << BigInt(LIMBS * LIMB_BITS);

export function toLimbs(v: bigint): number[] {
  const out: number[] = [];
  for (let i = 0; i < LIMBS; i++) {
    out.push(Number(v & BigInt(MASK)));
    v >>= BigInt(LIMB_BITS);
  }
  return out;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [((a % m) + m) % m, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return ((s0 % m) + m) % m;
}

const P_LIMBS = toLimbs(FQ);
/** −p⁻¹ mod 2^29. */
const MU = Number((1n << 29n) - modInverse(FQ, 1n << 29n));
const P2_LIMBS = toLimbs(2n * FQ);

export const FQ29_FN = {
  mul: 'fq29_mul',
  square: 'fq29_square',
  sub: 'fq29_sub',
  neg: 'fq29_neg',
  copy: 'fq29_copy',
  one: 'fq29_one',
  isZero: 'fq29_isZero',
  inverse: 'fq29_inverse',
  fromWords: 'fq29_fromWords',
  toWords: 'fq29_toWords',
  mul32: 'fq29_mul32',
} as const;

/**
 * Fq2 = Fq[u]/(u² + 1) (BN254's, as wasmcurves' f2m) on pairs of fq29 elements (72 bytes): the same operations, for
 * the G2 kernel. mul is Karatsuba (3 fq29 multiplications), square (a+b)(a−b) and 2ab (2).
 */
const FQ2_29_FN = {
  mul: 'fq2_29_mul',
  square: 'fq2_29_square',
  sub: 'fq2_29_sub',
  neg: 'fq2_29_neg',
  copy: 'fq2_29_copy',
  one: 'fq2_29_one',
  isZero: 'fq2_29_isZero',
  inverse: 'fq2_29_inverse',
} as const;
/** Sum without carries (limbs below 2^30, value below 4p): only as an operand of fq29_mul, whose bounds allow it. */
const ADD_LAZY = 'fq29_addLazy';

type Code = number[];
type Builder = Record<string, (...args: unknown[]) => Code>;
interface Fn {
  addParam(n: string, t: string): void;
  addLocal(n: string, t: string): void;
  setReturnType(t: string): void;
  getCodeBuilder(): Builder;
  addCode(...c: Code[]): void;
}
type Module = WasmModuleBuilder & { alloc(bytes: number[] | number, data?: number[]): number };

function limbBytes(v: bigint): number[] {
  return toLimbs(v).flatMap((l) => [l & 0xff, (l >>> 8) & 0xff, (l >>> 16) & 0xff, l >>> 24]);
}

/**
 * Adds the fq29_* functions (FQ29_FN): arithmetic on 36-byte elements (29-bit limbs, Montgomery with R = 2^261, kept
 * below 2p and with normalised limbs; r may alias an operand), conversions from and to wasmcurves' elements (8 × 32-bit
 * words, Montgomery with R = 2^256, below p), and fq29_mul32: the multiplication taking and giving wasmcurves' words
 * (one operand repacked shifted left by 5 bits, which turns the reduction's 2^-261 into wasmcurves' 2^-256), to measure
 * what a drop-in f1m_mul would gain.
 */
export function buildFq29(module: WasmModuleBuilder): void {
  const m = module as Module;
  buildMul(m, FQ29_FN.mul, { x: 'limbs', y: 'limbs', out: 'limbs' });
  buildMul(m, FQ29_FN.square, { x: 'limbs', y: 'square', out: 'limbs' });
  buildMul(m, FQ29_FN.mul32, { x: 'words<<5', y: 'words', out: 'words' });
  // a·R2 = mont29(a·R1, R2²/R1); a·R1 = mont29(a·R2, R1).
  const r1 = (1n << 256n) % FQ;
  buildMul(m, FQ29_FN.fromWords, { x: 'words', y: (R29 * R29 * modInverse(r1, FQ)) % FQ, out: 'limbs' });
  buildMul(m, FQ29_FN.toWords, { x: 'limbs', y: r1, out: 'words' });
  buildSub(m, FQ29_FN.sub, false);
  buildSub(m, FQ29_FN.neg, true);
  buildCopy(m);
  buildOne(m);
  buildIsZero(m);
  buildInverse(m);
  buildAddLazy(m);
  buildFq2(m);
}

function buildAddLazy(module: Module): void {
  const { fn, c } = fnOf(module, ADD_LAZY);
  fn.addParam('x', 'i32');
  fn.addParam('y', 'i32');
  fn.addParam('r', 'i32');
  const code: Code[] = [];
  for (let k = 0; k < LIMBS; k++)
    code.push(c.i32_store!(c.getLocal!('r'), k * 4, c.i32_add!(c.i32_load!(c.getLocal!('x'), k * 4), c.i32_load!(c.getLocal!('y'), k * 4))));
  fn.addCode(...code);
}

function buildFq2(module: Module): void {
  const E = FQ29_BYTES;
  const T0 = module.alloc(E);
  const T1 = module.alloc(E);
  const S0 = module.alloc(E);
  const S1 = module.alloc(E);
  const pW = module.alloc(64);
  const two = (name: string, params: string[], body: (c: Builder, at: (p: string, k: 0 | 1) => Code) => Code[]): void => {
    const { fn, c } = fnOf(module, name);
    for (const p of params) fn.addParam(p, 'i32');
    if (name === FQ2_29_FN.isZero) fn.setReturnType('i32');
    const at = (p: string, k: 0 | 1): Code => (k ? c.i32_add!(c.getLocal!(p), c.i32_const!(E)) : c.getLocal!(p));
    fn.addCode(...body(c, at));
    module.exportFunction(name);
  };
  const K = (c: Builder, v: number): Code => c.i32_const!(v);
  two(FQ2_29_FN.mul, ['x', 'y', 'r'], (c, at) => [
    c.call!(FQ29_FN.mul, at('x', 0), at('y', 0), K(c, T0)),
    c.call!(FQ29_FN.mul, at('x', 1), at('y', 1), K(c, T1)),
    c.call!(ADD_LAZY, at('x', 0), at('x', 1), K(c, S0)),
    c.call!(ADD_LAZY, at('y', 0), at('y', 1), K(c, S1)),
    c.call!(FQ29_FN.mul, K(c, S0), K(c, S1), at('r', 1)),
    c.call!(FQ29_FN.sub, K(c, T0), K(c, T1), at('r', 0)),
    c.call!(FQ29_FN.sub, at('r', 1), K(c, T0), at('r', 1)),
    c.call!(FQ29_FN.sub, at('r', 1), K(c, T1), at('r', 1)),
  ]);
  two(FQ2_29_FN.square, ['x', 'r'], (c, at) => [
    c.call!(ADD_LAZY, at('x', 0), at('x', 1), K(c, S0)),
    c.call!(FQ29_FN.sub, at('x', 0), at('x', 1), K(c, S1)),
    c.call!(ADD_LAZY, at('x', 0), at('x', 0), K(c, T0)),
    c.call!(FQ29_FN.mul, K(c, T0), at('x', 1), at('r', 1)),
    c.call!(FQ29_FN.mul, K(c, S0), K(c, S1), at('r', 0)),
  ]);
  two(FQ2_29_FN.sub, ['x', 'y', 'r'], (c, at) => [
    c.call!(FQ29_FN.sub, at('x', 0), at('y', 0), at('r', 0)),
    c.call!(FQ29_FN.sub, at('x', 1), at('y', 1), at('r', 1)),
  ]);
  two(FQ2_29_FN.neg, ['x', 'r'], (c, at) => [c.call!(FQ29_FN.neg, at('x', 0), at('r', 0)), c.call!(FQ29_FN.neg, at('x', 1), at('r', 1))]);
  two(FQ2_29_FN.copy, ['x', 'r'], (c, at) => [c.call!(FQ29_FN.copy, at('x', 0), at('r', 0)), c.call!(FQ29_FN.copy, at('x', 1), at('r', 1))]);
  two(FQ2_29_FN.one, ['r'], (c, at) => [
    c.call!(FQ29_FN.one, at('r', 0)),
    ...[0, 4, 8, 12, 16, 20, 24, 28, 32].map((o) => c.i32_store!(c.getLocal!('r'), E + o, c.i32_const!(0))),
  ]);
  two(FQ2_29_FN.isZero, ['x'], (c, at) => [c.i32_and!(c.call!(FQ29_FN.isZero, at('x', 0)), c.call!(FQ29_FN.isZero, at('x', 1)))]);
  // Through wasmcurves' f2m_inverse (one call per batch of additions).
  two(FQ2_29_FN.inverse, ['x', 'r'], (c, at) => [
    c.call!(FQ29_FN.toWords, at('x', 0), K(c, pW)),
    c.call!(FQ29_FN.toWords, at('x', 1), K(c, pW + 32)),
    c.call!('f2m_inverse', K(c, pW), K(c, pW)),
    c.call!(FQ29_FN.fromWords, K(c, pW), at('r', 0)),
    c.call!(FQ29_FN.fromWords, K(c, pW + 32), at('r', 1)),
  ]);
}

function fnOf(module: Module, name: string): { fn: Fn; c: Builder } {
  const fn = module.addFunction(name) as unknown as Fn;
  return { fn, c: fn.getCodeBuilder() };
}

function buildCopy(module: Module): void {
  const { fn, c } = fnOf(module, FQ29_FN.copy);
  fn.addParam('x', 'i32');
  fn.addParam('r', 'i32');
  const code: Code[] = [];
  for (let q = 0; q < 4; q++) code.push(c.i64_store!(c.getLocal!('r'), q * 8, c.i64_load!(c.getLocal!('x'), q * 8)));
  code.push(c.i32_store!(c.getLocal!('r'), 32, c.i32_load!(c.getLocal!('x'), 32)));
  fn.addCode(...code);
  module.exportFunction(FQ29_FN.copy);
}

function buildOne(module: Module): void {
  const pOne = module.alloc(limbBytes(R29 % FQ));
  const { fn, c } = fnOf(module, FQ29_FN.one);
  fn.addParam('r', 'i32');
  fn.addCode(c.call!(FQ29_FN.copy, c.i32_const!(pOne), c.getLocal!('r')));
  module.exportFunction(FQ29_FN.one);
}

/** 1 if the element is 0 mod p (0 or p, as elements stay below 2p). */
function buildIsZero(module: Module): void {
  const { fn, c } = fnOf(module, FQ29_FN.isZero);
  fn.addParam('x', 'i32');
  fn.setReturnType('i32');
  let zero: Code | null = null;
  let isP: Code | null = null;
  for (let k = 0; k < LIMBS; k++) {
    const l = c.i32_load!(c.getLocal!('x'), k * 4);
    zero = zero ? c.i32_or!(zero, l) : l;
    const d = c.i32_xor!(c.i32_load!(c.getLocal!('x'), k * 4), c.i32_const!(P_LIMBS[k]!));
    isP = isP ? c.i32_or!(isP, d) : d;
  }
  fn.addCode(c.i32_or!(c.i32_eqz!(zero!), c.i32_eqz!(isP!)));
  module.exportFunction(FQ29_FN.isZero);
}

/** r = x − y (neg: 0 − x), plus 2p when that borrows: below 2p for operands below 2p. */
function buildSub(module: Module, name: string, neg: boolean): void {
  const { fn, c } = fnOf(module, name);
  if (!neg) fn.addParam('x', 'i32');
  fn.addParam('y', 'i32');
  fn.addParam('r', 'i32');
  fn.addLocal('t', 'i64');
  fn.addLocal('carry', 'i64');
  for (let k = 0; k < LIMBS; k++) fn.addLocal(`d${k}`, 'i64');
  const get = (n: string): Code => c.getLocal!(n);
  const set = (n: string, v: Code): Code => c.setLocal!(n, v);
  const k64 = (v: number): Code => c.i64_const!(v);
  const code: Code[] = [set('carry', k64(0))];
  for (let k = 0; k < LIMBS; k++) {
    const y = c.i64_load32_u!(get('y'), k * 4);
    const x = neg ? k64(0) : c.i64_load32_u!(get('x'), k * 4);
    code.push(set('t', c.i64_add!(c.i64_sub!(x, y), get('carry'))));
    code.push(set(`d${k}`, c.i64_and!(get('t'), k64(MASK))));
    code.push(set('carry', c.i64_shr_s!(get('t'), k64(LIMB_BITS))));
  }
  // carry is now 0 or −1 (borrowed): add 2p masked by it. The limb sum's carry out is dropped: x − y + 2p < 2p·… fits.
  code.push(set('t', get('carry')));
  code.push(set('carry', k64(0)));
  for (let k = 0; k < LIMBS; k++) {
    code.push(set('carry', c.i64_add!(c.i64_add!(get(`d${k}`), c.i64_and!(k64(P2_LIMBS[k]!), get('t'))), get('carry'))));
    code.push(c.i64_store32!(get('r'), k * 4, c.i64_and!(get('carry'), k64(MASK))));
    code.push(set('carry', c.i64_shr_u!(get('carry'), k64(LIMB_BITS))));
  }
  fn.addCode(...code);
  module.exportFunction(name);
}

/** Through wasmcurves' f1m_inverse (one call per batch of additions, so its cost does not matter). */
function buildInverse(module: Module): void {
  const pW = module.alloc(32);
  const { fn, c } = fnOf(module, FQ29_FN.inverse);
  fn.addParam('x', 'i32');
  fn.addParam('r', 'i32');
  fn.addCode(
    c.call!(FQ29_FN.toWords, c.getLocal!('x'), c.i32_const!(pW)),
    c.call!('f1m_inverse', c.i32_const!(pW), c.i32_const!(pW)),
    c.call!(FQ29_FN.fromWords, c.i32_const!(pW), c.getLocal!('r')),
  );
  module.exportFunction(FQ29_FN.inverse);
}

type Operand = 'limbs' | 'words' | 'words<<5';
interface MulShape {
  x: Operand;
  /** 'square' squares x; a bigint multiplies by that constant (given as a plain integer below p, limbs inlined). */
  y: Operand | 'square' | bigint;
  out: 'limbs' | 'words';
}

function buildMul(module: Module, name: string, shape: MulShape): void {
  const square = shape.y === 'square';
  const constY = typeof shape.y === 'bigint' ? toLimbs(shape.y) : null;
  const { fn, c } = fnOf(module, name);
  fn.addParam('x', 'i32');
  if (!square && !constY) fn.addParam('y', 'i32');
  fn.addParam('r', 'i32');
  for (let i = 0; i < LIMBS; i++) {
    fn.addLocal(`x${i}`, 'i64');
    fn.addLocal(`y${i}`, 'i64');
  }
  // The product's 18 columns; reduction folds them from the bottom.
  for (let i = 0; i < 2 * LIMBS; i++) fn.addLocal(`t${i}`, 'i64');
  fn.addLocal('m', 'i64');
  fn.addLocal('xi', 'i64');
  fn.addLocal('borrow', 'i64');
  for (let i = 0; i < LIMBS; i++) fn.addLocal(`d${i}`, 'i64');
  const words = shape.out === 'words';
  const get = (n: string): Code => c.getLocal!(n);
  const set = (n: string, v: Code): Code => c.setLocal!(n, v);
  const k64 = (v: number): Code => c.i64_const!(v);
  const mul = (a: Code, b: Code): Code => c.i64_mul!(a, b);
  const add = (a: Code, b: Code): Code => c.i64_add!(a, b);
  const code: Code[] = [];
  // Limb i of (the element × 2^shift), read from 8 words: bits 29i − shift … 29i − shift + 28, never past byte 31.
  const wordLimb = (ptr: string, i: number, shift: number): Code => {
    const s = LIMB_BITS * i - shift;
    if (s < 0) return c.i64_and!(c.i64_shl!(c.i64_load!(get(ptr), 0, 0), k64(-s)), k64(MASK));
    const byte = Math.min(s >> 3, 24);
    return c.i64_and!(c.i64_shr_u!(c.i64_load!(get(ptr), byte, 0), k64(s - 8 * byte)), k64(MASK));
  };
  const y = square ? 'x' : 'y';
  const loadLimb = (ptr: 'x' | 'y', i: number): Code => {
    const form = ptr === 'x' ? shape.x : (shape.y as Operand);
    return form === 'limbs' ? c.i64_load32_u!(get(ptr), i * 4) : wordLimb(ptr, i, form === 'words<<5' ? 5 : 0);
  };
  const yLimb = (j: number): Code => (constY ? k64(constY[j]!) : get(`${y}${j}`));
  if (!constY) for (let j = 0; j < LIMBS; j++) code.push(set(`${y}${j}`, loadLimb(y, j)));
  const started = new Set<number>();
  const acc = (k: number, v: Code): void => {
    code.push(started.has(k) ? set(`t${k}`, add(get(`t${k}`), v)) : set(`t${k}`, v));
    started.add(k);
  };
  // Operand scanning: row i of the product (xᵢ·y, into columns i … i + 8), then reduction step i, which needs column i
  // complete — it is, as every later row starts above it. m makes column i divisible by 2^29; only its carry moves up.
  // A column holds ≤ 9 product terms (doubled cross terms of a square count as two) and ≤ 9 reduction terms, each below
  // 2^58, plus a carry below 2^35: below 2^63, so no carry is taken inside a column. Only columns i … i + 9 are live.
  for (let i = 0; i < LIMBS; i++) {
    const xi = square ? get(`x${i}`) : get('xi');
    if (!square) code.push(set('xi', loadLimb('x', i)));
    for (let j = square ? i : 0; j < LIMBS; j++) {
      let p = mul(xi, yLimb(j));
      if (square && j !== i) p = c.i64_shl!(p, k64(1));
      acc(i + j, p);
    }
    code.push(set('m', c.i64_and!(mul(c.i64_and!(get(`t${i}`), k64(MASK)), k64(MU)), k64(MASK))));
    code.push(set(`t${i + 1}`, add(get(`t${i + 1}`), c.i64_shr_u!(add(get(`t${i}`), mul(get('m'), k64(P_LIMBS[0]!))), k64(LIMB_BITS)))));
    started.add(i + 1);
    for (let j = 1; j < LIMBS; j++) acc(i + j, mul(get('m'), k64(P_LIMBS[j]!)));
  }
  // The result is columns 9..17; normalise the carries into 29-bit limbs (the value is below 2p < 2^255).
  for (let i = LIMBS; i < 2 * LIMBS; i++) {
    const k = i - LIMBS;
    if (i < 2 * LIMBS - 1) {
      code.push(set(`d${k}`, c.i64_and!(get(`t${i}`), k64(MASK))));
      code.push(set(`t${i + 1}`, add(get(`t${i + 1}`), c.i64_shr_u!(get(`t${i}`), k64(LIMB_BITS)))));
    } else {
      code.push(set(`d${k}`, get(`t${i}`)));
    }
  }
  if (!words) {
    for (let k = 0; k < LIMBS; k++) code.push(c.i64_store32!(get('r'), k * 4, get(`d${k}`)));
  } else {
    // Below 2p here (inputs below p, 2^5·p² / 2^261 < p/4): subtract p once, keep the difference unless it borrowed.
    // t9…t17 hold the limbs r; d gets r − p; borrow ends 0 (keep d) or −1 (keep r).
    for (let k = 0; k < LIMBS; k++) code.push(set(`t${LIMBS + k}`, get(`d${k}`)));
    code.push(set('borrow', k64(0)));
    for (let k = 0; k < LIMBS; k++) {
      code.push(set('m', add(c.i64_sub!(get(`t${LIMBS + k}`), k64(P_LIMBS[k]!)), get('borrow'))));
      code.push(set(`d${k}`, c.i64_and!(get('m'), k64(MASK))));
      code.push(set('borrow', c.i64_shr_s!(get('m'), k64(LIMB_BITS))));
    }
    // keep = all ones where r is kept.
    const pick = (k: number): Code => c.i64_or!(c.i64_and!(get(`t${LIMBS + k}`), get('borrow')), c.i64_and!(get(`d${k}`), c.i64_xor!(get('borrow'), k64(-1))));
    for (let k = 0; k < LIMBS; k++) code.push(set(`d${k}`, pick(k)));
    // Repack into 4 little-endian 64-bit words.
    for (let q = 0; q < 4; q++) {
      let word: Code | null = null;
      for (let k = 0; k < LIMBS; k++) {
        const lo = LIMB_BITS * k;
        if (lo >= 64 * (q + 1) || lo + LIMB_BITS <= 64 * q) continue;
        const part = lo >= 64 * q ? c.i64_shl!(get(`d${k}`), k64(lo - 64 * q)) : c.i64_shr_u!(get(`d${k}`), k64(64 * q - lo));
        word = word ? c.i64_or!(word, part) : part;
      }
      code.push(c.i64_store!(get('r'), q * 8, 0, word!));
    }
  }
  fn.addCode(...code);
  module.exportFunction(name);
}
