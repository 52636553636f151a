// The committed circuits (public/zk) against every constraint: a valid witness passes, and each wrong value
// (key, salt, leaf, root, a non-binary path index, depth, binding) makes witness generation or verification fail.
// Also: a proof made with the committed zkey verifies in snarkjs and in the committed Solidity verifier.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as snarkjs from 'snarkjs';
import { createPublicClient, http, type Address } from 'viem';
import { foundry } from 'viem/chains';
import { poseidonHash } from '../src/lib/identity/index';
import {
  authorizationCommitment, authorizationInput, createProver, enrolmentInput, instantiationInput, LeanTree, registrationCommitment, transferInput,
  registrationInput, terminateProver, toSolidityProof, TREE_MAX_DEPTH, type CircuitInput, type CircuitName,
} from '../src/lib/zk/index';
import { DEFAULT_ARTIFACT_DIR, fileArtifactSource } from '../src/lib/zk/artifacts.node.ts';
import { startAnvil, type AnvilInstance } from '../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../src/lib/chain/deploy.node.ts';

const sender = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;
const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;
const chainId = 31337;
const sk = 123456789n;
const pk = poseidonHash([sk]);
const skU = 987654321n;
const pkU = poseidonHash([skU]);
const alpha = 0xabcdefn;
const salt = 42n;
const authSalt = 4242n;

function inputs(): Record<CircuitName, CircuitInput> {
  const reg = new LeanTree();
  for (let i = 1n; i <= 6n; i++) reg.insert(i * 1111n);
  reg.insert(registrationCommitment(alpha, pk, salt));
  const auth = new LeanTree();
  for (let i = 1n; i <= 4n; i++) auth.insert(i * 7777n);
  auth.insert(authorizationCommitment(alpha, pk, pkU, authSalt));
  return {
    registration: registrationInput({ secret: sk, alpha, salt, sender, chainId, registry }),
    authorization: authorizationInput({ secret: sk, alpha, salt, userPk: pkU, authSalt, proof: reg.proof(6), root: reg.root, sender, chainId, registry }),
    instantiation: instantiationInput({ secret: skU, alpha, ownerPk: pk, authSalt, proof: auth.proof(4), root: auth.root, sender, chainId, registry }),
    enrolment: enrolmentInput({ secret: sk, sender, chainId, consortium: registry }),
    transfer: transferInput({ secret: sk, alpha, newOwnerPk: pkU, nonce: 3n, sender, chainId, registry }),
  };
}

const wasm = (c: CircuitName) => new Uint8Array(readFileSync(`${DEFAULT_ARTIFACT_DIR}/${c}.wasm`));

async function witnessOk(circuit: CircuitName, signals: Record<string, unknown>): Promise<boolean> {
  try {
    await snarkjs.wtns.calculate(signals, wasm(circuit), { type: 'mem' });
    return true;
  } catch {
    return false;
  }
}

const bump = (v: unknown) => (BigInt(v as string) + 1n).toString();
const withSibling = (s: Record<string, unknown>, i: number, f: (v: string) => unknown) => ({ ...s, siblings: (s.siblings as string[]).map((v, j) => (j === i ? f(v) : v)) });
const withIndex = (s: Record<string, unknown>, i: number, value: number) => ({ ...s, pathIndices: (s.pathIndices as number[]).map((v, j) => (j === i ? value : v)) });

describe('circuit constraints', () => {
  const valid = inputs();

  it('accepts the valid witnesses', async () => {
    for (const circuit of ['registration', 'authorization', 'instantiation', 'enrolment', 'transfer'] as const) expect(await witnessOk(circuit, valid[circuit].signals)).toBe(true);
  });

  it('transfer: an owner key that is not H(secret) fails', async () => {
    const s = valid.transfer.signals;
    for (const field of ['secret', 'ownerPk']) expect(await witnessOk('transfer', { ...s, [field]: bump(s[field]) }), field).toBe(false);
  });

  it('enrolment: a public key that is not H(secret) fails', async () => {
    const s = valid.enrolment.signals;
    for (const field of ['secret', 'pk']) expect(await witnessOk('enrolment', { ...s, [field]: bump(s[field]) }), field).toBe(false);
  });

  it('a proof at depth 14 (beyond the old 2^13 limit) passes, as at the new maximum of 20', async () => {
    // A lean tree of 2^13 + 1 leaves has depth 14; the last leaf's path has one sibling (the left subtree's root).
    const tree = new LeanTree();
    for (let i = 1n; i <= 8192n; i++) tree.insert(i);
    const leaf = registrationCommitment(alpha, pk, salt);
    tree.insert(leaf);
    expect(tree.depth).toBe(14);
    const s = authorizationInput({ secret: sk, alpha, salt, userPk: pkU, authSalt, proof: tree.proof(8192), root: tree.root, sender, chainId, registry }).signals;
    expect(await witnessOk('authorization', s)).toBe(true);
    // A leaf deep in the left subtree has a full 14-level path.
    expect(tree.proof(0).depth).toBe(14);
  });

  it('registration: wrong key, salt, public key, commitment or α fail', async () => {
    const s = valid.registration.signals;
    for (const field of ['secret', 'salt', 'pk', 'commitment', 'alpha']) expect(await witnessOk('registration', { ...s, [field]: bump(s[field]) }), field).toBe(false);
  });

  it('authorization: wrong key, salt, leaf, root, sibling, path index, depth or commitment fail', async () => {
    const s = valid.authorization.signals;
    for (const field of ['secret', 'salt', 'authSalt', 'alpha', 'ownerPk', 'userPk', 'root', 'commitment']) {
      expect(await witnessOk('authorization', { ...s, [field]: bump(s[field]) }), field).toBe(false);
    }
    expect(await witnessOk('authorization', withSibling(s, 0, bump)), 'sibling').toBe(false);
    expect(await witnessOk('authorization', withIndex(s, 0, 1 - (s.pathIndices as number[])[0]!)), 'flipped index').toBe(false);
    expect(await witnessOk('authorization', withIndex(s, 0, 2)), 'non-binary index').toBe(false);
    expect(await witnessOk('authorization', { ...s, depth: Number(s.depth) + 1 }), 'depth').toBe(false);
    expect(await witnessOk('authorization', { ...s, depth: TREE_MAX_DEPTH + 1 }), 'depth beyond max').toBe(false);
  });

  it('instantiation: wrong key, leaf values, root, sibling, path index or depth fail', async () => {
    const s = valid.instantiation.signals;
    for (const field of ['secret', 'ownerPk', 'authSalt', 'alpha', 'userPk', 'root']) {
      expect(await witnessOk('instantiation', { ...s, [field]: bump(s[field]) }), field).toBe(false);
    }
    expect(await witnessOk('instantiation', withSibling(s, 0, bump)), 'sibling').toBe(false);
    expect(await witnessOk('instantiation', withIndex(s, 0, 5)), 'non-binary index').toBe(false);
    expect(await witnessOk('instantiation', { ...s, depth: 0 }), 'depth').toBe(false);
  });

  it('the committed manifest matches the library constants', () => {
    const manifest = JSON.parse(readFileSync(`${DEFAULT_ARTIFACT_DIR}/manifest.json`, 'utf8'));
    expect(manifest.circuits.authorization.maxDepth).toBe(TREE_MAX_DEPTH);
    expect(manifest.circuits.instantiation.maxDepth).toBe(TREE_MAX_DEPTH);
    expect(TREE_MAX_DEPTH).toBe(20);
    for (const circuit of ['registration', 'authorization', 'instantiation', 'enrolment', 'transfer']) expect(manifest.circuits[circuit].constraints).toBeLessThan(2 ** manifest.ptauPower);
    expect(manifest.backend).toBe('groth16');
  });
});

describe('proofs from the committed keys', () => {
  let anvil: AnvilInstance;
  let verifiers: Record<CircuitName, Address>;
  const prover = createProver(fileArtifactSource());

  beforeAll(async () => {
    anvil = await startAnvil();
    const { contracts } = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
    verifiers = { registration: contracts.RegistrationVerifier!, authorization: contracts.AuthorizationVerifier!, instantiation: contracts.InstantiationVerifier!, enrolment: contracts.EnrolmentVerifier!, transfer: contracts.TransferVerifier! };
  });
  afterAll(async () => {
    await anvil?.stop();
    await terminateProver();
  });

  it('verify in snarkjs and in the Solidity verifier, and only with the sender, chain and contract they were made for', async () => {
    const client = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
    const valid = inputs();
    for (const circuit of ['registration', 'authorization', 'instantiation', 'enrolment', 'transfer'] as const) {
      const { proof, publicSignals } = await prover.prove(valid[circuit]);
      expect(await prover.verify(circuit, publicSignals, proof), circuit).toBe(true);
      const n = publicSignals.length;
      const abi = [{ type: 'function', name: 'verifyProof', stateMutability: 'view', inputs: [{ type: 'uint256[2]' }, { type: 'uint256[2][2]' }, { type: 'uint256[2]' }, { type: `uint256[${n}]` }], outputs: [{ type: 'bool' }] }] as const;
      const sol = toSolidityProof(proof);
      const onChain = (signals: bigint[]) => client.readContract({ address: verifiers[circuit], abi, functionName: 'verifyProof', args: [sol.a, sol.b, sol.c, signals] as never });
      expect(await onChain(publicSignals), `${circuit} on chain`).toBe(true);
      // Binding: the last three public signals are the sender, the chain id and the verifying contract.
      const otherSender = publicSignals.map((s, i) => (i === n - 3 ? s + 1n : s));
      const otherChain = publicSignals.map((s, i) => (i === n - 2 ? 1n : s));
      const otherContract = publicSignals.map((s, i) => (i === n - 1 ? s + 1n : s));
      expect(await prover.verify(circuit, otherSender, proof), `${circuit} other sender`).toBe(false);
      expect(await prover.verify(circuit, otherChain, proof), `${circuit} other chain`).toBe(false);
      expect(await prover.verify(circuit, otherContract, proof), `${circuit} other contract`).toBe(false);
      expect(await onChain(otherSender)).toBe(false);
      expect(await onChain(otherChain)).toBe(false);
      expect(await onChain(otherContract)).toBe(false);
    }
  });
});
