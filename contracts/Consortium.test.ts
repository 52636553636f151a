// Consortium against a real anvil: enrolment with a proof of Sk (open) and by an enroller (closed), custodians,
// threshold, and every revert path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, getContract, http, type Address, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../src/lib/chain/deploy.node.ts';
import { compileContracts } from '../src/lib/chain/compile.node.ts';
import { consortiumAbi, contractRevertOf } from '../src/lib/chain/index';
import { createProver, enrolmentInput, terminateProver, toSolidityProof, type SolidityProof } from '../src/lib/zk/index';
import { fileArtifactSource } from '../src/lib/zk/artifacts.node.ts';
import { poseidonHash } from '../src/lib/identity/index';

const prover = createProver(fileArtifactSource());
const DUMMY: SolidityProof = { a: [1n, 2n], b: [[1n, 2n], [3n, 4n]], c: [1n, 2n] };
/** A proof of Sk for `consortium`, made for wallet i (the sender it is bound to). */
async function proofOf(secret: bigint, consortium: Address, i: number): Promise<SolidityProof> {
  return toSolidityProof((await prover.prove(enrolmentInput({ secret, sender: wallets[i]!.account!.address, chainId: foundry.id, consortium }))).proof);
}

let anvil: AnvilInstance;
let publicClient: PublicClient;
const wallets: WalletClient[] = [];
let open: Address;
let closed: Address;
const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

async function reverts(promise: Promise<unknown>, name: string): Promise<void> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(contractRevertOf(error)?.errorName, String(error)).toBe(name);
}

const as = (address: Address, i: number) => getContract({ address, abi: consortiumAbi, client: { public: publicClient, wallet: wallets[i]! } });
const opts = (i: number) => ({ chain: foundry, account: wallets[i]!.account! });
async function mined(hash: Promise<`0x${string}`>): Promise<void> {
  expect((await publicClient.waitForTransactionReceipt({ hash: await hash })).status).toBe('success');
}

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  for (let i = 0; i < 4; i++) wallets.push(createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[i]!), transport: http(anvil.rpcUrl) }));
  const compiled = compileContracts();
  open = (await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true, compiled })).contracts.Consortium!;
  closed = (await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: false, compiled })).contracts.Consortium!;
});
afterAll(async () => {
  await anvil?.stop();
  await terminateProver();
});

describe('Consortium', () => {
  it('lets anyone who knows Sk enrol Pk while enrolment is open, once per account and key', async () => {
    const pk5 = poseidonHash([5n]);
    // Without Sk (no valid proof), with a proof for another account, or for another Consortium: refused.
    await reverts(as(open, 1).write.enrol([pk5, DUMMY], opts(1)), 'InvalidProof');
    await reverts(as(open, 1).write.enrol([pk5, await proofOf(5n, open, 2)], opts(1)), 'InvalidProof');
    await reverts(as(open, 1).write.enrol([pk5, await proofOf(5n, closed, 1)], opts(1)), 'InvalidProof');
    await reverts(as(open, 1).write.enrol([poseidonHash([6n]), await proofOf(5n, open, 1)], opts(1)), 'InvalidProof');
    await mined(as(open, 1).write.enrol([pk5, await proofOf(5n, open, 1)], { ...opts(1), gas: 1_000_000n }));
    expect(await as(open, 1).read.pkOf([wallets[1]!.account!.address])).toBe(pk5);
    expect(await as(open, 1).read.memberOf([pk5])).toBe(wallets[1]!.account!.address);
    expect(await as(open, 1).read.isMember([wallets[1]!.account!.address])).toBe(true);
    await reverts(as(open, 1).write.enrol([poseidonHash([6n]), await proofOf(6n, open, 1)], opts(1)), 'AlreadyEnrolled');
    await reverts(as(open, 2).write.enrol([pk5, await proofOf(5n, open, 2)], opts(2)), 'PublicKeyTaken');
    await reverts(as(open, 2).write.enrol([0n, DUMMY], opts(2)), 'InvalidPublicKey');
    await reverts(as(open, 2).write.enrol([FIELD, DUMMY], opts(2)), 'InvalidPublicKey');
  });

  it('closed enrolment: only enrollers enrol, only the admin opens it', async () => {
    await reverts(as(closed, 1).write.enrol([poseidonHash([7n]), await proofOf(7n, closed, 1)], opts(1)), 'EnrolmentClosed');
    await reverts(as(closed, 1).write.enrolMember([wallets[1]!.account!.address, 7n], opts(1)), 'AccessControlUnauthorizedAccount');
    await mined(as(closed, 0).write.enrolMember([wallets[1]!.account!.address, 7n], opts(0)));
    expect(await as(closed, 0).read.pkOf([wallets[1]!.account!.address])).toBe(7n);
    await reverts(as(closed, 1).write.setOpenEnrolment([true], opts(1)), 'AccessControlUnauthorizedAccount');
    await mined(as(closed, 0).write.setOpenEnrolment([true], opts(0)));
    await mined(as(closed, 2).write.enrol([poseidonHash([8n]), await proofOf(8n, closed, 2)], { ...opts(2), gas: 1_000_000n }));
  });

  it('registers custodians with X25519 keys and a threshold', async () => {
    const c = as(open, 0);
    const key = (n: number) => `0x${n.toString(16).padStart(64, '0')}` as const;
    await reverts(as(open, 1).write.registerCustodian([wallets[1]!.account!.address, key(1)], opts(1)), 'AccessControlUnauthorizedAccount');
    await reverts(c.write.setThreshold([1], opts(0)), 'InvalidThreshold');
    for (let i = 1; i <= 3; i++) await mined(c.write.registerCustodian([wallets[i]!.account!.address, key(i)], opts(0)));
    await reverts(c.write.registerCustodian([wallets[1]!.account!.address, key(9)], opts(0)), 'CustodianExists');
    await mined(c.write.setThreshold([3], opts(0)));
    await reverts(c.write.setThreshold([4], opts(0)), 'InvalidThreshold');
    await reverts(c.write.setThreshold([0], opts(0)), 'InvalidThreshold');
    await mined(c.write.removeCustodian([wallets[1]!.account!.address], opts(0)));
    await reverts(c.write.removeCustodian([wallets[1]!.account!.address], opts(0)), 'UnknownCustodian');
    const list = await c.read.custodians();
    expect(list.map((x) => x.account).sort()).toEqual([wallets[2]!.account!.address, wallets[3]!.account!.address].sort());
    expect(list.find((x) => x.account === wallets[3]!.account!.address)?.x25519PublicKey).toBe(key(3));
    // Removing a custodian below the threshold lowers it, so keys stay recoverable.
    expect(await c.read.threshold()).toBe(2);
  });
});
