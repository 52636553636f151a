// The on-chain payout against the TypeScript model, on a real anvil with the real Consortium and GranuleRegistry.
// Registration counts are placed in the registry's storage with anvil_setStorageAt (the slot found by
// eth_createAccessList on the registry's own getter) rather than by dozens of zero-knowledge registrations: the
// incentive contract reads them through the registry's real getters either way.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, http, pad, toHex, encodeFunctionData, type Abi, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { compileContracts, type CompiledContracts } from '../chain/compile.node.ts';
import { startAnvil, type AnvilInstance } from '../chain/testing/anvil.node.ts';
import { communityCreditAbi, sharingIncentiveAbi } from './abi';
import { deployIncentiveContracts } from './deploy.node.ts';
import { publishIncentiveTerms, readIncentiveAccount, termsFromSolution } from './chain';
import { compensationWad, fromWad, payoutWad, toWad } from './fixed-point';
import { parseScenario, solveScenario, type Scenario } from './index';
import example from './scenarios/example.json';

let anvil: AnvilInstance;
let compiled: CompiledContracts;
let addresses: Record<string, Address>;
const chainOf = (rpcUrl: string, id: number) => ({
  id,
  name: 'anvil',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [rpcUrl] } },
});

async function deploy(key: Hex, name: string, args: unknown[]): Promise<Address> {
  const account = privateKeyToAccount(key);
  const transport = http(anvil.rpcUrl);
  const wallet = createWalletClient({ account, transport, chain: chainOf(anvil.rpcUrl, anvil.chainId) });
  const pub = createPublicClient({ transport, pollingInterval: 50 });
  const art = compiled[name]!;
  const hash = await wallet.deployContract({ abi: art.abi as Abi, bytecode: art.bytecode, args });
  const r = await pub.waitForTransactionReceipt({ hash });
  return r.contractAddress!;
}

function clients(key: Hex) {
  const account = privateKeyToAccount(key);
  const transport = http(anvil.rpcUrl);
  return {
    account,
    pub: createPublicClient({ transport, pollingInterval: 50 }),
    wallet: createWalletClient({ account, transport, chain: chainOf(anvil.rpcUrl, anvil.chainId) }),
  };
}

async function send(key: Hex, address: Address, abi: Abi, functionName: string, args: unknown[]): Promise<void> {
  const { pub, wallet, account } = clients(key);
  await pub.simulateContract({ address, abi, functionName, args, account });
  const hash = await wallet.writeContract({ address, abi, functionName, args });
  const r = await pub.waitForTransactionReceipt({ hash });
  if (r.status !== 'success') throw new Error(`${functionName} reverted`);
}

/** Sets the uint256 a registry getter returns for `key`, at the slot the getter itself reads. */
async function setRegistryValue(getter: string, key: bigint, value: bigint): Promise<void> {
  const registry = addresses.GranuleRegistry!;
  const abi = compiled.GranuleRegistry!.abi as Abi;
  const data = encodeFunctionData({ abi, functionName: getter, args: [key] });
  const res = await fetch(anvil.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_createAccessList', params: [{ to: registry, data }, 'latest'] }),
  });
  const { result } = (await res.json()) as { result: { accessList: { address: string; storageKeys: Hex[] }[] } };
  const slots = result.accessList.find((e) => e.address.toLowerCase() === registry.toLowerCase())!.storageKeys;
  expect(slots).toHaveLength(1);
  await fetch(anvil.rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'anvil_setStorageAt', params: [registry, slots[0], pad(toHex(value), { size: 32 })] }),
  });
  const { pub } = clients(anvil.privateKeys[0]!);
  expect(await pub.readContract({ address: registry, abi, functionName: getter, args: [key] })).toBe(value);
}

const admin = () => anvil.privateKeys[0]!;
const providerKeys = () => anvil.privateKeys.slice(1, 4);
const PKS = [1001n, 1002n, 1003n];

beforeAll(async () => {
  anvil = await startAnvil();
  compiled = compileContracts();
  const adminAddress = privateKeyToAccount(admin()).address;
  // The enrolment verifier is never reached: members are enrolled by the admin (an enroller), as in a closed consortium.
  const consortium = await deploy(admin(), 'Consortium', [adminAddress, true, adminAddress]);
  // The verifiers, Poseidon and the credit token are never reached here (no proofs are submitted, no licence is
  // paid), so any address stands in for them.
  const registry = await deploy(admin(), 'GranuleRegistry', [consortium, consortium, consortium, consortium, consortium, consortium, consortium, 64n]);
  addresses = { Consortium: consortium, GranuleRegistry: registry };
  Object.assign(addresses, await deployIncentiveContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: admin(), registry, consortium, compiled }));
  for (let k = 0; k < 3; k++)
    await send(admin(), consortium, compiled.Consortium!.abi as Abi, 'enrolMember', [privateKeyToAccount(providerKeys()[k]!).address, PKS[k]!]);
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

describe('SharingIncentive on anvil', () => {
  it('pays E_i = f_i m_i + g_i equal to the model for the same inputs', async () => {
    const scenario = example as Scenario;
    const s = parseScenario(scenario);
    const sol = solveScenario(s);
    const incentive = addresses.SharingIncentive!;
    const credit = addresses.CommunityCredit!;
    const { pub } = clients(admin());
    for (let k = 0; k < 3; k++) {
      const f = toWad(sol.f[k]!);
      const g = toWad(sol.g[k]!);
      await send(admin(), incentive, sharingIncentiveAbi, 'setTerms', [PKS[k]!, f, g, BigInt(s.n[k]!)]);
    }
    // Providers 1 and 2 share their whole n (an integer m*); provider 0's m* = 17.27… is not, so it shares 18.
    const shared = sol.m.map((m) => Math.ceil(m - 1e-9));
    for (let k = 0; k < 3; k++) {
      await setRegistryValue('registrationsOf', PKS[k]!, BigInt(shared[k]!));
      const before = (await pub.readContract({
        address: credit,
        abi: communityCreditAbi,
        functionName: 'balanceOf',
        args: [clients(providerKeys()[k]!).account.address],
      })) as bigint;
      await send(providerKeys()[k]!, incentive, sharingIncentiveAbi, 'claim', []);
      const after = (await pub.readContract({
        address: credit,
        abi: communityCreditAbi,
        functionName: 'balanceOf',
        args: [clients(providerKeys()[k]!).account.address],
      })) as bigint;
      const paid = after - before;
      // Exactly the fixed-point model …
      const expected = payoutWad(compensationWad(toWad(sol.f[k]!), toWad(sol.g[k]!), BigInt(shared[k]!)));
      expect(paid).toBe(expected);
      // … and the real-valued model E_i(m) = f_i m + g_i within the stated rounding.
      const model = sol.f[k]! * shared[k]! + sol.g[k]!;
      expect(Math.abs(fromWad(paid) - model)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(model)));
      if (sol.bound[k] === 'upper') expect(Math.abs(fromWad(paid) - sol.E[k]!)).toBeLessThanOrEqual(1e-12 * sol.E[k]!);
      // A second claim pays nothing more.
      await send(providerKeys()[k]!, incentive, sharingIncentiveAbi, 'claim', []);
      const again = (await pub.readContract({
        address: credit,
        abi: communityCreditAbi,
        functionName: 'balanceOf',
        args: [clients(providerKeys()[k]!).account.address],
      })) as bigint;
      expect(again).toBe(after);
    }
  });

  it('pays nothing while E is negative, then the difference as more granules are registered', async () => {
    const incentive = addresses.SharingIncentive!;
    const pk = 2001n;
    const key = anvil.privateKeys[4]!;
    await send(admin(), addresses.Consortium!, compiled.Consortium!.abi as Abi, 'enrolMember', [privateKeyToAccount(key).address, pk]);
    const f = toWad(2.5);
    const g = toWad(-6);
    await send(admin(), incentive, sharingIncentiveAbi, 'setTerms', [pk, f, g, 10n]);
    const { pub, account } = clients(key);
    const balance = async () =>
      (await pub.readContract({ address: addresses.CommunityCredit!, abi: communityCreditAbi, functionName: 'balanceOf', args: [account.address] })) as bigint;
    await setRegistryValue('registrationsOf', pk, 2n);
    await send(key, incentive, sharingIncentiveAbi, 'claim', []);
    expect(await balance()).toBe(0n);
    await setRegistryValue('registrationsOf', pk, 4n);
    await send(key, incentive, sharingIncentiveAbi, 'claim', []);
    expect(await balance()).toBe(toWad(4));
    // Counted up to the cap: 30 registered, 10 counted.
    await setRegistryValue('registrationsOf', pk, 30n);
    await send(key, incentive, sharingIncentiveAbi, 'claim', []);
    expect(await balance()).toBe(toWad(19));
  });

  it('rewards instantiations of owned granules once, and refuses others and non-admins', async () => {
    const incentive = addresses.SharingIncentive!;
    const key = providerKeys()[0]!;
    const alpha = 777n;
    await send(admin(), incentive, sharingIncentiveAbi, 'setInstantiationRate', [toWad(0.5)]);
    await setRegistryValue('ownerOf', alpha, PKS[0]!);
    await setRegistryValue('instantiationsOf', alpha, 3n);
    const { pub, account } = clients(key);
    const balance = async () =>
      (await pub.readContract({ address: addresses.CommunityCredit!, abi: communityCreditAbi, functionName: 'balanceOf', args: [account.address] })) as bigint;
    const start = await balance();
    await send(key, incentive, sharingIncentiveAbi, 'claimInstantiations', [[alpha]]);
    expect((await balance()) - start).toBe(toWad(1.5));
    await send(key, incentive, sharingIncentiveAbi, 'claimInstantiations', [[alpha]]);
    expect((await balance()) - start).toBe(toWad(1.5));
    await expect(send(providerKeys()[1]!, incentive, sharingIncentiveAbi, 'claimInstantiations', [[alpha]])).rejects.toThrow(/NotGranuleOwner/);
    await expect(send(key, incentive, sharingIncentiveAbi, 'setTerms', [PKS[0]!, 1n, 0n, 1n])).rejects.toThrow(/NotAdmin/);
    const stranger = generatePrivateKey();
    await fetch(anvil.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'anvil_setBalance', params: [privateKeyToAccount(stranger).address, '0x56BC75E2D63100000'] }),
    });
    await expect(send(stranger, incentive, sharingIncentiveAbi, 'claim', [])).rejects.toThrow(/NotAMember/);
  });

  it("publishes a solved scenario's terms in one batch and reads the account back as the app does", async () => {
    const scenario: Scenario = { ...(example as Scenario), providers: (example as Scenario).providers.map((p, i) => ({ ...p, pk: String(PKS[i]) })) };
    const sol = solveScenario(scenario);
    const terms = termsFromSolution(scenario, sol);
    expect(terms.map((t) => t.cap)).toEqual([40n, 25n, 10n]);
    const { pub, wallet } = clients(admin());
    const contracts = addresses as Record<string, `0x${string}`>;
    const hashes = await publishIncentiveTerms({ walletClient: wallet, publicClient: pub, contracts, terms, chunk: 2 });
    expect(hashes).toHaveLength(2);
    for (const t of terms) {
      const [f, g, cap] = await pub.readContract({ address: addresses.SharingIncentive!, abi: sharingIncentiveAbi, functionName: 'termsOf', args: [t.pk] });
      expect([f, g, cap]).toEqual([t.f, t.g, t.cap]);
    }
    // A provider cannot publish terms.
    const other = clients(providerKeys()[0]!);
    await expect(publishIncentiveTerms({ walletClient: other.wallet, publicClient: other.pub, contracts, terms })).rejects.toThrow(/Only the consortium admin/);
    // The app's read of provider 2 (all 25 granules registered and claimed in the first test).
    const info = await readIncentiveAccount({ client: pub, contracts, account: clients(providerKeys()[1]!).account.address });
    expect(info.pk).toBe(PKS[1]);
    expect(info.registrations).toBe(25n);
    expect(info.symbol).toBe('TGC');
    expect(info.balance).toBe(payoutWad(compensationWad(terms[1]!.f, terms[1]!.g, 25n)));
    expect(info.owed).toBe(0n);
    expect(info.payouts.filter((p) => p.kind === 'compensation' && p.amount > 0n)).toHaveLength(1);
  });
});
