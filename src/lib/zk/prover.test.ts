// The prover with its per-circuit caches (compiled witness calculator, parsed proving key) against the committed
// artifacts: proofs made back to back verify in snarkjs against the committed verification keys, the witness is the
// one snarkjs computes, and bad input or a damaged key still gives the typed errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as snarkjs from 'snarkjs';
import { DEFAULT_ARTIFACT_DIR, fileArtifactSource } from './artifacts.node.ts';
import { ArtifactLoadError, ProofGenerationError } from './errors';
import { registrationInput, type CircuitInput } from './inputs';
import { deriveRegistrationSalt } from './salts';
import { createProver, currentProverPool, terminateProver, type ArtifactSource } from './prover';
import { randomInput } from '../../../scripts/bench/_inputs';
import { authorizationStatement, TEST_REGISTRY, TEST_SENDER } from './testing';
import { createWitnessCalculator } from './witness';

const SENDER = TEST_SENDER;
const REGISTRY = TEST_REGISTRY;
const vkey = (circuit: string): unknown => JSON.parse(readFileSync(join(DEFAULT_ARTIFACT_DIR, `${circuit}.vkey.json`), 'utf8'));
const registration = (secret: bigint, alpha: bigint): CircuitInput =>
  registrationInput({ secret, alpha, salt: deriveRegistrationSalt(secret, alpha), sender: SENDER, chainId: 31337, registry: REGISTRY });

const authorization = (): CircuitInput => authorizationStatement({ secret: 0x1234n, alpha: 0xabcdefn, user: 0x5678n, leaves: 12, at: 7 });

afterAll(async () => {
  await terminateProver();
});

describe('prover with cached witness calculator and proving key', () => {
  const prover = createProver(fileArtifactSource());

  it('proves twice in a row; both proofs verify in snarkjs against the committed verification key', async () => {
    const first = await prover.prove(registration(11n, 22n));
    const second = await prover.prove(registration(33n, 44n));
    for (const [r, input] of [
      [first, registration(11n, 22n)],
      [second, registration(33n, 44n)],
    ] as const) {
      expect(r.publicSignals).toEqual(input.publicSignals);
      expect(await snarkjs.groth16.verify(vkey('registration'), r.publicSignals.map(String), r.proof)).toBe(true);
      expect(await prover.verify('registration', r.publicSignals, r.proof)).toBe(true);
    }
    // Groth16 proofs are randomized: the same statement proved again gives other bytes.
    const again = await prover.prove(registration(11n, 22n));
    expect(again.proof.pi_a).not.toEqual(first.proof.pi_a);
    // A proof is bound to its public signals.
    const tampered = [...first.publicSignals];
    tampered[2] = tampered[2]! + 1n;
    expect(await prover.verify('registration', tampered, first.proof)).toBe(false);
  });

  it('proves a tree circuit (authorization: 2^13 domain, bases with points at infinity dropped)', async () => {
    const input = authorization();
    const r = await prover.prove(input);
    expect(r.publicSignals).toEqual(input.publicSignals);
    expect(await snarkjs.groth16.verify(vkey('authorization'), r.publicSignals.map(String), r.proof)).toBe(true);
  });

  it('a bad input still gives ProofGenerationError, and the reused calculator proves correctly afterwards', async () => {
    const bad = registration(55n, 66n);
    bad.signals = { ...bad.signals, pk: (BigInt(bad.signals.pk as string) + 1n).toString() };
    await expect(prover.prove(bad)).rejects.toThrow(ProofGenerationError);
    await expect(prover.prove(bad)).rejects.toThrow(
      /The registration proof cannot be made: the values do not satisfy the circuit \(assertion failed.*\)\. Check the identity, salt and record\./,
    );
    const missing = registration(55n, 66n);
    delete missing.signals.salt;
    await expect(prover.prove(missing)).rejects.toThrow(ProofGenerationError);
    const good = await prover.prove(registration(55n, 66n));
    expect(await prover.verify('registration', good.publicSignals, good.proof)).toBe(true);
  });

  it('computes the same witness as snarkjs', async () => {
    const wasm = new Uint8Array(readFileSync(join(DEFAULT_ARTIFACT_DIR, 'authorization.wasm')));
    const input = authorization();
    const ours = await (await createWitnessCalculator(wasm)).calculate(input.signals);
    const out: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
    await snarkjs.wtns.calculate(input.signals, wasm, out);
    // snarkjs's .wtns: header section (field size, prime, count), then section 2 with the values.
    expect(Buffer.from(out.data!).includes(Buffer.from(ours))).toBe(true);
    expect(ours.byteLength).toBeGreaterThan(3000 * 32);
  });

  it('witnesses started together on one calculator are each their own (proofs made at once do not mix)', async () => {
    const wasm = new Uint8Array(readFileSync(join(DEFAULT_ARTIFACT_DIR, 'registration.wasm')));
    const calculator = await createWitnessCalculator(wasm);
    const inputs = [registration(11n, 12n), registration(21n, 22n), registration(31n, 32n)];
    const alone: Uint8Array[] = [];
    for (const input of inputs) alone.push(await calculator.calculate(input.signals));
    const together = await Promise.all(inputs.map((input) => calculator.calculate(input.signals)));
    expect(together.map((w) => Buffer.from(w).toString('hex'))).toEqual(alone.map((w) => Buffer.from(w).toString('hex')));
    expect(new Set(alone.map((w) => Buffer.from(w).toString('hex'))).size).toBe(3);
  });

  it('fails closed: a wrong multi-exponentiation (a key whose A points were swapped, which still parses) gives no proof', async () => {
    const files = fileArtifactSource();
    const source: ArtifactSource = {
      async load(circuit, kind) {
        const bytes = (await files.load(circuit, kind)).slice();
        if (kind !== 'zkey') return bytes;
        // Section 5 holds A's affine points (64 bytes each); swapping two valid points keeps the file well-formed.
        const view = new DataView(bytes.buffer);
        let p = 12;
        for (let i = 0; i < view.getUint32(8, true); i++) {
          const type = view.getUint32(p, true);
          const size = Number(view.getBigUint64(p + 4, true));
          p += 12;
          if (type === 5) {
            // The first two distinct points past the constant signal's (at infinity is all zeros: not those).
            const at = (k: number): Uint8Array => bytes.subarray(p + 64 * k, p + 64 * (k + 1));
            const used = Array.from({ length: size / 64 }, (_, k) => k).filter((k) => k > 0 && at(k).some((b) => b !== 0));
            const other = used.find((k) => Buffer.compare(at(k), at(used[0]!)) !== 0)!;
            const [x, y] = [p + 64 * used[0]!, p + 64 * other];
            const first = bytes.slice(x, x + 64);
            bytes.copyWithin(x, y, y + 64);
            bytes.set(first, y);
          }
          p += size;
        }
        return bytes;
      },
    };
    const wrong = createProver(source);
    await expect(wrong.prove(registration(99n, 98n))).rejects.toThrow(ProofGenerationError);
    await expect(wrong.prove(registration(99n, 98n))).rejects.toThrow(
      /The registration proof came out wrong and was not used \(it does not verify against the proving key\)/,
    );
  });

  it('a damaged proving key is an ArtifactLoadError, and a later good key is not poisoned by it', async () => {
    const files = fileArtifactSource();
    let damage = true;
    const source: ArtifactSource = {
      async load(circuit, kind) {
        const bytes = await files.load(circuit, kind);
        if (kind === 'zkey' && damage) return bytes.slice(0, bytes.byteLength >> 1);
        return bytes;
      },
    };
    const damaged = createProver(source);
    await expect(damaged.prove(registration(77n, 88n))).rejects.toThrow(ArtifactLoadError);
    await expect(damaged.prove(registration(77n, 88n))).rejects.toThrow(/proving key is damaged .*restore public\/zk/);
    damage = false;
    const r = await damaged.prove(registration(77n, 88n));
    expect(await damaged.verify('registration', r.publicSignals, r.proof)).toBe(true);
  });
});

describe("the prover's resident worker pool", () => {
  const prover = createProver(fileArtifactSource(), { backgroundTables: 'off' });
  const check = async (circuit: 'registration' | 'authorization' | 'instantiation', r: { publicSignals: bigint[]; proof: unknown }): Promise<boolean> =>
    snarkjs.groth16.verify(vkey(circuit), r.publicSignals.map(String), r.proof as never);

  it('proves from tables built inside the workers; a table damaged in a worker is refused by the self-check, the prover falls back and drops the tables', async () => {
    await prover.warmUp(['registration'], { tables: true });
    expect((await prover.tableBytes!()).registration).toBeGreaterThan(0);
    const pool = currentProverPool()!;
    expect(pool).toBeDefined();
    // This key's tables: the newest key with tables in the workers (provers of this realm share the pool). Each
    // worker holds its own share of every table (and the key's bases), nothing of it in this thread.
    const ids = (await pool.list(0)).filter((b) => b.name.includes('.T.')).map((b) => Number(b.name.slice(1, b.name.indexOf('.'))));
    const id = `k${Math.max(...ids)}`;
    const tablesOf = async (i: number): Promise<string[]> =>
      (await pool.list(i)).filter((b) => b.name.startsWith(`${id}.T.`)).map((b) => b.name.slice(id.length + 3));
    for (let i = 0; i < pool.size; i++) expect((await tablesOf(i)).sort()).toEqual(['A', 'B1', 'B2', 'C', 'H']);
    for (let run = 0; run < 3; run++) {
      const input = randomInput('registration');
      const r = await prover.prove(input);
      expect(r.publicSignals).toEqual(input.publicSignals);
      expect(await check('registration', r)).toBe(true);
    }
    // Two points of worker 0's share of B2's table swapped: valid curve points, so only the result can tell.
    const table = `${id}.T.B2`;
    const [p, q] = [await pool.peek(0, table, 0, 128), await pool.peek(0, table, 128 * 40, 128)];
    await pool.poke(0, table, 0, q);
    await pool.poke(0, table, 128 * 40, p);
    const r = await prover.prove(randomInput('registration'));
    expect(await check('registration', r)).toBe(true);
    expect((await prover.tableBytes!()).registration).toBe(0);
    for (let i = 0; i < pool.size; i++) expect(await tablesOf(i)).toEqual([]);
    // The session goes on without tables for this key, and its proofs stay right.
    const again = await prover.prove(randomInput('registration'));
    expect(await check('registration', again)).toBe(true);
  }, 120_000);

  it("proves with the fq29 kernels on bases converted inside the workers; a converted base damaged in a worker is refused by the self-check, the prover falls back to wasmcurves' field code and drops the copies", async () => {
    const fq29 = createProver(fileArtifactSource(), { backgroundTables: 'off' });
    await fq29.warmUp(['instantiation']);
    const pool = currentProverPool()!;
    // This key: the newest key resident in the workers (provers of this realm share the pool).
    const ids = (await pool.list(0)).map((b) => Number(b.name.slice(1, b.name.indexOf('.'))));
    const id = `k${Math.max(...ids)}`;
    const copiesOf = async (i: number): Promise<string[]> =>
      (await pool.list(i))
        .filter((b) => b.name.startsWith(`${id}.`) && b.name.endsWith('.29'))
        .map((b) => b.name.slice(id.length + 1))
        .sort();
    for (let i = 0; i < pool.size; i++) expect(await copiesOf(i)).toEqual(['A.29', 'B1.29', 'B2.29', 'C.29', 'H.29']);
    for (let run = 0; run < 3; run++) {
      const input = randomInput('instantiation');
      const r = await fq29.prove(input);
      expect(r.publicSignals).toEqual(input.publicSignals);
      expect(await check('instantiation', r)).toBe(true);
    }
    // Two G2 bases swapped in worker 0's fq29 copy (144 bytes a point): valid points, so only the result can tell.
    const copy = `${id}.B2.29`;
    const [p, q] = [await pool.peek(0, copy, 0, 144), await pool.peek(0, copy, 144 * 40, 144)];
    await pool.poke(0, copy, 0, q);
    await pool.poke(0, copy, 144 * 40, p);
    const r = await fq29.prove(randomInput('instantiation'));
    expect(await check('instantiation', r)).toBe(true);
    for (let i = 0; i < pool.size; i++) expect(await copiesOf(i)).toEqual([]);
    const again = await fq29.prove(randomInput('instantiation'));
    expect(await check('instantiation', again)).toBe(true);
  }, 120_000);

  it('a worker stopped in the middle of a proof gives ProofGenerationError, and the next proof works on new workers', async () => {
    await prover.warmUp(['authorization']);
    await prover.prove(randomInput('authorization'));
    const pool = currentProverPool()!;
    const interrupted = prover.prove(randomInput('authorization'), (stage) => {
      if (stage === 'proof') setTimeout(() => pool.kill(1), 15);
    });
    await expect(interrupted).rejects.toThrow(ProofGenerationError);
    await expect(interrupted).rejects.toThrow(/The authorization proof was interrupted: a proving thread stopped .*Try again\./);
    expect(pool.closed).toBe(true);
    const input = randomInput('authorization');
    const r = await prover.prove(input);
    expect(currentProverPool()).not.toBe(pool);
    expect(r.publicSignals).toEqual(input.publicSignals);
    expect(await check('authorization', r)).toBe(true);
  }, 120_000);
});
