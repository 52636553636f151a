// Attacks on the chain side of twingrain (issue 12), each against a real anvil with the committed contracts, verifiers
// and proving keys and real Groth16 proofs. Each test plays the attacker and checks that the attack fails with the
// contract's own error and that nothing is lost for the honest party. Mempool attacks run with automine off: the
// attacker reads the pending transaction from the node's pool, and its own transactions pay a higher priority fee so
// that they are ordered first in the block.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPublicClient, createWalletClient, decodeErrorResult, decodeFunctionData, http, keccak256, parseAbi, parseGwei, toHex,
  type Abi, type Address, type Hash, type Hex, type PublicClient, type WalletClient,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../src/lib/chain/testing/anvil.node.ts';
import { deployContracts, DEFAULT_ACTIONS_PER_DAY } from '../src/lib/chain/deploy.node.ts';
import { compileContracts, type CompiledContracts } from '../src/lib/chain/compile.node.ts';
import {
  authorizeGranule, commitRegistration, consortiumAbi, contractRevertOf, enrol, granuleRegistryAbi, instantiateGranule,
  randomCommitmentSalt, registerGranule, registrationCommitment,
} from '../src/lib/chain/index';
import {
  authorizationCommitment, authorizationInput, createProver, deriveAuthorizationSalt, deriveRegistrationSalt, enrolmentInput,
  instantiationInput, LeanTree, registrationCommitment as leafOf, registrationInput, terminateProver, toSolidityProof,
  type SolidityProof,
} from '../src/lib/zk/index';
import { fileArtifactSource } from '../src/lib/zk/artifacts.node.ts';
import { poseidonHash } from '../src/lib/identity/index';
import { deployIncentiveContracts } from '../src/lib/incentive/deploy.node.ts';
import { communityCreditAbi, sharingIncentiveAbi } from '../src/lib/incentive/abi.ts';

const CID: Hex = `0x01551220${'42'.repeat(32)}`;
const CID_BYTES = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Array(32).fill(0x42)]);
const DUMMY: SolidityProof = { a: [1n, 2n], b: [[1n, 2n], [3n, 4n]], c: [1n, 2n] };
const GAS = 1_500_000n;
const LOW_TIP = parseGwei('1');
const HIGH_TIP = parseGwei('50');
const ERRORS = [...granuleRegistryAbi, ...consortiumAbi].filter((x) => x.type === 'error') as Abi;

let anvil: AnvilInstance;
let publicClient: PublicClient;
let compiled: CompiledContracts;
let contracts: Record<string, Address>;
let registry: Address;
let consortium: Address;
const prover = createProver(fileArtifactSource());

/** Members: 1 owner, 2 mempool attacker, 3 custodian, 4 user, 7 spammer (each enrolled with a proof of its Sk). */
const SECRETS: Record<number, bigint> = { 1: 0x0a11cen, 2: 0xbadn, 3: 0xc057n, 4: 0x05e4n, 7: 0x59a3n };
const pkOf = (i: number): bigint => poseidonHash([SECRETS[i]!]);
const wallets: WalletClient[] = [];
const wallet = (i: number): WalletClient => wallets[i]!;
const address = (i: number): Address => wallet(i).account!.address;

const rpc = (method: string, params: unknown[] = []): Promise<unknown> => publicClient.request({ method: method as never, params: params as never });
const setAutomine = (on: boolean) => rpc('evm_setAutomine', [on]);
const mine = () => rpc('evm_mine');

/** Sends without simulating or waiting (the attacker's and the mempool tests' way), with an explicit tip. */
function send(i: number, to: Address, abi: Abi, functionName: string, args: unknown[], tip = LOW_TIP): Promise<Hash> {
  // anvil orders its pool by the fee cap: a higher tip comes with a higher cap, so the attacker is mined first.
  return wallet(i).writeContract({ address: to, abi, functionName, args, chain: foundry, account: wallet(i).account!, gas: GAS, maxPriorityFeePerGas: tip, maxFeePerGas: tip + parseGwei('100') } as never);
}

/** What the chain says to a call from member i, without sending it. */
function simulate(i: number, to: Address, abi: Abi, functionName: string, args: unknown[]): Promise<unknown> {
  return publicClient.simulateContract({ address: to, abi, functionName, args, account: wallet(i).account!, gas: GAS } as never);
}

/** "success", or the custom error a mined transaction reverted with (from the node's call trace). */
async function outcome(hash: Hash): Promise<string> {
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status === 'success') return 'success';
  const trace = (await rpc('debug_traceTransaction', [hash, { tracer: 'callTracer' }])) as { output?: Hex };
  return decodeErrorResult({ abi: ERRORS, data: trace.output! }).errorName;
}

/** The error a transaction sent through viem (simulated first) is refused with. */
async function refusal(promise: Promise<unknown>): Promise<{ name: string; message: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  const revert = contractRevertOf(error);
  if (!revert) throw new Error(`expected a contract revert, got ${String(error)}`);
  return { name: revert.errorName, message: revert.message };
}

const write = async (i: number, to: Address, abi: Abi, functionName: string, args: unknown[]): Promise<void> => {
  const hash = await send(i, to, abi, functionName, args);
  expect(await outcome(hash)).toBe('success');
};

async function registrationProof(i: number, alpha: bigint, reg: Address = registry): Promise<{ proof: SolidityProof; commitment: bigint }> {
  const input = registrationInput({ secret: SECRETS[i]!, alpha, salt: deriveRegistrationSalt(SECRETS[i]!, alpha), sender: address(i), chainId: foundry.id, registry: reg });
  return { proof: toSolidityProof((await prover.prove(input)).proof), commitment: input.publicSignals[1]! };
}

const read = <T>(functionName: string, args: unknown[] = [], at: Address = registry): Promise<T> =>
  publicClient.readContract({ address: at, abi: granuleRegistryAbi, functionName, args } as never) as Promise<T>;

beforeAll(async () => {
  anvil = await startAnvil({ args: ['--gas-limit', '100000000'] });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), pollingInterval: 50 });
  // Account 0 deploys (anvil's first key); the actors get their own funded keys.
  for (let i = 0; i < 8; i++) {
    const key = i === 0 ? anvil.privateKeys[0]! : keccak256(toHex(`twingrain-attack-actor-${i}`));
    wallets.push(createWalletClient({ chain: foundry, account: privateKeyToAccount(key), transport: http(anvil.rpcUrl) }));
    if (i > 0) await rpc('anvil_setBalance', [address(i), toHex(10n ** 22n)]);
  }
  compiled = compileContracts();
  contracts = (await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true, compiled })).contracts as Record<string, Address>;
  registry = contracts.GranuleRegistry!;
  consortium = contracts.Consortium!;
  for (const i of [1, 2, 3, 4, 7]) await enrol({ publicClient, walletClient: wallet(i), consortium, prover, secret: SECRETS[i]! });
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
  await terminateProver();
});

describe('attacks on registration', () => {
  it('attack: front-running a registration from the mempool — copying the proof or committing late loses; the owner gets α', async () => {
    const alpha = 0xa11a0001n;
    const salt = randomCommitmentSalt();
    await setAutomine(false);
    try {
      // The owner commits (α is hidden in the hash) and the commitment is mined.
      const commit = await send(1, registry, granuleRegistryAbi, 'commitRegistration', [registrationCommitment({ alpha, ownerPk: pkOf(1), account: address(1), salt })]);
      await mine();
      expect(await outcome(commit)).toBe('success');
      // The owner reveals; the reveal waits in the pool.
      const { proof, commitment } = await registrationProof(1, alpha);
      const reveal = await send(1, registry, granuleRegistryAbi, 'register', [proof, alpha, pkOf(1), commitment, CID, salt]);

      // The attacker reads the pending reveal's calldata from the pool…
      const pool = (await rpc('txpool_content')) as { pending: Record<string, Record<string, { to: Address; input: Hex }>> };
      const pending = Object.values(pool.pending).flatMap((byNonce) => Object.values(byNonce)).find((tx) => tx.to.toLowerCase() === registry.toLowerCase());
      const seen = decodeFunctionData({ abi: granuleRegistryAbi, data: pending!.input });
      expect(seen.functionName).toBe('register');
      const [seenProof, seenAlpha, seenPk, seenCommitment, seenCid, seenSalt] = seen.args as [SolidityProof, bigint, bigint, bigint, Hex, Hex];
      expect(seenAlpha).toBe(alpha);
      // …1. replays it verbatim from its own account (ordered first: higher tip),
      const copy = await send(2, registry, granuleRegistryAbi, 'register', [seenProof, seenAlpha, seenPk, seenCommitment, seenCid, seenSalt], HIGH_TIP);
      // 2. claims it under its own key with the owner's proof,
      const ownKey = await send(2, registry, granuleRegistryAbi, 'register', [seenProof, seenAlpha, pkOf(2), seenCommitment, seenCid, seenSalt], HIGH_TIP);
      // 3. commits for α itself and reveals with a proof of its own in the same block, ahead of the owner.
      const attackerSalt = randomCommitmentSalt();
      const own = await registrationProof(2, alpha);
      const lateCommit = await send(2, registry, granuleRegistryAbi, 'commitRegistration', [registrationCommitment({ alpha, ownerPk: pkOf(2), account: address(2), salt: attackerSalt })], HIGH_TIP);
      const lateReveal = await send(2, registry, granuleRegistryAbi, 'register', [own.proof, alpha, pkOf(2), own.commitment, CID, attackerSalt], HIGH_TIP);
      await mine();

      const block = await publicClient.getBlock({ blockTag: 'latest' });
      // The attacker's transactions really were ordered before the owner's reveal in this block.
      expect(block.transactions.indexOf(lateReveal)).toBeLessThan(block.transactions.indexOf(reveal));
      expect(await outcome(copy)).toBe('NotYourPublicKey');
      expect(await outcome(ownKey)).toBe('NoCommitment');
      expect(await outcome(lateCommit)).toBe('success');
      expect(await outcome(lateReveal)).toBe('CommitmentTooFresh');
      expect(await outcome(reveal)).toBe('success');

      // One block later the attacker's commitment is old enough, but α is taken.
      const retry = await send(2, registry, granuleRegistryAbi, 'register', [own.proof, alpha, pkOf(2), own.commitment, CID, attackerSalt], HIGH_TIP);
      await mine();
      expect(await outcome(retry)).toBe('AlreadyRegistered');
    } finally {
      await setAutomine(true);
    }
    expect(await read('ownerOf', [alpha])).toBe(pkOf(1));
    expect(await read('registrationsOf', [pkOf(2)])).toBe(0n);
  });

  it('attack: a custodian that learned α cannot register it without its own earlier commitment, nor after the owner', async () => {
    const alpha = 0xa11a0002n;
    const committed = await commitRegistration({ publicClient, walletClient: wallet(1), registry, secret: SECRETS[1]!, alpha });
    // Suppose α leaked to a custodian before the owner's reveal: with a proof of its own but no commitment, refused.
    const stolen = await registrationProof(3, alpha);
    const noCommitment = await refusal(simulate(3, registry, granuleRegistryAbi, 'register', [stolen.proof, alpha, pkOf(3), stolen.commitment, CID, randomCommitmentSalt()]));
    expect(noCommitment.name).toBe('NoCommitment');
    expect(noCommitment.message).toMatch(/commit first/);
    // Through the app's action it commits first, so it is a block late: the owner's reveal is mined before it.
    await registerGranule({ publicClient, walletClient: wallet(1), registry, prover, secret: SECRETS[1]!, alpha, manifestCid: CID_BYTES, salt: committed.salt });
    const late = await refusal(registerGranule({ publicClient, walletClient: wallet(3), registry, prover, secret: SECRETS[3]!, alpha, manifestCid: CID_BYTES }));
    expect(late.name).toBe('AlreadyRegistered');
    // Even with a commitment of its own mined and the checks skipped, the chain refuses it.
    const salt = randomCommitmentSalt();
    await write(3, registry, granuleRegistryAbi, 'commitRegistration', [registrationCommitment({ alpha, ownerPk: pkOf(3), account: address(3), salt })]);
    const direct = await send(3, registry, granuleRegistryAbi, 'register', [stolen.proof, alpha, pkOf(3), stolen.commitment, CID, salt]);
    expect(await outcome(direct)).toBe('AlreadyRegistered');
    expect(await read('ownerOf', [alpha])).toBe(pkOf(1));
    expect(await read('registrationsOf', [pkOf(3)])).toBe(0n);
  });

  it('attack: a proof made for another registry is refused', async () => {
    // A second registry on the same chain and Consortium, with the same verifiers.
    const other = await deployRegistry('GranuleRegistry', DEFAULT_ACTIONS_PER_DAY);
    const alpha = 0xa11a0007n;
    const forFirst = await registrationProof(1, alpha, registry);
    const committed = await commitRegistration({ publicClient, walletClient: wallet(1), registry: other, secret: SECRETS[1]!, alpha });
    const replayed = await send(1, other, granuleRegistryAbi, 'register', [forFirst.proof, alpha, pkOf(1), forFirst.commitment, CID, committed.salt]);
    expect(await outcome(replayed)).toBe('InvalidProof');
    // Made for this registry, the same statement is accepted: only the binding differed.
    const forOther = await registrationProof(1, alpha, other);
    expect(await outcome(await send(1, other, granuleRegistryAbi, 'register', [forOther.proof, alpha, pkOf(1), forOther.commitment, CID, committed.salt]))).toBe('success');
  });
});

describe('attacks on enrolment', () => {
  it('attack: squatting a public key — a front-runner copying enrol(pk, proof) from the mempool is refused; the newcomer enrols', async () => {
    const newcomer = 5;
    const squatter = 6;
    const secret = 0x7e11c03en;
    const pk = poseidonHash([secret]);
    const proved = await prover.prove(enrolmentInput({ secret, sender: address(newcomer), chainId: foundry.id, consortium }));
    await setAutomine(false);
    try {
      const honest = await send(newcomer, consortium, consortiumAbi, 'enrol', [pk, toSolidityProof(proved.proof)]);
      const pool = (await rpc('txpool_content')) as { pending: Record<string, Record<string, { to: Address; input: Hex }>> };
      const pending = Object.values(pool.pending).flatMap((byNonce) => Object.values(byNonce)).find((tx) => tx.to.toLowerCase() === consortium.toLowerCase());
      const seen = decodeFunctionData({ abi: consortiumAbi, data: pending!.input });
      const squat = await send(squatter, consortium, consortiumAbi, 'enrol', seen.args as unknown as unknown[], HIGH_TIP);
      await mine();
      const block = await publicClient.getBlock({ blockTag: 'latest' });
      expect(block.transactions.indexOf(squat)).toBeLessThan(block.transactions.indexOf(honest));
      expect(await outcome(squat)).toBe('InvalidProof');
      expect(await outcome(honest)).toBe('success');
    } finally {
      await setAutomine(true);
    }
    const members = (f: string, a: unknown) => publicClient.readContract({ address: consortium, abi: consortiumAbi, functionName: f, args: [a] } as never);
    expect(await members('memberOf', pk)).toBe(address(newcomer));
    expect(await members('pkOf', address(squatter))).toBe(0n);
    // Without Sk, the squatter cannot make a proof for another newcomer's key either.
    const target = poseidonHash([0x0de1n]);
    expect((await refusal(simulate(squatter, consortium, consortiumAbi, 'enrol', [target, DUMMY]))).name).toBe('InvalidProof');
    const ownProof = toSolidityProof((await prover.prove(enrolmentInput({ secret: 0x5a7n, sender: address(squatter), chainId: foundry.id, consortium }))).proof);
    expect((await refusal(simulate(squatter, consortium, consortiumAbi, 'enrol', [target, ownProof]))).name).toBe('InvalidProof');
  });
});

describe('attacks on payouts', () => {
  it('attack: self-licensing — an owner instantiating its own granule from its wallet earns nothing; a distinct member counts 1', async () => {
    const incentive = await deployIncentiveContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, registry, consortium, compiled });
    await write(0, incentive.SharingIncentive!, sharingIncentiveAbi as Abi, 'setInstantiationRate', [10n ** 18n]);
    const alpha = 0xa11a0004n;
    await registerGranule({ publicClient, walletClient: wallet(1), registry, prover, secret: SECRETS[1]!, alpha, manifestCid: CID_BYTES });
    // 1. Throwaway user keys the owner made up, instantiated from the owner's wallet.
    for (const throwaway of [0x7401n, 0x7402n]) {
      const auth = await authorizeGranule({ publicClient, walletClient: wallet(1), registry, prover, secret: SECRETS[1]!, alpha, userPk: poseidonHash([throwaway]) });
      const refused = await refusal(instantiateGranule({ publicClient, walletClient: wallet(1), prover, secret: throwaway, record: auth.record, x25519PublicKey: new Uint8Array(32).fill(1) }));
      expect(refused.name).toBe('NotYourPublicKey');
      expect(refused.message).toMatch(/only as the twingrain identity it enrolled/);
    }
    // 2. Its own key: recorded (it may fetch its own granule) but not counted.
    const self = await authorizeGranule({ publicClient, walletClient: wallet(1), registry, prover, secret: SECRETS[1]!, alpha, userPk: pkOf(1) });
    await instantiateGranule({ publicClient, walletClient: wallet(1), prover, secret: SECRETS[1]!, record: self.record, x25519PublicKey: new Uint8Array(32).fill(2) });
    expect(await read('instantiationsOf', [alpha])).toBe(0n);
    const balance = () => publicClient.readContract({ address: incentive.CommunityCredit!, abi: communityCreditAbi, functionName: 'balanceOf', args: [address(1)] });
    await write(1, incentive.SharingIncentive!, sharingIncentiveAbi as Abi, 'claimInstantiations', [[alpha]]);
    expect(await balance()).toBe(0n);
    // 3. A real, distinct member counts once, and that is what pays.
    const real = await authorizeGranule({ publicClient, walletClient: wallet(1), registry, prover, secret: SECRETS[1]!, alpha, userPk: pkOf(4) });
    await instantiateGranule({ publicClient, walletClient: wallet(4), prover, secret: SECRETS[4]!, record: real.record, x25519PublicKey: new Uint8Array(32).fill(3) });
    expect(await read('instantiationsOf', [alpha])).toBe(1n);
    await write(1, incentive.SharingIncentive!, sharingIncentiveAbi as Abi, 'claimInstantiations', [[alpha]]);
    expect(await balance()).toBe(10n ** 18n);
  }, 180_000); // eight real proofs: under the shared machine's load this takes more than the default minute
});

/** A registry (or the test harness) beside the deployed one: same Consortium, verifiers and Poseidon. */
async function deployRegistry(name: 'GranuleRegistry' | 'GranuleRegistryHarness', actionsPerDay: number): Promise<Address> {
  const artifact = compiled[name]!;
  const hash = await wallet(0).deployContract({
    abi: artifact.abi, bytecode: artifact.bytecode, chain: foundry, account: wallet(0).account!,
    args: [consortium, contracts.RegistrationVerifier!, contracts.AuthorizationVerifier!, contracts.InstantiationVerifier!, contracts.TransferVerifier!, contracts.PoseidonT3!, contracts.CommunityCredit!, BigInt(actionsPerDay)],
  });
  return (await publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

describe('attacks on capacity and liveness', () => {
  let harness: Address;
  const harnessAbi = parseAbi(['function seedRegistrations(uint256[] leaves)', 'function seedAuthorizations(uint256[] leaves)']);
  const registrations = new LeanTree();
  const authorizations = new LeanTree();
  let filler = 1n;
  // Distinct junk leaves (any non-zero field elements do: the tree does not know what a leaf means).
  const fillers = (n: number): bigint[] => Array.from({ length: n }, () => (0xf111n << 64n) + filler++);

  async function seed(fn: 'seedRegistrations' | 'seedAuthorizations', tree: LeanTree, count: number): Promise<void> {
    const leaves = fillers(count);
    for (const leaf of leaves) tree.insert(leaf);
    // Batches that fit one transaction (an insert costs about 150,000–250,000 gas at depths 6–14).
    for (let i = 0; i < leaves.length; i += 250) {
      const hash = await wallet(0).writeContract({ address: harness, abi: harnessAbi, functionName: fn, args: [leaves.slice(i, i + 250)], chain: foundry, account: wallet(0).account!, gas: 95_000_000n });
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
    }
  }

  beforeAll(async () => {
    harness = await deployRegistry('GranuleRegistryHarness', DEFAULT_ACTIONS_PER_DAY);
  });

  it('attack: 2^13 junk registrations do not freeze the registry — 8,193+ leaves, real proofs at depth 14', async () => {
    await seed('seedRegistrations', registrations, 8192);
    // The owner's real registration is leaf 8,192 (the 8,193rd): the old 2^13 tree refused it (TreeFull).
    const alpha = 0xa11a0005n;
    const reg = await registerGranule({ publicClient, walletClient: wallet(1), registry: harness, prover, secret: SECRETS[1]!, alpha, manifestCid: CID_BYTES });
    expect(reg.leafIndex).toBe(8192);
    registrations.insert(reg.commitment);
    const [size, depth, root] = await read<[bigint, bigint, bigint]>('registrationTree', [], harness);
    expect([size, depth, root]).toEqual([8193n, 14n, registrations.root]);

    // A real authorization proven against the 8,193-leaf tree, and a real instantiation against an authorization
    // tree of 8,193 leaves too.
    await seed('seedAuthorizations', authorizations, 8192);
    const salt = deriveRegistrationSalt(SECRETS[1]!, alpha);
    const authSalt = deriveAuthorizationSalt(SECRETS[1]!, alpha, pkOf(4));
    const path = registrations.proof(registrations.indexOf(leafOf(alpha, pkOf(1), salt)));
    expect(path.depth).toBe(1); // the last leaf's sibling is the whole left subtree; a leaf on the left has 14:
    expect(registrations.proof(0).depth).toBe(14);
    const authInput = authorizationInput({ secret: SECRETS[1]!, alpha, salt, userPk: pkOf(4), authSalt, proof: path, root: registrations.root, sender: address(1), chainId: foundry.id, registry: harness });
    const authProof = toSolidityProof((await prover.prove(authInput)).proof);
    const commitment = authorizationCommitment(alpha, pkOf(1), pkOf(4), authSalt);
    expect(await outcome(await send(1, harness, granuleRegistryAbi, 'authorize', [authProof, alpha, pkOf(1), pkOf(4), registrations.root, commitment, 0n, 0n]))).toBe('success');
    authorizations.insert(commitment);
    const instInput = instantiationInput({ secret: SECRETS[4]!, alpha, ownerPk: pkOf(1), authSalt, proof: authorizations.proof(8192), root: authorizations.root, sender: address(4), chainId: foundry.id, registry: harness });
    const instProof = toSolidityProof((await prover.prove(instInput)).proof);
    expect(await outcome(await send(4, harness, granuleRegistryAbi, 'instantiate', [instProof, alpha, pkOf(4), authorizations.root, `0x${'07'.repeat(32)}`]))).toBe('success');
    expect(await read('instantiationsOf', [alpha], harness)).toBe(1n);

    // A proof from deep in the left subtree (14 siblings) verifies too: a filler's path proves the circuit takes it.
    const deep = registrations.proof(5);
    expect(deep.depth).toBe(14);
    expect(LeanTree.rootOf(deep)).toBe(registrations.root);
  }, 600_000);

  it('attack: 64+ inserts ahead of a pending proof — it still lands within ROOT_TTL, and is refused after it', async () => {
    const alpha = 0xa11a0005n; // registered by the owner in the test above
    const salt = deriveRegistrationSalt(SECRETS[1]!, alpha);
    const path = registrations.proof(registrations.indexOf(leafOf(alpha, pkOf(1), salt)));
    const oldRoot = registrations.root;
    // Two authorizations proven against the root of this moment…
    const pending = await Promise.all([0x11n, 0x12n].map(async (u) => {
      const userPk = poseidonHash([u]);
      const authSalt = deriveAuthorizationSalt(SECRETS[1]!, alpha, userPk);
      const input = authorizationInput({ secret: SECRETS[1]!, alpha, salt, userPk, authSalt, proof: path, root: oldRoot, sender: address(1), chainId: foundry.id, registry: harness });
      return { userPk, commitment: authorizationCommitment(alpha, pkOf(1), userPk, authSalt), proof: toSolidityProof((await prover.prove(input)).proof) };
    }));
    // …then 100 registrations land ahead of them (the old window forgot a root after 64).
    await seed('seedRegistrations', registrations, 100);
    expect(await read('isKnownRegistrationRoot', [oldRoot], harness)).toBe(true);
    const [first, second] = pending as [typeof pending[number], typeof pending[number]];
    expect(await outcome(await send(1, harness, granuleRegistryAbi, 'authorize', [first.proof, alpha, pkOf(1), first.userPk, oldRoot, first.commitment, 0n, 0n]))).toBe('success');
    // An hour after the root was superseded, a proof against it is refused: refresh and prove again.
    await rpc('evm_increaseTime', [3601]);
    await mine();
    const stale = await refusal(simulate(1, harness, granuleRegistryAbi, 'authorize', [second.proof, alpha, pkOf(1), second.userPk, oldRoot, second.commitment, 0n, 0n]));
    expect(stale.name).toBe('UnknownRoot');
    expect(stale.message).toMatch(/refresh the records/);
    // The current root never expires.
    expect(await read('isKnownRegistrationRoot', [registrations.root], harness)).toBe(true);
  }, 300_000);

  it('attack: a spamming member is stopped by the per-member daily limit (RateLimited), then may act again a day later', async () => {
    expect(await read('ACTIONS_PER_DAY')).toBe(BigInt(DEFAULT_ACTIONS_PER_DAY));
    const limited = await deployRegistry('GranuleRegistry', 3);
    const spam = (k: bigint) => registerGranule({ publicClient, walletClient: wallet(7), registry: limited, prover, secret: SECRETS[7]!, alpha: 0x5a000n + k, manifestCid: CID_BYTES });
    for (let k = 0n; k < 3n; k++) await spam(k);
    const refused = await refusal(spam(3n));
    expect(refused.name).toBe('RateLimited');
    expect(refused.message).toMatch(/limit of registrations and authorizations per day: try again after \d{4}-/);
    const [retryAt, remaining] = await read<[bigint, bigint]>('rateLimitOf', [address(7)], limited);
    expect(remaining).toBe(0n);
    const now = (await publicClient.getBlock()).timestamp;
    expect(retryAt).toBeGreaterThan(now);
    expect(retryAt - now).toBeLessThanOrEqual(86_400n);
    // Other members are not affected by the spammer's limit.
    await registerGranule({ publicClient, walletClient: wallet(1), registry: limited, prover, secret: SECRETS[1]!, alpha: 0x5a0ffn, manifestCid: CID_BYTES });
    await rpc('evm_increaseTime', [Number(retryAt - now) + 1]);
    await mine();
    await spam(3n);
    expect(await read('registrationsOf', [pkOf(7)], limited)).toBe(4n);
  }, 300_000);
});
