// The whole path with nothing arranged by hand: the real Consortium and GranuleRegistry with the committed Groth16
// verifiers, granules registered with real proofs, terms from the model published by the admin, and the claim paying
// exactly the model's E_i(m_i*) for the registered m_i* granules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPublicClient,
  createWalletClient,
  http,
  type Address,
  type PublicClient,
  type WalletClient,
  type Chain,
  type Account,
  type Transport,
} from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../chain/testing/anvil.node.ts';
import { deployContracts } from '../chain/deploy.node.ts';
import { enrol, registerGranule } from '../chain/index';
import { createProver, terminateProver } from '../zk/index';
import { fileArtifactSource } from '../zk/artifacts.node.ts';
import { poseidonHash } from '../identity/index';
import { deployIncentiveContracts } from './deploy.node.ts';
import { claimCompensation, publishIncentiveTerms, readIncentiveAccount, termsFromSolution } from './chain';
import { compensationWad, fromWad, payoutWad } from './fixed-point';
import { solveScenario, type Scenario } from './index';

const CID = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Array(32).fill(9)]);
const secret = 4242n;
const pk = poseidonHash([secret]);
let anvil: AnvilInstance;
let publicClient: PublicClient;
let admin: WalletClient<Transport, Chain, Account>;
let owner: WalletClient<Transport, Chain, Account>;
let contracts: Record<string, Address>;
const prover = createProver(fileArtifactSource());

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), pollingInterval: 50 });
  admin = createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[0]!), transport: http(anvil.rpcUrl) });
  owner = createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[1]!), transport: http(anvil.rpcUrl) });
  const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
  contracts = { ...deployed.contracts };
  Object.assign(
    contracts,
    await deployIncentiveContracts({
      rpcUrl: anvil.rpcUrl,
      deployerPrivateKey: anvil.privateKeys[0]!,
      registry: contracts.GranuleRegistry!,
      consortium: contracts.Consortium!,
    }),
  );
  await enrol({ publicClient, walletClient: owner, consortium: contracts.Consortium!, prover, secret });
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
  await terminateProver();
});

describe('compensation for granules registered with zero-knowledge proofs', () => {
  it("pays the model's E_i for the m_i* granules the provider registered", async () => {
    // Provider 0 holds 3 granules and, at the optimum, shares all of them.
    const scenario: Scenario = {
      theta: 0.5,
      sigma: 1,
      q: 10,
      providers: [
        { n: 3, p: 10, vartheta: 2, pk: pk.toString() },
        { n: 2, p: 10, vartheta: 0.5 },
      ],
      omega: 0.2,
    };
    const sol = solveScenario(scenario);
    expect(sol.bound[0]).toBe('upper');
    expect(sol.m[0]).toBe(3);
    const terms = termsFromSolution(scenario, sol);
    await publishIncentiveTerms({ walletClient: admin, publicClient, contracts, terms });

    for (let k = 0; k < 3; k++) {
      await registerGranule({
        publicClient,
        walletClient: owner,
        registry: contracts.GranuleRegistry!,
        prover,
        secret,
        alpha: 0x5100n + BigInt(k),
        manifestCid: CID,
      });
    }
    const before = await readIncentiveAccount({ client: publicClient, contracts, account: owner.account.address });
    expect(before.registrations).toBe(3n);
    const expected = payoutWad(compensationWad(terms[0]!.f, terms[0]!.g, 3n));
    expect(before.owed).toBe(expected);

    await claimCompensation({ walletClient: owner, publicClient, contracts });
    const after = await readIncentiveAccount({ client: publicClient, contracts, account: owner.account.address });
    expect(after.balance).toBe(expected);
    expect(Math.abs(fromWad(after.balance) - sol.E[0]!)).toBeLessThanOrEqual(1e-12 * sol.E[0]!);
    expect(after.owed).toBe(0n);
    expect(after.payouts).toHaveLength(1);
    expect(after.payouts[0]!.count).toBe(3n);
  });
});
