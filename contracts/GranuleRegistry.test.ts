// GranuleRegistry against a real anvil with the committed verifiers and proving keys: the happy path of the three
// mechanisms through the src/lib/chain actions, and every revert path with its own custom error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, getContract, http, type Address, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../src/lib/chain/deploy.node.ts';
import { authorizeGranule, commitRegistration, consortiumAbi, enrol, readInstantiation, loadAuthorizationTree, loadRegistrationTree, TreeSyncError, ContractRevertError, granuleRegistryAbi, instantiateGranule, parseRecordAddress, registerGranule, contractRevertOf } from '../src/lib/chain/index';
import { createProver, registrationInput, toSolidityProof, terminateProver, type Groth16Proof, type SolidityProof } from '../src/lib/zk/index';
import { fileArtifactSource } from '../src/lib/zk/artifacts.node.ts';
import { poseidonHash } from '../src/lib/identity/index';

const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n; // BN254 base field
const CID = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Array(32).fill(7)]);
const DUMMY: SolidityProof = { a: [1n, 2n], b: [[1n, 2n], [3n, 4n]], c: [1n, 2n] };

/** Groth16 malleability: (−A, −B, C) satisfies the same pairing equation as (A, B, C). */
function malleate(proof: SolidityProof): SolidityProof {
  return { a: [proof.a[0], P - proof.a[1]], b: [proof.b[0], [P - proof.b[1][0], P - proof.b[1][1]]], c: proof.c };
}

let anvil: AnvilInstance;
let publicClient: PublicClient;
let registry: Address;
let consortium: Address;
const prover = createProver(fileArtifactSource());
const wallets: WalletClient[] = [];
const secrets = [11n, 22n, 33n]; // alice, bob, mallory
const pks = secrets.map((s) => poseidonHash([s]));

async function expectRevert(promise: Promise<unknown>, errorName: string): Promise<ContractRevertError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  const revert = contractRevertOf(error);
  expect(revert?.errorName, `expected ${errorName}, got ${String(error)}`).toBe(errorName);
  expect(revert!.message.length).toBeGreaterThan(20);
  return revert!;
}

function registryAs(i: number) {
  return getContract({ address: registry, abi: granuleRegistryAbi, client: { public: publicClient, wallet: wallets[i]! } });
}

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
  registry = deployed.contracts.GranuleRegistry!;
  consortium = deployed.contracts.Consortium!;
  for (let i = 0; i < 4; i++) {
    wallets.push(createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[i + 1]!), transport: http(anvil.rpcUrl) }));
  }
  for (let i = 0; i < 3; i++) await enrol({ publicClient, walletClient: wallets[i]!, consortium, prover, secret: secrets[i]! });
});

afterAll(async () => {
  await anvil?.stop();
  await terminateProver();
});

describe('GranuleRegistry', () => {
  const alpha = 0x1234n;
  let authorization: string;
  let authCommitment: bigint;

  it('registers, authorizes and instantiates through the actions, with records and counters', async () => {
    const stages: string[] = [];
    const reg = await registerGranule({ publicClient, walletClient: wallets[0]!, registry, prover, secret: secrets[0]!, alpha, manifestCid: CID, onStage: (s) => stages.push(s) });
    expect(stages).toEqual(['checking', 'committing', 'loading', 'witness', 'proof', 'transaction', 'inclusion']);
    expect(reg.commitTxHash).toMatch(/^0x/);
    expect(reg.leafIndex).toBe(0);
    expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [alpha] })).toBe(pks[0]);
    expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [alpha] })).toBe(`0x${Buffer.from(CID).toString('hex')}`);
    expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'registrationsOf', args: [pks[0]!] })).toBe(1n);
    expect(parseRecordAddress(reg.recordAddress)).toEqual(reg.record);
    const regReceipt = await publicClient.getTransactionReceipt({ hash: reg.txHash });
    expect(regReceipt.gasUsed).toBeLessThan(500_000n);

    const auth = await authorizeGranule({ publicClient, walletClient: wallets[0]!, registry, prover, secret: secrets[0]!, alpha, userPk: pks[1]! });
    expect(auth.leafIndex).toBe(0);
    expect(auth.record.authSalt).toBeDefined();
    authorization = auth.recordAddress;
    authCommitment = auth.commitment;
    expect((await publicClient.getTransactionReceipt({ hash: auth.txHash })).gasUsed).toBeLessThan(500_000n);

    // Only bob's identity can use the record.
    await expect(instantiateGranule({ publicClient, walletClient: wallets[2]!, prover, secret: secrets[2]!, record: authorization, x25519PublicKey: new Uint8Array(32) })).rejects.toThrow(/another identity/);
    const inst = await instantiateGranule({ publicClient, walletClient: wallets[1]!, prover, secret: secrets[1]!, record: authorization, x25519PublicKey: new Uint8Array(32).fill(9) });
    expect(inst.alpha).toBe(alpha);
    expect(inst.ownerPk).toBe(pks[0]);
    expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'instantiationsOf', args: [alpha] })).toBe(1n);
    const recorded = await readInstantiation({ publicClient, registry, alpha, userPk: pks[1]! });
    expect(recorded?.x25519PublicKey).toBe(`0x${'09'.repeat(32)}`);
    expect(recorded!.timestamp).toBeGreaterThan(0n);
    expect(await readInstantiation({ publicClient, registry, alpha, userPk: pks[2]! })).toBeNull();
    // At a block before the instantiation nothing was recorded (custodians read at head − confirmations).
    expect(await readInstantiation({ publicClient, registry, alpha, userPk: pks[1]!, blockNumber: inst.blockNumber - 1n })).toBeNull();
    expect(await publicClient.readContract({ address: consortium, abi: consortiumAbi, functionName: 'pkOf', args: [wallets[1]!.account!.address] })).toBe(pks[1]);
    expect((await publicClient.getTransactionReceipt({ hash: inst.txHash })).gasUsed).toBeLessThan(500_000n);
  });

  it('refuses a second registration, a second authorization and a second instantiation', async () => {
    await expectRevert(registerGranule({ publicClient, walletClient: wallets[0]!, registry, prover, secret: secrets[0]!, alpha, manifestCid: CID }), 'AlreadyRegistered');
    await expectRevert(authorizeGranule({ publicClient, walletClient: wallets[0]!, registry, prover, secret: secrets[0]!, alpha, userPk: pks[1]! }), 'LicenceInForce');
    await expectRevert(instantiateGranule({ publicClient, walletClient: wallets[1]!, prover, secret: secrets[1]!, record: authorization, x25519PublicKey: new Uint8Array(32) }), 'AlreadyInstantiated');
    // The same refusals on chain, when a client skips the checks.
    const regRoot = await registryAs(0).read.registrationRoot();
    await expectRevert(registryAs(0).write.authorize([DUMMY, alpha, pks[0]!, pks[1]!, regRoot, authCommitment, 0n, 0n], { chain: foundry, account: wallets[0]!.account! }), 'AlreadyAuthorized');
    await expectRevert(registryAs(1).write.instantiate([DUMMY, alpha, pks[1]!, await registryAs(1).read.authorizationRoot(), `0x${'00'.repeat(32)}`], { chain: foundry, account: wallets[1]!.account! }), 'AlreadyInstantiated');
  });

  describe('registration proofs', () => {
    const alpha2 = 0xbeefn;
    let proof: SolidityProof;
    let commitment: bigint;
    let salt: `0x${string}`;
    const w = (i: number) => ({ chain: foundry, account: wallets[i]!.account! });
    beforeAll(async () => {
      const input = registrationInput({ secret: secrets[0]!, alpha: alpha2, salt: 5n, sender: wallets[0]!.account!.address, chainId: foundry.id, registry });
      const proved = await prover.prove(input);
      proof = toSolidityProof(proved.proof);
      commitment = input.publicSignals[1]!;
      salt = (await commitRegistration({ publicClient, walletClient: wallets[0]!, registry, secret: secrets[0]!, alpha: alpha2 })).salt;
    });

    it('rejects a proof sent by another account (mempool copy), under the owner\'s key or its own', async () => {
      await expectRevert(registryAs(2).write.register([proof, alpha2, pks[0]!, commitment, '0x01', salt], w(2)), 'NotYourPublicKey');
      await commitRegistration({ publicClient, walletClient: wallets[2]!, registry, secret: secrets[2]!, alpha: alpha2, salt });
      await expectRevert(registryAs(2).write.register([proof, alpha2, pks[2]!, commitment, '0x01', salt], w(2)), 'InvalidProof');
    });

    it('rejects a reveal without a matching commitment', async () => {
      const otherSalt = `0x${'ab'.repeat(32)}` as const;
      await expectRevert(registryAs(0).write.register([proof, alpha2, pks[0]!, commitment, '0x01', otherSalt], w(0)), 'NoCommitment');
      await expectRevert(registryAs(0).write.register([proof, alpha2 + 1n, pks[0]!, commitment, '0x01', salt], w(0)), 'NoCommitment');
    });

    it('rejects a forged proof and tampered public inputs', async () => {
      await expectRevert(registryAs(0).write.register([DUMMY, alpha2, pks[0]!, commitment, '0x01', salt], w(0)), 'InvalidProof');
      await expectRevert(registryAs(0).write.register([proof, alpha2, pks[0]!, commitment + 1n, '0x01', salt], w(0)), 'InvalidProof');
    });

    it('rejects a proof made for another chain', async () => {
      const input = registrationInput({ secret: secrets[0]!, alpha: alpha2, salt: 5n, sender: wallets[0]!.account!.address, chainId: 1, registry });
      const other = toSolidityProof((await prover.prove(input)).proof);
      await expectRevert(registryAs(0).write.register([other, alpha2, pks[0]!, commitment, '0x01', salt], w(0)), 'InvalidProof');
    });

    it('rejects an empty manifest pointer, a non-member and a key that is not the caller\'s', async () => {
      await expectRevert(registryAs(0).write.register([proof, alpha2, pks[0]!, commitment, '0x', salt], w(0)), 'InvalidManifestCid');
      await expectRevert(registryAs(3).write.register([proof, alpha2, pks[0]!, commitment, '0x01', salt], w(3)), 'NotAMember');
      await expectRevert(registryAs(1).write.register([proof, alpha2, pks[0]!, commitment, '0x01', salt], w(1)), 'NotYourPublicKey');
    });

    it('accepts the proof once; its replay and a re-randomized copy create no second record', async () => {
      const verifier = (await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'registrationVerifier' })) as Address;
      const malleated = malleate(proof);
      expect(malleated).not.toEqual(proof);
      const verifierAbi = [{ type: 'function', name: 'verifyProof', stateMutability: 'view', inputs: [{ type: 'uint256[2]' }, { type: 'uint256[2][2]' }, { type: 'uint256[2]' }, { type: 'uint256[6]' }], outputs: [{ type: 'bool' }] }] as const;
      const signals = [pks[0]!, commitment, alpha2, BigInt(wallets[0]!.account!.address), BigInt(foundry.id), BigInt(registry)] as const;
      // The malleated proof really is valid: only uniqueness on α stops it.
      expect(await publicClient.readContract({ address: verifier, abi: verifierAbi, functionName: 'verifyProof', args: [malleated.a, malleated.b, malleated.c, signals] })).toBe(true);
      const hash = await registryAs(0).write.register([proof, alpha2, pks[0]!, commitment, '0x01', salt], { ...w(0), gas: 1_200_000n });
      expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
      await expectRevert(registryAs(0).write.register([proof, alpha2, pks[0]!, commitment, '0x01', salt], w(0)), 'AlreadyRegistered');
      await expectRevert(registryAs(0).write.register([malleated, alpha2, pks[0]!, commitment, '0x01', salt], w(0)), 'AlreadyRegistered');
      expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'registrationsOf', args: [pks[0]!] })).toBe(2n);
      // A CID of another form than raw sha2-256 is kept whole.
      expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [alpha2] })).toBe('0x01');
    });
  });

  it('refuses authorizations of unregistered or foreign granules, and unknown roots', async () => {
    const w = (i: number) => ({ chain: foundry, account: wallets[i]!.account! });
    const root = await registryAs(0).read.registrationRoot();
    await expectRevert(registryAs(0).write.authorize([DUMMY, 0x999n, pks[0]!, pks[1]!, root, 77n, 0n, 0n], w(0)), 'NotRegistered');
    // Mallory claims alice's granule under her own key…
    await expectRevert(registryAs(2).write.authorize([DUMMY, alpha, pks[2]!, pks[2]!, root, 77n, 0n, 0n], w(2)), 'NotGranuleOwner');
    // …or under alice's key, which is not the key her account enrolled.
    await expectRevert(registryAs(2).write.authorize([DUMMY, alpha, pks[0]!, pks[2]!, root, 77n, 0n, 0n], w(2)), 'NotYourPublicKey');
    // Alice herself without a valid proof.
    await expectRevert(registryAs(0).write.authorize([DUMMY, alpha, pks[0]!, pks[2]!, root, 77n, 0n, 0n], w(0)), 'InvalidProof');
    await expectRevert(registryAs(0).write.authorize([DUMMY, alpha, pks[0]!, pks[1]!, 12345n, 77n, 0n, 0n], w(0)), 'UnknownRoot');
    // And through the action, with a sentence for the person at the screen.
    const refused = await expectRevert(authorizeGranule({ publicClient, walletClient: wallets[2]!, registry, prover, secret: secrets[2]!, alpha, userPk: pks[2]! }), 'NotGranuleOwner');
    expect(refused.message).toMatch(/only its current owner/);
  });

  it('refuses to prove against a tree rebuilt from incomplete events', async () => {
    const [first] = await publicClient.getContractEvents({ address: registry, abi: granuleRegistryAbi, eventName: 'Registered', fromBlock: 0n });
    expect((await loadRegistrationTree({ publicClient, registry })).tree.size).toBeGreaterThan(1);
    await expect(loadRegistrationTree({ publicClient, registry, fromBlock: first!.blockNumber + 1n })).rejects.toThrow(TreeSyncError);
    const auths = await loadAuthorizationTree({ publicClient, registry });
    expect(auths.tree.root).toBe(await registryAs(0).read.authorizationRoot());
  });

  it('refuses instantiations of unregistered granules and unknown roots', async () => {
    const w = { chain: foundry, account: wallets[1]!.account! };
    const root = await registryAs(1).read.authorizationRoot();
    await expectRevert(registryAs(1).write.instantiate([DUMMY, 0x999n, pks[1]!, root, `0x${'00'.repeat(32)}`], w), 'NotRegistered');
    await expectRevert(registryAs(1).write.instantiate([DUMMY, alpha, pks[1]!, 4242n, `0x${'00'.repeat(32)}`], w), 'UnknownRoot');
    await expectRevert(registryAs(1).write.instantiate([DUMMY, alpha, pks[2]!, root, `0x${'00'.repeat(32)}`], w), 'NotYourPublicKey');
    // Without a licence for the granule the registry refuses before it even looks at the proof.
    await expectRevert(registryAs(1).write.instantiate([DUMMY, 0xbeefn, pks[1]!, root, `0x${'00'.repeat(32)}`], w), 'NotLicensed');
  });

  // Last in this file: it moves the chain's clock a day ahead.
  it('refuses a reveal whose commitment is older than COMMITMENT_TTL (1 day)', async () => {
    const alpha3 = 0xdeadn;
    const { salt } = await commitRegistration({ publicClient, walletClient: wallets[0]!, registry, secret: secrets[0]!, alpha: alpha3 });
    await publicClient.request({ method: 'evm_increaseTime' as never, params: [86_401] as never });
    await publicClient.request({ method: 'evm_mine' as never, params: [] as never });
    const refused = await expectRevert(registerGranule({ publicClient, walletClient: wallets[0]!, registry, prover, secret: secrets[0]!, alpha: alpha3, manifestCid: CID, salt }), 'CommitmentExpired');
    expect(refused.message).toMatch(/commit again/);
    // A fresh commitment works.
    const reg = await registerGranule({ publicClient, walletClient: wallets[0]!, registry, prover, secret: secrets[0]!, alpha: alpha3, manifestCid: CID });
    expect(reg.salt).not.toBe(salt);
  });
});

export type { Groth16Proof };
