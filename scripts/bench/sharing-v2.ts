// Proving time (the app's prover in Node, median of warm runs) and gas per sharing action, for docs/bench/sharing-v2.md
// (its figures are collected in docs/bench/sharing-v2.json):
// `npx tsx scripts/bench/sharing-v2.ts <label> [runs]` writes docs/bench/sharing-v2-<label>.json. Run once on the code
// before issue 12 ("before") and once after ("after"); the markdown table is written from both files.
import '../../src/lib/node/polyfills';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createPublicClient, createWalletClient, http, type Hash, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil } from '../../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import * as chain from '../../src/lib/chain/index';
import { ALL_CIRCUIT_NAMES, CIRCUIT_NAMES, createProver, terminateProver } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { poseidonHash } from '../../src/lib/identity/index';
import { randomInput } from './_inputs';
import { ROOT } from './_plonk';
import { gasActions } from './_sharing-v2-actions';

const label = process.argv[2] ?? 'after';
const runs = Number(process.argv[3] ?? 7);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const prover = createProver(fileArtifactSource());
await prover.warmUp(label === 'before' ? CIRCUIT_NAMES : ALL_CIRCUIT_NAMES);
const load0 = loadavg()[0]!;
const proving: Record<string, { medianMs: number; runs: number; constraints?: number }> = {};
for (const circuit of ALL_CIRCUIT_NAMES) {
  await prover.prove(randomInput(circuit)); // warm
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const input = randomInput(circuit);
    const t0 = performance.now();
    await prover.prove(input);
    times.push(performance.now() - t0);
  }
  proving[circuit] = { medianMs: Math.round(median(times)), runs };
}
const load1 = loadavg()[0]!;

const anvil = await startAnvil();
const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
const wallets: WalletClient[] = [1, 2].map((i) =>
  createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[i]!), transport: http(anvil.rpcUrl) }),
);
const secrets = [101n, 202n];
const gasOf = async (hash: Hash): Promise<number> => Number((await publicClient.getTransactionReceipt({ hash })).gasUsed);
const gas = await gasActions({
  chain,
  publicClient,
  wallets,
  secrets,
  pks: secrets.map((s) => poseidonHash([s])),
  prover,
  registry: deployed.contracts.GranuleRegistry!,
  consortium: deployed.contracts.Consortium!,
  gasOf,
});
await anvil.stop();

const file = join(ROOT, `docs/bench/sharing-v2-${label}.json`);
writeFileSync(file, JSON.stringify({ label, measuredAt: new Date().toISOString(), load: [load0, load1], proving, gas }, null, 2) + '\n');
process.stdout.write(`${JSON.stringify({ proving, gas, load: [load0, load1] })}\n`);
await terminateProver();
process.exit(0);
