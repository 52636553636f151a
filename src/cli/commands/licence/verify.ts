// `twingrain licence verify <receipt file> [--challenge <hex>]`: checks a licence receipt against the chain. Prints
// {"valid", "reason", "alpha", "holder", "at", "signer"} and exits 1 when the receipt does not prove a licence.
import { readFile } from 'node:fs/promises';
import { parseStringFlags } from '../../flags';
import { createPublicClient, http, type Hex, type PublicClient } from 'viem';
import { CliUsageError, type Command } from '../../command';
import { printJson } from '../../output';
import { parseLicenceReceipt, verifyLicenceReceipt } from '../../../lib/chain/index';
import { COMMON_FLAGS, hex32, loadDeployment } from '../identity/context';

export const command: Command = {
  summary: 'check a licence receipt against the chain',
  usage: 'twingrain licence verify <receipt file> [--challenge <hex>] [--rpc <url>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, [...COMMON_FLAGS, 'challenge'], command.usage);
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    if (typeof flags.challenge === 'string' && !/^0x[0-9a-fA-F]{64}$/.test(flags.challenge))
      throw new CliUsageError('--challenge is 32 bytes written as 0x and 64 hex digits.');
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new CliUsageError(`Cannot read the receipt ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
    }
    const receipt = parseLicenceReceipt(text);
    const deployment = await loadDeployment(flags);
    const publicClient = createPublicClient({ transport: http(deployment.rpcUrl) }) as PublicClient;
    const verdict = await verifyLicenceReceipt({
      publicClient,
      receipt,
      ...(typeof flags.challenge === 'string' ? { challenge: flags.challenge as Hex } : {}),
      ...(deployment.contracts.GranuleRegistry ? { registry: deployment.contracts.GranuleRegistry } : {}),
    });
    printJson({
      valid: verdict.valid,
      reason: verdict.reason,
      alpha: receipt.alpha,
      holder: hex32(BigInt(receipt.holderPk)),
      at: new Date(receipt.at * 1000).toISOString(),
      signer: verdict.signer ?? null,
    });
    return verdict.valid ? 0 : 1;
  },
};
