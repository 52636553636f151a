// Microbenchmark of Fq multiplication in WebAssembly: wasmcurves' f1m_mul / f1m_square / f2m_mul (8 × 32-bit limbs,
// the field code snarkjs's prover runs) against field29.ts's fq29_mul / fq29_square (9 × 29-bit limbs, carries
// deferred), both in one module built the way ffjavascript builds its engine, each in a tight WebAssembly loop of
// dependent multiplications. Checks fq29 against BigInt first (random inputs and edge cases).
// `npx tsx scripts/bench/_field-mul.ts [millions of multiplications per run] [runs] [--browser]`
import { loadavg } from 'node:os';
import { buildBn128 } from 'ffjavascript';
import { buildFq29, FQ, R29 } from '../../src/lib/zk/field29';
import type { WasmModuleBuilder } from '../../src/lib/zk/msm-batch-affine';

const millions = Number(process.argv[2] ?? 4);
const runs = Number(process.argv[3] ?? 5);
const browser = process.argv.includes('--browser');

type Code = number[];
type FnB = {
  addParam(n: string, t: string): void;
  addLocal(n: string, t: string): void;
  getCodeBuilder(): Record<string, (...a: unknown[]) => Code>;
  addCode(...c: Code[]): void;
};

/** A loop calling `callee(args…)` n times, in WebAssembly (so no JS ↔ WASM call per multiplication). */
function addLoop(module: WasmModuleBuilder, name: string, callee: string, arity: 2 | 3): void {
  const fn = module.addFunction(name) as unknown as FnB;
  fn.addParam('a', 'i32');
  fn.addParam('b', 'i32');
  fn.addParam('n', 'i32');
  fn.addLocal('i', 'i32');
  const c = fn.getCodeBuilder();
  const args = arity === 3 ? [c.getLocal!('a'), c.getLocal!('b'), c.getLocal!('a')] : [c.getLocal!('a'), c.getLocal!('a')];
  fn.addCode(
    c.setLocal!('i', c.i32_const!(0)),
    c.block!(
      c.loop!(
        c.br_if!(1, c.i32_ge_u!(c.getLocal!('i'), c.getLocal!('n'))),
        c.call!(callee, ...args),
        c.setLocal!('i', c.i32_add!(c.getLocal!('i'), c.i32_const!(1))),
        c.br!(0),
      ),
    ),
  );
  module.exportFunction(name);
}

// The module exactly as ffjavascript builds snarkjs's engine, with fq29 and the loops added through its plugin hook.
let bytes: Uint8Array = new Uint8Array();
const curve = (await buildBn128(true, (mb: unknown) => {
  const m = mb as WasmModuleBuilder & { build(): Uint8Array };
  buildFq29(m);
  addLoop(m, 'loop_f1m_mul', 'f1m_mul', 3);
  addLoop(m, 'loop_f1m_square', 'f1m_square', 2);
  addLoop(m, 'loop_f2m_mul', 'f2m_mul', 3);
  addLoop(m, 'loop_fq29_mul', 'fq29_mul', 3);
  addLoop(m, 'loop_fq29_square', 'fq29_square', 2);
  addLoop(m, 'loop_fq29_mul32', 'fq29_mul32', 3);
  addLoop(m, 'loop_fq2_29_mul', 'fq2_29_mul', 3);
  const build = m.build.bind(m);
  m.build = () => (bytes = build());
})) as { terminate(): Promise<void> };
await curve.terminate();

/** Runs in Node or in a browser page: checks fq29 against BigInt, then times the loops. Self-contained. */
async function run(
  bytes: Uint8Array,
  P: string,
  R: string,
  millions: number,
  runs: number,
  cpuMs?: () => number,
): Promise<{ errors: string[]; checked: number; rows: Record<string, number[]>; cpuRows: Record<string, number[]> }> {
  const p = BigInt(P);
  const r29 = BigInt(R);
  const memory = new WebAssembly.Memory({ initial: 25 });
  const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>), { env: { memory } });
  const ex = instance.exports as Record<string, (...a: number[]) => void>;
  const u32 = (): Uint32Array => new Uint32Array(memory.buffer);
  const base = 1 << 20;
  const limbsOf = (v: bigint): number[] => {
    const out: number[] = [];
    for (let i = 0; i < 9; i++) {
      out.push(Number(v & 0x1fffffffn));
      v >>= 29n;
    }
    return out;
  };
  const valueAt = (ptr: number): bigint => {
    let v = 0n;
    for (let i = 8; i >= 0; i--) v = (v << 29n) + BigInt(u32()[ptr / 4 + i]!);
    return v;
  };
  const put = (ptr: number, v: bigint): void => u32().set(limbsOf(v), ptr / 4);
  const rand = (): bigint => {
    let v = 0n;
    for (let i = 0; i < 5; i++)
      v = (v << 64n) | BigInt.asUintN(64, BigInt(Math.floor(Math.random() * 2 ** 53)) * 2048n + BigInt(Math.floor(Math.random() * 2048)));
    return v;
  };
  const rInv = (() => {
    let [a, b, s, t] = [r29 % p, p, 1n, 0n];
    while (b !== 0n) {
      const q = a / b;
      [a, b, s, t] = [b, a - q * b, t, s - q * t];
    }
    return ((s % p) + p) % p;
  })();
  // Operands: Montgomery-form values below 2p (the lazy range), random and edge cases.
  const edges = [0n, 1n, 2n, p - 1n, p, p + 1n, 2n * p - 1n, r29 % p, (r29 * (p - 1n)) % p, (1n << 29n) - 1n, (1n << 254n) - 1n];
  const errors: string[] = [];
  let checked = 0;
  const pa = base;
  const pb = base + 256;
  const pr = base + 512;
  const check = (a: bigint, b: bigint, square: boolean): void => {
    put(pa, a);
    put(pb, b);
    if (square) ex.fq29_square!(pa, pr);
    else ex.fq29_mul!(pa, pb, pr);
    const got = valueAt(pr);
    const want = ((((square ? a * a : a * b) * rInv) % p) + p) % p;
    const limbsOk = Array.from(u32().subarray(pr / 4, pr / 4 + 9)).every((l) => l < 2 ** 29);
    checked++;
    if (got % p !== want || got >= 2n * p || !limbsOk) {
      if (errors.length < 5) errors.push(`${square ? 'square' : 'mul'}(${a}, ${b}) = ${got}, want ${want} (mod p, below 2p)`);
    }
  };
  for (const a of edges) for (const b of edges) check(a, b, false);
  for (const a of edges) check(a, a, true);
  for (let i = 0; i < 5000; i++) {
    const a = rand() % (2n * p);
    const b = rand() % (2n * p);
    check(a, b, false);
    check(a, a, true);
  }
  // fq29_mul32: wasmcurves' words (R = 2^256) in and out, fully reduced.
  const r256Inv = (() => {
    let [a, b, s, t] = [(1n << 256n) % p, p, 1n, 0n];
    while (b !== 0n) {
      const q = a / b;
      [a, b, s, t] = [b, a - q * b, t, s - q * t];
    }
    return ((s % p) + p) % p;
  })();
  const putWords = (ptr: number, v: bigint): void => {
    for (let i = 0; i < 8; i++) {
      u32()[ptr / 4 + i] = Number(v & 0xffffffffn);
      v >>= 32n;
    }
  };
  const wordsAt = (ptr: number): bigint => {
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 32n) + BigInt(u32()[ptr / 4 + i]!);
    return v;
  };
  const check32 = (a: bigint, b: bigint): void => {
    putWords(pa, a);
    putWords(pb, b);
    u32().fill(0xffffffff, pa / 4 + 8, pa / 4 + 16);
    ex.fq29_mul32!(pa, pb, pr);
    const got = wordsAt(pr);
    const want = (a * b * r256Inv) % p;
    checked++;
    if (got !== want && errors.length < 5) errors.push(`mul32(${a}, ${b}) = ${got}, want ${want}`);
  };
  const edges32 = [0n, 1n, 2n, p - 1n, p - 2n, (1n << 256n) % p, (1n << 32n) - 1n, (1n << 253n) + 12345n];
  for (const a of edges32) for (const b of edges32) check32(a, b);
  for (let i = 0; i < 5000; i++) check32(rand() % p, rand() % p);
  // Aliasing: r = x.
  put(pa, 12345n);
  put(pb, p - 7n);
  ex.fq29_mul!(pa, pb, pa);
  if (valueAt(pa) % p !== (12345n * (p - 7n) * rInv) % p) errors.push('fq29_mul with r = x is wrong');

  const rows: Record<string, number[]> = {};
  const cpuRows: Record<string, number[]> = {};
  const n = Math.round(millions * 1e6);
  const names = ['f1m_mul', 'fq29_mul', 'fq29_mul32', 'f1m_square', 'fq29_square', 'f2m_mul', 'fq2_29_mul'];
  // A random Montgomery-form starting value (below p, valid in both representations as a bit pattern).
  const start = rand() % p;
  for (let k = 0; k < runs; k++) {
    for (const name of names) {
      // Interleaved, so load weighs on both the same.
      const isF2 = name.startsWith('f2m') || name.startsWith('fq2_');
      if (name.startsWith('fq2_29')) {
        put(pa, start);
        put(pa + 36, start ^ 0x777n);
        put(pb, start ^ 0x5555n);
        put(pb + 36, start ^ 0x999n);
      } else if (name.startsWith('fq29') && name !== 'fq29_mul32') {
        put(pa, start);
        put(pb, start ^ 0x5555n);
      } else {
        // 8 × 32-bit words, fully reduced (wasmcurves' representation); f2m uses two of them.
        const w = new Uint32Array(isF2 ? 16 : 8);
        for (const [off, v] of [
          [0, start],
          [8, start ^ 0x5555n],
        ] as const) {
          if (!isF2 && off) continue;
          let x = v;
          for (let i = 0; i < 8; i++) {
            w[off + i] = Number(x & 0xffffffffn);
            x >>= 32n;
          }
        }
        u32().set(w, pa / 4);
        u32().set(w, pb / 4);
      }
      const loop = ex[`loop_${name}`]!;
      const c0 = cpuMs?.() ?? 0;
      const t0 = performance.now();
      loop(pa, pb, isF2 ? n / 4 : n);
      const ns = ((performance.now() - t0) * 1e6) / (isF2 ? n / 4 : n);
      (rows[name] ??= []).push(ns);
      if (cpuMs) (cpuRows[name] ??= []).push(((cpuMs() - c0) * 1e6) / (isF2 ? n / 4 : n));
    }
  }
  return { errors, checked, rows, cpuRows };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
async function report(where: string, res: Awaited<ReturnType<typeof run>>, load0: number): Promise<void> {
  const { errors, checked, rows, cpuRows } = res;
  const lines = [`${where}: fq29 checked against BigInt on ${checked} products: ${errors.length ? `FAILED\n  ${errors.join('\n  ')}` : 'all correct'}`];
  for (const [name, xs] of Object.entries(rows)) {
    const cpu = cpuRows[name];
    lines.push(
      `  ${name.padEnd(12)} wall median ${median(xs).toFixed(1)} ns, min ${Math.min(...xs).toFixed(1)}${cpu ? `; CPU median ${median(cpu).toFixed(1)} ns` : ''} (runs ${xs.map((x) => x.toFixed(1)).join(', ')})`,
    );
  }
  const best = (name: string): number => (cpuRows[name] ? median(cpuRows[name]!) : Math.min(...rows[name]!));
  lines.push(
    `  ${Object.keys(cpuRows).length ? 'CPU medians' : 'wall minima'}: mul f1m / fq29 = ${(best('f1m_mul') / best('fq29_mul')).toFixed(2)}×, f1m / fq29 on words = ${(best('f1m_mul') / best('fq29_mul32')).toFixed(2)}×, square f1m / fq29 = ${(best('f1m_square') / best('fq29_square')).toFixed(2)}×, Fq2 mul f2m / fq2_29 = ${(best('f2m_mul') / best('fq2_29_mul')).toFixed(2)}×`,
  );
  lines.push(`  load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (errors.length) process.exitCode = 1;
}

let load0 = loadavg()[0]!;
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
await report('Node', await run(bytes, FQ.toString(), R29.toString(), millions, runs, cpuMs), load0);
if (browser) {
  const { chromium } = await import('playwright-core');
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  const page = await b.newPage();
  load0 = loadavg()[0]!;
  const res = await page.evaluate(
    async ([src, b64, P, R, mi, ru]) => {
      // tsx keeps function names through a __name helper the page lacks.
      const fn = new Function('__name', `return (${src})`)((f: unknown) => f) as typeof run;
      const bin = Uint8Array.from(atob(b64 as string), (ch) => ch.charCodeAt(0));
      return fn(bin, P as string, R as string, mi as number, ru as number);
    },
    [run.toString(), Buffer.from(bytes).toString('base64'), FQ.toString(), R29.toString(), millions, runs] as const,
  );
  await b.close();
  await report('Chromium', res, load0);
}
