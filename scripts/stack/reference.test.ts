// Attack: a member publishes a bundled reference granule as their own. The stack registers every reference granule
// under its "twingrain reference" identity at deployment, so the registry refuses the member (AlreadyRegistered).
// Without registerReferenceGranules the member's registration goes through and this test fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, http, numberToHex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAnvil, ANVIL_ACCOUNTS, type RunningAnvil } from '../../src/lib/node/anvil';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import { registerGranule } from '../../src/lib/chain/index';
import { granuleRegistryAbi } from '../../src/lib/chain/abi.generated';
import { createIdentity, formatPublicKey } from '../../src/lib/identity/index';
import { ensureMembership } from '../../src/lib/records/index';
import { manifestCidOf } from '../../src/lib/sharing/index';
import { packTwin } from '../../src/lib/twin/index';
import { loadTwinDir } from '../../src/lib/twin/source.node.ts';
import { createProver, terminateProver } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { freePort } from './ports';
import { registerReferenceGranules } from './reference';

let anvil: RunningAnvil;
let contracts: Record<string, `0x${string}`>;

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() });
  contracts = (await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: ANVIL_ACCOUNTS[0].privateKey, openEnrolment: true })).contracts;
});
afterAll(async () => {
  await terminateProver();
  await anvil?.stop();
});

describe("the stack's reference granules", () => {
  it('registers every bundled granule under the reference identity, so a member cannot publish one as theirs', async () => {
    const registry = contracts.GranuleRegistry!;
    const { publicKey, registered } = await registerReferenceGranules({ rpcUrl: anvil.rpcUrl, registry, consortium: contracts.Consortium! });
    const twins = fileURLToPath(new URL('../../static-twins', import.meta.url));
    const granules = (
      await Promise.all(['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450'].map(async (id) => packTwin(await loadTwinDir(join(twins, id)))))
    ).flat();
    const unique = [...new Map(granules.map((g) => [g.alpha, g])).values()];
    expect(registered).toBe(unique.length);
    const publicClient = createPublicClient({ transport: http(anvil.rpcUrl), pollingInterval: 100 });
    for (const g of unique) {
      expect(
        formatPublicKey(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [BigInt(g.alpha)] })),
      ).toBe(publicKey);
    }

    // Mallory, an enrolled member, tries to register the BlueMaker appearance (bundled) as hers.
    const account = privateKeyToAccount(generatePrivateKey());
    await publicClient.request({ method: 'anvil_setBalance' as never, params: [account.address, numberToHex(parseEther('10'))] as never });
    const chain = {
      id: anvil.chainId,
      name: 'anvil',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [anvil.rpcUrl] } },
    };
    const walletClient = createWalletClient({ account, chain, transport: http(anvil.rpcUrl) });
    const mallory = createIdentity();
    const prover = createProver(fileArtifactSource());
    await ensureMembership({ publicClient, walletClient, consortium: contracts.Consortium!, secret: mallory.secret, prover });
    const target = unique.find((g) => g.manifest.name === 'bluemaker-bm10-450/appearance')!;
    await expect(
      registerGranule({
        publicClient,
        walletClient,
        registry,
        prover,
        secret: mallory.secret,
        alpha: BigInt(target.alpha),
        manifestCid: manifestCidOf(target.manifest),
      }),
    ).rejects.toThrow(/already registered/);

    // Running it again registers nothing twice.
    expect((await registerReferenceGranules({ rpcUrl: anvil.rpcUrl, registry, consortium: contracts.Consortium! })).registered).toBe(0);
  });
});
