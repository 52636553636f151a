// The trusted setup's transcript: every committed proving key (public/zk/*.zkey) is checked with
// `snarkjs zkey verify <r1cs> <ptau> <zkey>` against the committed powers of tau and circuit (circuits/ceremony/),
// which recomputes the chain of phase-2 contributions from the ptau; the contributions it reports must be the named
// ones and the beacon recorded in circuits/ceremony/<circuit>.verify.txt. A tampered key must fail the check.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const snarkjs = join(root, 'node_modules/.bin/snarkjs');
const manifest = JSON.parse(readFileSync(join(root, 'public/zk/manifest.json'), 'utf8')) as {
  ptau: string;
  ptauSha256: string;
  circuits: Record<string, { zkey: string; r1cs: string; contributions: string[]; sha256: { zkey: string; r1cs: string } }>;
};
const CIRCUITS = ['registration', 'authorization', 'instantiation', 'enrolment', 'transfer'] as const;
const ptau = join(root, manifest.ptau);
const scratch = mkdtempSync(join(tmpdir(), 'twingrain-ceremony-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

/** Runs `snarkjs zkey verify`; ok is true only for exit code 0 with snarkjs's "ZKey Ok!". */
async function verify(r1cs: string, zkey: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(snarkjs, ['zkey', 'verify', r1cs, ptau, zkey], { cwd: root, maxBuffer: 16 << 20 });
    const output = plain(stdout + stderr);
    return { ok: output.includes('ZKey Ok!'), output };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: plain((e.stdout ?? '') + (e.stderr ?? '')) };
  }
}

/** The contributions `zkey verify` reports: name and hash, newest first. */
function contributions(output: string): { name: string; hash: string }[] {
  const out: { name: string; hash: string }[] = [];
  const re = /contribution #(\d+) ([^\n]*?):\n((?:\s+[0-9a-f]{8}(?: [0-9a-f]{8}){3}\n){4})/g;
  for (let m = re.exec(output); m; m = re.exec(output)) out.push({ name: m[2]!.trim(), hash: m[3]!.replace(/\s+/g, '') });
  return out;
}

describe('trusted setup transcript', () => {
  it('the committed ptau and r1cs files are the ones the manifest names', () => {
    expect(sha256(ptau)).toBe(manifest.ptauSha256);
    for (const c of CIRCUITS) {
      expect(sha256(join(root, manifest.circuits[c]!.r1cs)), c).toBe(manifest.circuits[c]!.sha256.r1cs);
      expect(sha256(join(root, 'public/zk', manifest.circuits[c]!.zkey)), c).toBe(manifest.circuits[c]!.sha256.zkey);
    }
  });

  for (const c of CIRCUITS) {
    it(`snarkjs zkey verify accepts ${c}.zkey: three named contributions and a beacon over the committed ptau`, async () => {
      const { ok, output } = await verify(join(root, manifest.circuits[c]!.r1cs), join(root, 'public/zk', `${c}.zkey`));
      expect(ok, output.slice(-2000)).toBe(true);
      const chain = contributions(output);
      expect(chain).toHaveLength(4);
      expect(output).toMatch(/Beacon generator: [0-9a-f]{64}/);
      // The chain is the one recorded at build time (names are cut by snarkjs at 64 characters).
      const recorded = contributions(readFileSync(join(root, `circuits/ceremony/${c}.verify.txt`), 'utf8'));
      expect(chain).toEqual(recorded);
      expect(chain.map((x) => x.name).reverse()).toEqual(manifest.circuits[c]!.contributions.map((n) => n.slice(0, 64)));
    }, 180_000);
  }

  it('refuses a tampered proving key (a flipped byte in a key section, and in the contribution record)', async () => {
    const original = readFileSync(join(root, 'public/zk/enrolment.zkey'));
    const r1cs = join(root, manifest.circuits.enrolment!.r1cs);
    for (const [where, offset] of [['key points', Math.floor(original.length / 2)], ['contributions', original.length - 1000]] as const) {
      const tampered = Buffer.from(original);
      tampered[offset] = tampered[offset]! ^ 0x01;
      const file = join(scratch, `tampered-${where.replace(' ', '-')}.zkey`);
      writeFileSync(file, tampered);
      const { ok, output } = await verify(r1cs, file);
      expect(ok, `${where}: ${output.slice(-500)}`).toBe(false);
    }
  }, 120_000);
});
