// Box-constrained strictly convex quadratic programs: minimise ½ xᵀAx − bᵀx subject to lo ≤ x ≤ hi.
// The platform's problem is one (its objective is quadratic), and clipping the unconstrained optimum to the box is wrong
// wherever a constraint binds, because the other coordinates move when one is held at its bound.
//
// Method: primal–dual active set (Hintermüller, Ito & Kunisch 2002). Each step guesses which bounds bind, solves the
// reduced linear system exactly by Cholesky, and re-guesses from the primal values and the multipliers. With ω ≥ 0 the
// matrix is an M-matrix and the method terminates after a few steps; should a guess ever repeat (a cycle), projected
// Gauss–Seidel moves the start and the active-set steps resume. The result satisfies the KKT conditions exactly up to
// the round-off of one Cholesky solve; coordinates at a bound hold the bound's value exactly.
import { NotConcaveError, SolverError } from './errors';

export interface BoxQpResult {
  x: Float64Array;
  /** −1 at the lower bound, +1 at the upper bound, 0 free. */
  bound: Int8Array;
  /** Active-set steps taken. */
  iterations: number;
}

/**
 * In-place Cholesky A = L Lᵀ of the k×k row-major matrix `a` (lower triangle overwritten with L).
 * Returns −1 on success, or the row at which a pivot is not clearly positive (A singular or indefinite).
 */
function cholesky(a: Float64Array, k: number): number {
  for (let i = 0; i < k; i++) {
    const ri = i * k;
    for (let j = 0; j <= i; j++) {
      const rj = j * k;
      let sum = a[ri + j]!;
      for (let t = 0; t < j; t++) sum -= a[ri + t]! * a[rj + t]!;
      if (i === j) {
        // A pivot that lost all but 1e-12 of the diagonal's magnitude is numerically singular.
        if (!(sum > 1e-12 * Math.abs(a[ri + i]!)) || sum <= 0) return i;
        a[ri + i] = Math.sqrt(sum);
      } else {
        a[ri + j] = sum / a[rj + j]!;
      }
    }
  }
  return -1;
}

/** Solves L Lᵀ y = r in place (r becomes y) with the factor from `cholesky`. */
function choleskySolve(l: Float64Array, k: number, r: Float64Array): void {
  for (let i = 0; i < k; i++) {
    let sum = r[i]!;
    const ri = i * k;
    for (let t = 0; t < i; t++) sum -= l[ri + t]! * r[t]!;
    r[i] = sum / l[ri + i]!;
  }
  for (let i = k - 1; i >= 0; i--) {
    let sum = r[i]!;
    for (let t = i + 1; t < k; t++) sum -= l[t * k + i]! * r[t]!;
    r[i] = sum / l[i * k + i]!;
  }
}

/**
 * Throws NotConcaveError unless the symmetric n×n matrix A is positive definite. Strict diagonal dominance with a
 * positive diagonal proves it in O(n²) (Gershgorin), which is the usual case; otherwise a Cholesky factorisation decides.
 */
export function assertPositiveDefinite(a: Float64Array, n: number): void {
  let dominant = true;
  for (let i = 0; i < n && dominant; i++) {
    const row = i * n;
    let off = 0;
    for (let j = 0; j < n; j++) if (j !== i) off += Math.abs(a[row + j]!);
    if (!(a[row + i]! > off)) dominant = false;
  }
  if (dominant) return;
  const bad = cholesky(Float64Array.from(a), n);
  if (bad >= 0) throw new NotConcaveError(bad);
}

/**
 * Jacobi-preconditioned conjugate gradients on the symmetric positive definite k×k system, run to round-off
 * (relative residual 1e-15). The platform's matrix is usually strongly diagonally dominant, so this takes a few dozen
 * O(k²) steps where Cholesky takes k³/3; it returns null when it does not get there and the caller factorises.
 */
function conjugateGradient(a: Float64Array, k: number, b: Float64Array): Float64Array | null {
  const x = new Float64Array(k);
  // Work on b scaled to unit max-norm so the squared norms neither underflow nor overflow.
  let scale = 0;
  for (let i = 0; i < k; i++) scale = Math.max(scale, Math.abs(b[i]!));
  if (scale === 0) return x;
  const r = Float64Array.from(b, (v) => v / scale);
  const z = new Float64Array(k);
  const p = new Float64Array(k);
  const ap = new Float64Array(k);
  let bNorm = 0;
  for (let i = 0; i < k; i++) bNorm += r[i]! * r[i]!;
  for (let i = 0; i < k; i++) p[i] = z[i] = r[i]! / a[i * k + i]!;
  let rz = 0;
  for (let i = 0; i < k; i++) rz += r[i]! * z[i]!;
  const maxIter = Math.min(4 * k + 10, 400);
  for (let it = 0; it < maxIter; it++) {
    let pap = 0;
    for (let i = 0; i < k; i++) {
      const row = i * k;
      let s = 0;
      for (let j = 0; j < k; j++) s += a[row + j]! * p[j]!;
      ap[i] = s;
      pap += p[i]! * s;
    }
    if (!(pap > 0)) return null;
    const alpha = rz / pap;
    let rNorm = 0;
    for (let i = 0; i < k; i++) {
      x[i]! += alpha * p[i]!;
      r[i]! -= alpha * ap[i]!;
      rNorm += r[i]! * r[i]!;
    }
    if (rNorm <= 1e-30 * bNorm) {
      for (let i = 0; i < k; i++) x[i]! *= scale;
      return x;
    }
    let rzNext = 0;
    for (let i = 0; i < k; i++) {
      z[i] = r[i]! / a[i * k + i]!;
      rzNext += r[i]! * z[i]!;
    }
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < k; i++) p[i] = z[i]! + beta * p[i]!;
  }
  return null;
}

function projectedGaussSeidel(a: Float64Array, b: Float64Array, lo: Float64Array, hi: Float64Array, x: Float64Array, sweeps: number): void {
  const n = b.length;
  for (let s = 0; s < sweeps; s++) {
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let r = b[i]!;
      for (let j = 0; j < n; j++) if (j !== i) r -= a[row + j]! * x[j]!;
      x[i] = Math.min(hi[i]!, Math.max(lo[i]!, r / a[row + i]!));
    }
  }
}

/** Solves min ½ xᵀAx − bᵀx on lo ≤ x ≤ hi for a symmetric positive definite A (checked by the caller). */
export function solveBoxQp(a: Float64Array, b: Float64Array, lo: Float64Array, hi: Float64Array): BoxQpResult {
  const n = b.length;
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.min(hi[i]!, Math.max(lo[i]!, b[i]! / a[i * n + i]!));
  // Two sweeps give the active-set guess a good start at O(n²) each.
  projectedGaussSeidel(a, b, lo, hi, x, 2);
  const mu = new Float64Array(n);
  const bound = new Int8Array(n);
  const seen = new Set<string>();
  let iterations = 0;
  let restarts = 0;
  const gradient = () => {
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let g = -b[i]!;
      for (let j = 0; j < n; j++) g += a[row + j]! * x[j]!;
      mu[i] = g;
    }
  };
  gradient();
  for (;;) {
    // Guess the active set from the primal values shifted by the scaled multipliers.
    let changed = iterations === 0;
    for (let i = 0; i < n; i++) {
      const v = x[i]! - mu[i]! / a[i * n + i]!;
      const next = lo[i]! === hi[i]! ? -1 : v < lo[i]! ? -1 : v > hi[i]! ? 1 : 0;
      if (next !== bound[i]) changed = true;
      bound[i] = next;
    }
    if (!changed) break;
    const key = bound.join('');
    if (seen.has(key) || iterations > 50 + n) {
      if (restarts++ > 5) throw new SolverError(`the active-set iteration did not settle after ${iterations} steps`);
      projectedGaussSeidel(a, b, lo, hi, x, 50);
      gradient();
      seen.clear();
      iterations++;
      continue;
    }
    seen.add(key);
    iterations++;
    const free: number[] = [];
    for (let i = 0; i < n; i++) {
      if (bound[i] === -1) x[i] = lo[i]!;
      else if (bound[i] === 1) x[i] = hi[i]!;
      else free.push(i);
    }
    const k = free.length;
    if (k > 0) {
      const red = new Float64Array(k * k);
      const rhs = new Float64Array(k);
      for (let r = 0; r < k; r++) {
        const i = free[r]!;
        const row = i * n;
        let acc = b[i]!;
        for (let j = 0; j < n; j++) if (bound[j] !== 0) acc -= a[row + j]! * x[j]!;
        rhs[r] = acc;
        for (let c = 0; c < k; c++) red[r * k + c] = a[row + free[c]!]!;
      }
      const sol = conjugateGradient(red, k, rhs);
      if (sol) rhs.set(sol);
      else {
        const bad = cholesky(red, k);
        if (bad >= 0) throw new NotConcaveError(free[bad]!);
        choleskySolve(red, k, rhs);
      }
      for (let r = 0; r < k; r++) x[free[r]!] = rhs[r]!;
    }
    gradient();
    for (const i of free) mu[i] = 0;
  }
  return { x, bound, iterations };
}
