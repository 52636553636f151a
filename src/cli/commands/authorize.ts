// `twingrain authorize <alpha> --to <pk> [--expires <ISO time>] [--price <credits>] --identity <file>`: Mechanisms 3–4
// with the licence's terms. Prints {"alpha", "leafIndex", "root", "txHash", "record", "expiresAt", "price"}; `record`
// is what the user passes to `twingrain instantiate`; expiresAt is an ISO time or null (never), price is in credits.
import { parseStringFlags } from '../flags';
import { asUsage, CliUsageError, type Command } from '../command';
import { printJson } from '../output';
import { parseAlpha } from '../../lib/granule/index';
import { parsePublicKey } from '../../lib/identity/index';
import { authorizeGranule } from '../../lib/chain/index';
import { formatCredits, formatExpiry, parseCredits, parseExpiry } from '../../lib/chain/index';
import { COMMON_FLAGS, treeSourcesFor, hex32, provingIdentity } from './identity/context';

export const command: Command = {
  summary: "authorize a registered granule to a user's public key, with an optional expiry and price",
  usage:
    'twingrain authorize <alpha> --to <pk> [--expires <ISO time>] [--price <credits>] --identity <file> [--passphrase <p>] [--rpc <url>] [--trees-from <community node snapshot URL>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, [...COMMON_FLAGS, 'to', 'expires', 'price', 'trees-from'], command.usage);
    const [alphaText] = positionals;
    if (!alphaText || positionals.length > 1 || typeof flags.to !== 'string') throw new CliUsageError(`usage: ${command.usage}`);
    const alpha = asUsage(() => parseAlpha(alphaText));
    const expiresAt = typeof flags.expires === 'string' ? asUsage(() => parseExpiry(flags.expires as string)) : null;
    const price = typeof flags.price === 'string' ? asUsage(() => parseCredits(flags.price as string)) : 0n;
    const userPk = parsePublicKey(flags.to);
    const { deployment, act } = await provingIdentity(flags);
    const result = await authorizeGranule({
      ...act,
      alpha,
      userPk,
      expiresAt,
      price,
      fromBlock: BigInt(deployment.deployBlock),
      trees: treeSourcesFor(act.registry, flags),
    });
    printJson({
      alpha: hex32(alpha),
      leafIndex: result.leafIndex,
      root: hex32(result.root),
      txHash: result.txHash,
      record: result.recordAddress,
      expiresAt: formatExpiry(result.expiresAt),
      price: formatCredits(result.price),
    });
    return 0;
  },
};
