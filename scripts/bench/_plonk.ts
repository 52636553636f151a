// PLONK artifacts for the benchmark (the app itself proves with Groth16 only). circom2 compiles the committed circuit
// sources again into .twingrain/cache/bench/ and snarkjs makes a universal PLONK setup from a powers of tau. Both are
// cached by content hash, so only the first run pays for them.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { CircuitName } from '../../src/lib/zk/index';

export const ROOT = resolve(import.meta.dirname, '../..');
const CACHE = join(ROOT, '.twingrain/cache/bench');
const bin = (name: string) => join(ROOT, 'node_modules/.bin', name);

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

function sourceHash(): string {
  const h = createHash('sha256');
  const dir = join(ROOT, 'circuits/src');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(join(dir, f)));
  return h.digest('hex').slice(0, 16);
}

/** r1cs + wasm of `circuit` compiled from circuits/src (the committed public/zk has no r1cs). */
export function compiledCircuit(circuit: CircuitName): { r1cs: string; wasm: string } {
  const dir = join(CACHE, `circuits-${sourceHash()}`);
  const r1cs = join(dir, `${circuit}.r1cs`);
  const wasm = join(dir, `${circuit}_js`, `${circuit}.wasm`);
  if (!existsSync(r1cs) || !existsSync(wasm)) {
    mkdirSync(dir, { recursive: true });
    // circom2 runs in a WASM sandbox that cannot follow ../ paths: run it from the repository root.
    run(bin('circom2'), [`circuits/src/${circuit}.circom`, '--r1cs', '--wasm', '--O2', '-l', 'node_modules', '-o', dir]);
  }
  return { r1cs, wasm };
}

/** The number of PLONK gates snarkjs needs for a circuit (it also counts linear constraints, which Groth16 gets free). */
export function plonkConstraints(r1cs: string, ptau: string): number {
  const memo = join(CACHE, `gates-${createHash('sha256').update(readFileSync(r1cs)).digest('hex').slice(0, 16)}.json`);
  if (existsSync(memo)) return (JSON.parse(readFileSync(memo, 'utf8')) as { gates: number }).gates;
  let out = '';
  try {
    out = run(bin('snarkjs'), ['plonk', 'setup', r1cs, ptau, join(CACHE, 'probe.zkey')]);
    rmSync(join(CACHE, 'probe.zkey'), { force: true });
  } catch (error) {
    out = String((error as { stdout?: string }).stdout ?? '') + String((error as { stderr?: string }).stderr ?? '');
  }
  const gates = Number(/Plonk constraints: (\d+)/.exec(out)?.[1] ?? NaN);
  if (Number.isFinite(gates)) writeFileSync(memo, JSON.stringify({ gates }));
  return gates;
}

/**
 * A powers of tau of 2^power: zk-core's cached one when present (scripts/circuits/build.ts), else a local one
 * made here (2^13: about 3.5 minutes on 2 cores, most of it "prepare phase2").
 */
export function powersOfTau(power: number): string {
  const shared = join(ROOT, `.twingrain/cache/ptau/pot${power}_final.ptau`);
  if (existsSync(shared)) return shared;
  const dir = join(CACHE, 'ptau');
  const final = join(dir, `pot${power}_final.ptau`);
  if (existsSync(final)) return final;
  mkdirSync(dir, { recursive: true });
  const p0 = join(dir, `pot${power}_0000.ptau`);
  const p1 = join(dir, `pot${power}_0001.ptau`);
  const entropy = createHash('sha256')
    .update(String(Math.random()) + Date.now())
    .digest('hex');
  run(bin('snarkjs'), ['powersoftau', 'new', 'bn128', String(power), p0]);
  run(bin('snarkjs'), ['powersoftau', 'contribute', p0, p1, '--name=twingrain-bench', `-e=${entropy}`]);
  run(bin('snarkjs'), ['powersoftau', 'prepare', 'phase2', p1, `${final}.partial`]);
  renameSync(`${final}.partial`, final);
  return final;
}

/** PLONK proving key for `circuit` from `ptau` (cached by r1cs + ptau content). */
export function plonkKey(circuit: CircuitName, r1cs: string, ptau: string): string {
  const h = createHash('sha256').update(readFileSync(r1cs)).update(ptau).digest('hex').slice(0, 16);
  const zkey = join(CACHE, `${circuit}.plonk.${h}.zkey`);
  if (!existsSync(zkey)) {
    run(bin('snarkjs'), ['plonk', 'setup', r1cs, ptau, `${zkey}.partial`]);
    renameSync(`${zkey}.partial`, zkey);
  }
  return zkey;
}
