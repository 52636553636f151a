import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createPublicClient, http } from 'viem';
import { startAnvil, type AnvilInstance } from '../../../lib/chain/testing/anvil.node.ts';
import { deployIncentiveContracts } from '../../../lib/incentive/deploy.node.ts';
import { sharingIncentiveAbi } from '../../../lib/incentive/abi';
import { toWad } from '../../../lib/incentive/fixed-point';
import { solveScenario } from '../../../lib/incentive/solve';

const run = promisify(execFile);
let anvil: AnvilInstance;
let incentive: `0x${string}`;

beforeAll(async () => {
  anvil = await startAnvil();
  incentive = (await deployIncentiveContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]! })).SharingIncentive!;
}, 120_000);
afterAll(async () => anvil?.stop());

describe('twingrain incentive publish', () => {
  it('sets the solved terms on chain for providers naming their pk, and refuses a non-admin', async () => {
    const scenario = {
      theta: 1,
      sigma: 1,
      q: 20,
      omega: 0.1,
      providers: [
        { n: 10, p: 20, vartheta: 0.3, pk: '777' },
        { n: 5, p: 20, vartheta: 0.2 },
      ],
    };
    const dir = await mkdtemp(join(tmpdir(), 'incentive-publish-'));
    const file = join(dir, 'scenario.json');
    await writeFile(file, JSON.stringify(scenario));
    const { stdout } = await run(process.execPath, [
      'bin/twingrain.js',
      'incentive',
      'publish',
      file,
      '--rpc',
      anvil.rpcUrl,
      '--incentive',
      incentive,
      '--key',
      anvil.privateKeys[0]!,
    ]);
    const out = JSON.parse(stdout.trim()) as { published: number; transactions: string[] };
    expect(out.published).toBe(1);
    expect(out.transactions).toHaveLength(1);
    const sol = solveScenario(scenario);
    const pub = createPublicClient({ transport: http(anvil.rpcUrl) });
    const [f, g, cap] = await pub.readContract({ address: incentive, abi: sharingIncentiveAbi, functionName: 'termsOf', args: [777n] });
    expect([f, g, cap]).toEqual([toWad(sol.f[0]!), toWad(sol.g[0]!), 10n]);

    const failure = await run(process.execPath, [
      'bin/twingrain.js',
      'incentive',
      'publish',
      file,
      '--rpc',
      anvil.rpcUrl,
      '--incentive',
      incentive,
      '--key',
      anvil.privateKeys[1]!,
    ]).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failure?.code).not.toBe(0);
    expect(failure!.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure!.stderr).toContain('Only the consortium admin');
  });
});
