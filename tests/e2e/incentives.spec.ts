// The Incentives page on the embedded stack: solving in the worker, bad input, hundreds of providers, and the
// community credits an account was paid on chain by the deployed SharingIncentive.
import { createPublicClient, createWalletClient, encodeFunctionData, http, pad, parseAbi, toHex, type Abi, type Address, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { sharingIncentiveAbi } from '../../src/lib/incentive/abi';
import { toWad } from '../../src/lib/incentive/fixed-point';
import { solveScenario, type Scenario } from '../../src/lib/incentive/index';
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { jsonRpc } from '../../src/lib/node/json-rpc';

const example = JSON.parse(readFileSync(new URL('../../src/lib/incentive/scenarios/example.json', import.meta.url), 'utf8')) as Scenario;

const openAdvanced = (page: Page) => page.getByTestId('incentives-advanced').locator('summary').click();

const ADMIN_KEY: Hex = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

test.describe('Incentives page', () => {
  test('solves the example in a worker and shows m*, E and π*', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/incentives`);
    // The plain answer leads; the model's numbers sit under Advanced.
    await expect(page.getByTestId('lead-sentence')).toContainText(/Share [\d.]+ of your [\d.]+ granules → you would earn [\d,.]+ credits/);
    await openAdvanced(page);
    const expected = solveScenario(example as Scenario);
    await expect(page.getByTestId('provider-count')).toHaveText('3');
    await expect(page.getByTestId('pi')).toHaveText(expected.pi.toFixed(4));
    const rows = page.getByTestId('results-table').locator('tbody tr');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(1).locator('td').nth(2)).toHaveText(expected.m[1]!.toFixed(4));
    await expect(rows.nth(1).locator('td').nth(5)).toHaveText(expected.E[1]!.toFixed(4));
    // Selecting a provider redraws its net-utility curve; hovering reads values off it.
    await rows.nth(2).click();
    await expect(page.getByRole('heading', { name: 'Provider 3: net utility and compensation' })).toBeVisible();
    const plot = page.getByTestId('utility-plot');
    const box = (await plot.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.5);
    await expect(page.getByTestId('utility-readout')).toContainText('net utility');
  });

  test('names the bad parameter and keeps the previous result', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/incentives`);
    await openAdvanced(page);
    await expect(page.getByTestId('provider-count')).toHaveText('3');
    const bad = { ...example, sigma: -1 };
    await page.getByTestId('scenario-json').fill(JSON.stringify(bad));
    await page.getByTestId('solve').click();
    await expect(page.getByTestId('solve-error')).toContainText('Invalid incentive parameter sigma');
    await expect(page.getByTestId('provider-count')).toHaveText('3');
  });

  test('solves hundreds of providers without blocking the page', async ({ page, stack }) => {
    await page.goto(`${stack.appUrl}/#/incentives`);
    await openAdvanced(page);
    await page.getByTestId('generate-count').fill('800');
    await page.getByTestId('generate').click();
    await expect(page.getByTestId('provider-count')).toHaveText('800');
    await expect(page.getByTestId('share-plot').locator('circle')).toHaveCount(800);
    // The solve ran off the main thread, in the incentive worker.
    expect(page.workers().some((w) => /incentive/.test(w.url()))).toBe(true);
    // Selecting a provider in the plot of 800 updates the net-utility panel.
    await page.getByTestId('share-plot').locator('circle').nth(799).click();
    await expect(page.getByRole('heading', { name: 'Provider 800: net utility and compensation' })).toBeVisible();
  });

  test('shows the credits an account was paid on chain for its registered granules', async ({ page, stack }) => {
    const contracts = stack.config.chain.contracts;
    const consortium = contracts.Consortium as Address;
    const registry = contracts.GranuleRegistry as Address;
    const incentive = contracts.SharingIncentive as Address;
    expect(consortium && registry && incentive && contracts.CommunityCredit).toBeTruthy();
    const chain = {
      id: stack.config.chain.chainId,
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [stack.rpcUrl] } },
    };
    const pub = createPublicClient({ transport: http(stack.rpcUrl), pollingInterval: 50 });
    const admin = createWalletClient({ account: privateKeyToAccount(ADMIN_KEY), transport: http(stack.rpcUrl), chain });
    const key = generatePrivateKey();
    const provider = privateKeyToAccount(key);
    await jsonRpc(stack.rpcUrl, 'anvil_setBalance', [provider.address, '0x56BC75E2D63100000']);
    const wallet = createWalletClient({ account: provider, transport: http(stack.rpcUrl), chain });
    const pk = 4_242_000n + BigInt(Date.now() % 1000);
    const wait = async (hash: Hex) => expect((await pub.waitForTransactionReceipt({ hash })).status).toBe('success');
    // Enrolled by the admin (an enroller): a self-enrolment would need a proof of the secret behind this made-up pk.
    await wait(
      await admin.writeContract({
        address: consortium,
        abi: parseAbi(['function enrolMember(address account, uint256 pk)']),
        functionName: 'enrolMember',
        args: [provider.address, pk],
      }),
    );

    // The admin sets provider 2's terms from the model; the provider has registered its n = 25 granules.
    const sol = solveScenario(example as Scenario);
    await wait(
      await admin.writeContract({
        address: incentive,
        abi: sharingIncentiveAbi,
        functionName: 'setTerms',
        args: [pk, toWad(sol.f[1]!), toWad(sol.g[1]!), 25n],
      }),
    );
    const data = encodeFunctionData({
      abi: parseAbi(['function registrationsOf(uint256) view returns (uint256)']) as Abi,
      functionName: 'registrationsOf',
      args: [pk],
    });
    const access = (await jsonRpc(stack.rpcUrl, 'eth_createAccessList', [{ to: registry, data }, 'latest'])) as {
      accessList: { address: string; storageKeys: Hex[] }[];
    };
    const slot = access.accessList.find((e) => e.address.toLowerCase() === registry.toLowerCase())!.storageKeys[0]!;
    await jsonRpc(stack.rpcUrl, 'anvil_setStorageAt', [registry, slot, pad(toHex(25n), { size: 32 })]);
    await wait(await wallet.writeContract({ address: incentive, abi: sharingIncentiveAbi, functionName: 'claim' }));

    await page.goto(`${stack.appUrl}/#/incentives`);
    await page.getByTestId('payout-address').fill(provider.address);
    await expect(page.getByTestId('credit-balance')).toHaveText('906.25 TGC');
    await expect(page.getByTestId('registrations')).toHaveText('25');
    await expect(page.getByTestId('claimable')).toHaveText('0 TGC');
    await expect(page.getByTestId('payout-list')).toContainText('25 granules');
    await expect(page.getByTestId('payout-list')).toContainText('906.25 TGC');
    await openAdvanced(page);
    await expect(page.getByRole('button', { name: 'Use my 25 registered granules as n for provider 1' })).toBeVisible();
  });
});
