// `twingrain licence receipt <alpha> --identity <file> [--challenge <hex>] [--at <ISO time>] [-o <file>]`: a signed
// statement that you hold a licence for the granule (no key in it), for a verifier such as a print farm. Prints the
// receipt JSON, or {"receipt": <file>} when written with -o.
import { writeFile } from 'node:fs/promises';
import { parseStringFlags } from '../../flags';
import type { Hex } from 'viem';
import { asUsage, CliUsageError, type Command } from '../../command';
import { printJson } from '../../output';
import { parseAlpha } from '../../../lib/granule/index';
import { signLicenceReceipt } from '../../../lib/chain/index';
import { parseExpiry } from '../../../lib/chain/index';
import { COMMON_FLAGS, contractOf, actingIdentity } from '../identity/context';

export const command: Command = {
  summary: 'sign a receipt showing you hold a licence for a granule',
  usage: 'twingrain licence receipt <alpha> --identity <file> [--challenge <hex>] [--at <ISO time>] [-o <file>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, [...COMMON_FLAGS, 'challenge', 'at', 'out'], command.usage, { out: 'o' });
    const [alphaText] = positionals;
    if (!alphaText || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    const alpha = asUsage(() => parseAlpha(alphaText));
    const at = typeof flags.at === 'string' ? asUsage(() => Number(parseExpiry(flags.at as string))) : undefined;
    if (typeof flags.challenge === 'string' && !/^0x[0-9a-fA-F]{64}$/.test(flags.challenge))
      throw new CliUsageError('--challenge is 32 bytes written as 0x and 64 hex digits.');
    const { unlocked, deployment, publicClient, walletClient } = await actingIdentity(flags);
    const receipt = await signLicenceReceipt({
      publicClient,
      walletClient,
      registry: contractOf(deployment, 'GranuleRegistry'),
      secret: unlocked.identity.secret,
      alpha,
      ...(typeof flags.challenge === 'string' ? { challenge: flags.challenge as Hex } : {}),
      ...(at !== undefined ? { at } : {}),
    });
    if (typeof flags.out === 'string') {
      await writeFile(flags.out, JSON.stringify(receipt, null, 1) + '\n');
      printJson({ receipt: flags.out });
    } else {
      printJson(receipt);
    }
    return 0;
  },
};
