// Every proof the app's prover makes (on its resident worker pool: batch-affine MSMs — without tables in field29.ts's
// 29-bit-limb arithmetic on bases its workers convert and keep, with the fixed-base tables its workers build and keep
// in wasmcurves' — self-checked) for random inputs of the three sharing circuits
// verifies twice over: in snarkjs against the committed verification key, and in the generated Solidity verifier the
// registry calls, deployed on a real anvil. A changed public signal fails both.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as snarkjs from 'snarkjs';
import { createPublicClient, http, type Address, type PublicClient } from 'viem';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import { granuleRegistryAbi } from '../../src/lib/chain/index';
import { createProver, terminateProver, toSolidityProof } from '../../src/lib/zk/index';
import { DEFAULT_ARTIFACT_DIR, fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { currentProverPool } from '../../src/lib/zk/prover';
import { randomInput } from '../../scripts/bench/_inputs';

const CIRCUITS = [
  ['registration', 'registrationVerifier', 6],
  ['authorization', 'authorizationVerifier', 8],
  ['instantiation', 'instantiationVerifier', 6],
] as const;
const RUNS = 4;
const verifierAbi = (n: number) =>
  [
    {
      type: 'function',
      name: 'verifyProof',
      stateMutability: 'view',
      inputs: [{ type: 'uint256[2]' }, { type: 'uint256[2][2]' }, { type: 'uint256[2]' }, { type: `uint256[${n}]` }],
      outputs: [{ type: 'bool' }],
    },
  ] as const;

let anvil: AnvilInstance;
let publicClient: PublicClient;
const verifiers = new Map<string, Address>();
const prover = createProver(fileArtifactSource());

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
  for (const [, getter] of CIRCUITS)
    verifiers.set(getter, (await publicClient.readContract({ address: deployed.contracts.GranuleRegistry!, abi: granuleRegistryAbi, functionName: getter })) as Address);
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
  await terminateProver();
});

describe('proofs from the app prover, random inputs, checked by snarkjs and by the Solidity verifiers on anvil', () => {
  for (const [circuit, getter, nPublic] of CIRCUITS) {
    it(`${circuit}: ${RUNS} random inputs`, async () => {
      const vkey = JSON.parse(readFileSync(join(DEFAULT_ARTIFACT_DIR, `${circuit}.vkey.json`), 'utf8')) as unknown;
      for (let run = 0; run < RUNS; run++) {
        // The last two runs prove with the key's fixed-base tables, built inside the workers (the earlier ones before).
        if (run === RUNS - 2) await prover.warmUp([circuit], { tables: true });
        const input = randomInput(circuit, { fillers: 1 + Math.floor(Math.random() * 60) });
        const { proof, publicSignals } = await prover.prove(input);
        if (run === 0) {
          // The proofs before the tables use the fq29 kernels: their bases' converted copies live in the workers.
          const copies = (await currentProverPool()!.list(0)).filter((b) => b.name.endsWith('.B2.29') || b.name.endsWith('.A.29'));
          expect(copies.length).toBeGreaterThanOrEqual(2);
        }
        expect(publicSignals).toEqual(input.publicSignals);
        expect(publicSignals).toHaveLength(nPublic);
        expect(await snarkjs.groth16.verify(vkey, publicSignals.map(String), proof)).toBe(true);
        const s = toSolidityProof(proof);
        const call = (signals: readonly bigint[]) =>
          publicClient.readContract({ address: verifiers.get(getter)!, abi: verifierAbi(nPublic), functionName: 'verifyProof', args: [s.a, s.b, s.c, signals as never] });
        expect(await call(publicSignals)).toBe(true);
        const tampered = [...publicSignals];
        tampered[run % nPublic] = tampered[run % nPublic]! + 1n;
        expect(await call(tampered)).toBe(false);
        expect(await snarkjs.groth16.verify(vkey, tampered.map(String), proof)).toBe(false);
      }
    }, 300_000);
  }
});
