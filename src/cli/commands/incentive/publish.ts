// `twingrain incentive publish <scenario.json> --rpc <url> --incentive <address> [--key <hex>]`: the consortium admin
// solves a scenario and sets the terms of every provider that names its "pk" on the SharingIncentive contract.
import { readFile } from 'node:fs/promises';
import { createPublicClient, createWalletClient, http, isAddress, defineChain } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { publishIncentiveTerms, termsFromSolution } from '../../../lib/incentive/index';
import { solveScenario } from '../../../lib/incentive/index';
import type { Scenario } from '../../../lib/incentive/index';
import { CliUsageError, type Command } from '../../command';
import { parseFlags, printJson } from '../../output';

export const command: Command = {
  summary: "solve a scenario and set its providers' compensation terms on chain (consortium admin)",
  usage: 'twingrain incentive publish <scenario.json> --rpc <url> --incentive <address> [--key <0x…> | env TWINGRAIN_ADMIN_KEY]',
  async run(argv) {
    const { positionals, values: flags } = parseFlags(argv, { rpc: { type: 'string' }, incentive: { type: 'string' }, key: { type: 'string' } });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new CliUsageError(`give one scenario file; usage: ${command.usage}`);
    const rpc = flags.rpc;
    const incentive = flags.incentive;
    const key = flags.key ?? process.env.TWINGRAIN_ADMIN_KEY;
    if (!rpc || !/^https?:\/\//.test(rpc)) throw new CliUsageError(`--rpc must be the chain's http(s) URL; usage: ${command.usage}`);
    if (!incentive || !isAddress(incentive)) throw new CliUsageError(`--incentive must be the SharingIncentive contract address; usage: ${command.usage}`);
    if (!key || !/^0x[0-9a-fA-F]{64}$/.test(key)) throw new CliUsageError("give the consortium admin's private key with --key 0x… or TWINGRAIN_ADMIN_KEY");
    let scenario: Scenario;
    try {
      scenario = JSON.parse(await readFile(file, 'utf8')) as Scenario;
    } catch {
      throw new CliUsageError(`cannot read the scenario file "${file}" as JSON; see src/lib/incentive/scenarios/example.json`);
    }
    const solution = solveScenario(scenario);
    const terms = termsFromSolution(scenario, solution);
    if (terms.length === 0) throw new CliUsageError('no provider in the scenario names its public key ("pk"), so there is nothing to publish');
    const transport = http(rpc);
    const publicClient = createPublicClient({ transport, pollingInterval: 200 });
    let chainId: number;
    try {
      chainId = await publicClient.getChainId();
    } catch {
      throw new CliUsageError(`cannot reach the chain at ${rpc}; is it running?`);
    }
    const chain = defineChain({
      id: chainId,
      name: `chain-${chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [rpc] } },
    });
    const walletClient = createWalletClient({ account: privateKeyToAccount(key as `0x${string}`), transport, chain });
    const transactions = await publishIncentiveTerms({ walletClient, publicClient, contracts: { SharingIncentive: incentive }, terms });
    printJson({
      published: terms.length,
      transactions,
      terms: terms.map((t) => ({ pk: t.pk.toString(), f: t.f.toString(), g: t.g.toString(), cap: t.cap.toString() })),
    });
    return 0;
  },
};
