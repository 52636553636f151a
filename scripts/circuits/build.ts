// `npm run circuits`: rebuilds the five circuits, their trusted setup and the Solidity verifiers, and writes the
// artifacts the app and Node share: public/zk/<circuit>.{wasm,zkey,vkey.json}, public/zk/manifest.json,
// contracts/zk/<Name>Verifier.sol, src/lib/chain/abi.generated.ts, and the ceremony transcript under
// circuits/ceremony/ (the powers of tau and each circuit's r1cs: what `snarkjs zkey verify` needs). All of it is
// committed, so installs and CI never run this. `npm run circuits -- enrolment` rebuilds one circuit.
//
// Trusted setup (see circuits/README.md for who contributed and what a user must trust):
// - Phase 1: a powers of tau of 2^13 (the largest circuit, authorization at depth 20, has about 5,600 constraints),
//   made here with two contributions and a beacon, then prepared for phase 2. Committed as
//   circuits/ceremony/pot13_final.ptau and reused; delete it to make a new one (about 4 minutes on 2 cores).
// - Phase 2, per circuit: `groth16 setup`, then CONTRIBUTORS.length named contributions (`zkey contribute`, fresh
//   randomness each), then a final `zkey beacon`. `zkey verify <r1cs> <ptau> <zkey>` checks the whole chain
//   (circuits/ceremony.test.ts runs it on every committed zkey).
// A production consortium adds its own contributions to the committed zkeys with `snarkjs zkey contribute` (each
// member on its own machine), finishes with a beacon from a public future value, and publishes the new zkeys; the
// verifiers follow from them (`snarkjs zkey export solidityverifier`).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderAbiModule } from './abi.ts';

const root = resolve(import.meta.dirname, '../..');
const snarkjs = join(root, 'node_modules/.bin/snarkjs');
const circom2 = join(root, 'node_modules/.bin/circom2');
const ceremony = join(root, 'circuits/ceremony');
const tmp = join(root, 'circuits/build/tmp');
const out = join(root, 'public/zk');
const POWER = 13;
export const PTAU_FILE = `pot${POWER}_final.ptau`;

export const CIRCUITS = [
  { name: 'registration', verifier: 'RegistrationVerifier' },
  { name: 'authorization', verifier: 'AuthorizationVerifier' },
  { name: 'instantiation', verifier: 'InstantiationVerifier' },
  { name: 'enrolment', verifier: 'EnrolmentVerifier' },
  { name: 'transfer', verifier: 'TransferVerifier' },
] as const;

/** Phase-2 contributors, in order. All on this one machine in one session: see circuits/README.md. */
const CONTRIBUTORS = [
  'twingrain contribution 1 (chain engineer, build machine, /dev/urandom)',
  'twingrain contribution 2 (chain engineer, build machine, /dev/urandom)',
  'twingrain contribution 3 (chain engineer, build machine, /dev/urandom)',
];

function run(cmd: string, args: string[], cwd = root): string {
  // Entropy never goes to the log.
  process.stderr.write(`$ ${[cmd.replace(root + '/', ''), ...args.map((a) => (a.startsWith('-e=') ? '-e=<random>' : a))].join(' ')}\n`);
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
}

function entropy(): string {
  return randomBytes(32).toString('hex');
}

/** The beacon: a value nobody could steer, fixed after the contributions (here: a hash of the contributions' output). */
function beaconFrom(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function ensurePtau(): string {
  const final = join(ceremony, PTAU_FILE);
  if (existsSync(final)) return final;
  mkdirSync(tmp, { recursive: true });
  const p = (n: string): string => join(tmp, `pot${POWER}_${n}.ptau`);
  run(snarkjs, ['powersoftau', 'new', 'bn128', String(POWER), p('0000')]);
  const log1 = run(snarkjs, ['powersoftau', 'contribute', p('0000'), p('0001'), '--name=twingrain phase1 contribution 1', `-e=${entropy()}`]);
  const log2 = run(snarkjs, ['powersoftau', 'contribute', p('0001'), p('0002'), '--name=twingrain phase1 contribution 2', `-e=${entropy()}`]);
  run(snarkjs, ['powersoftau', 'beacon', p('0002'), p('beacon'), beaconFrom(log1 + log2), '10', '-n=twingrain phase1 beacon']);
  // About 3 minutes on 2 cores. Written under a temporary name first, so an interrupted run never leaves a
  // half-written file that looks done.
  run(snarkjs, ['powersoftau', 'prepare', 'phase2', p('beacon'), `${final}.partial`]);
  renameSync(`${final}.partial`, final);
  return final;
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function main(): void {
  const only = process.argv.slice(2);
  mkdirSync(tmp, { recursive: true });
  mkdirSync(out, { recursive: true });
  mkdirSync(ceremony, { recursive: true });
  mkdirSync(join(root, 'contracts/zk'), { recursive: true });
  const ptau = ensurePtau();
  const manifestPath = join(out, 'manifest.json');
  const manifest: Record<string, unknown> = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : {};
  const circuits = (manifest.circuits ?? {}) as Record<string, unknown>;
  for (const { name, verifier } of CIRCUITS) {
    if (only.length > 0 && !only.includes(name)) continue;
    const source = `circuits/src/${name}.circom`;
    const maxDepth = /component main[^=]*=\s*\w+\((\d*)\)/.exec(readFileSync(join(root, source), 'utf8'))?.[1];
    // circom2 runs in a WASM sandbox that cannot follow ../ paths: run it from the repository root.
    const info = run(circom2, [source, '--r1cs', '--wasm', '--O2', '-l', 'node_modules', '-o', 'circuits/build/tmp']);
    const constraints = Number(/non-linear constraints: (\d+)/.exec(info)?.[1] ?? NaN);
    if (!(constraints < 1 << POWER)) throw new Error(`${name} has ${constraints} constraints: more than the 2^${POWER} powers of tau holds.`);
    const r1cs = join(ceremony, `${name}.r1cs`);
    copyFileSync(join(tmp, `${name}.r1cs`), r1cs);
    let previous = join(tmp, `${name}_0000.zkey`);
    run(snarkjs, ['groth16', 'setup', r1cs, ptau, previous]);
    let transcript = '';
    CONTRIBUTORS.forEach((contributor, i) => {
      const next = join(tmp, `${name}_${String(i + 1).padStart(4, '0')}.zkey`);
      transcript += run(snarkjs, ['zkey', 'contribute', previous, next, `--name=${contributor}`, `-e=${entropy()}`]);
      previous = next;
    });
    const zkey = join(out, `${name}.zkey`);
    run(snarkjs, ['zkey', 'beacon', previous, zkey, beaconFrom(transcript), '10', '-n=twingrain phase2 final beacon']);
    // The same check the tests run: the chain of contributions from the ptau to this zkey.
    writeFileSync(join(ceremony, `${name}.verify.txt`), stripAnsi(run(snarkjs, ['zkey', 'verify', r1cs, ptau, zkey])));
    run(snarkjs, ['zkey', 'export', 'verificationkey', zkey, join(out, `${name}.vkey.json`)]);
    copyFileSync(join(tmp, `${name}_js`, `${name}.wasm`), join(out, `${name}.wasm`));
    const solidity = join(tmp, `${verifier}.sol`);
    run(snarkjs, ['zkey', 'export', 'solidityverifier', zkey, solidity]);
    // snarkjs names every verifier Groth16Verifier; contract names must be unique across contracts/.
    const text = readFileSync(solidity, 'utf8').replace(/contract Groth16Verifier\b/, `contract ${verifier}`);
    writeFileSync(
      join(root, 'contracts/zk', `${verifier}.sol`),
      `// Generated by scripts/circuits/build.ts from public/zk/${name}.zkey. Do not edit.\n${text}`,
    );
    circuits[name] = {
      constraints,
      maxDepth: maxDepth ? Number(maxDepth) : null,
      wasm: `${name}.wasm`,
      zkey: `${name}.zkey`,
      vkey: `${name}.vkey.json`,
      r1cs: `circuits/ceremony/${name}.r1cs`,
      contributions: [...CONTRIBUTORS, 'twingrain phase2 final beacon'],
      sha256: { wasm: sha256(join(out, `${name}.wasm`)), zkey: sha256(zkey), r1cs: sha256(r1cs) },
    };
  }
  writeFileSync(
    manifestPath,
    JSON.stringify(
      {
        backend: 'groth16',
        curve: 'bn128',
        hash: 'poseidon',
        ptauPower: POWER,
        ptau: `circuits/ceremony/${PTAU_FILE}`,
        ptauSha256: sha256(ptau),
        circuits,
        builtAt: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  process.stderr.write(`wrote ${manifestPath}\n`);
  writeFileSync(join(root, 'src/lib/chain/abi.generated.ts'), renderAbiModule(root));
}

function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) main();
