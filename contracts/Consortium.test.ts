// Consortium against a real anvil: enrolment (open and closed), custodians, threshold, and every revert path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, getContract, http, type Address, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../src/lib/chain/deploy.ts';
import { compileContracts } from '../src/lib/chain/compile.node.ts';
import { consortiumAbi, contractRevertOf } from '../src/lib/chain/index';

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
});

describe('Consortium', () => {
  it('lets anyone enrol while enrolment is open, once per account and key', async () => {
    await mined(as(open, 1).write.enrol([5n], opts(1)));
    expect(await as(open, 1).read.pkOf([wallets[1]!.account!.address])).toBe(5n);
    expect(await as(open, 1).read.memberOf([5n])).toBe(wallets[1]!.account!.address);
    expect(await as(open, 1).read.isMember([wallets[1]!.account!.address])).toBe(true);
    await reverts(as(open, 1).write.enrol([6n], opts(1)), 'AlreadyEnrolled');
    await reverts(as(open, 2).write.enrol([5n], opts(2)), 'PublicKeyTaken');
    await reverts(as(open, 2).write.enrol([0n], opts(2)), 'InvalidPublicKey');
    await reverts(as(open, 2).write.enrol([FIELD], opts(2)), 'InvalidPublicKey');
  });

  it('closed enrolment: only enrollers enrol, only the admin opens it', async () => {
    await reverts(as(closed, 1).write.enrol([7n], opts(1)), 'EnrolmentClosed');
    await reverts(as(closed, 1).write.enrolMember([wallets[1]!.account!.address, 7n], opts(1)), 'AccessControlUnauthorizedAccount');
    await mined(as(closed, 0).write.enrolMember([wallets[1]!.account!.address, 7n], opts(0)));
    expect(await as(closed, 0).read.pkOf([wallets[1]!.account!.address])).toBe(7n);
    await reverts(as(closed, 1).write.setOpenEnrolment([true], opts(1)), 'AccessControlUnauthorizedAccount');
    await mined(as(closed, 0).write.setOpenEnrolment([true], opts(0)));
    await mined(as(closed, 2).write.enrol([8n], opts(2)));
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
