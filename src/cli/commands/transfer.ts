// `twingrain transfer <alpha> --to <pk> --identity <file>`: hands a granule you own to another member, with a proof
// that you hold the owner's secret key. The new owner grants and revokes access from then on; licences you granted end.
// Prints {"alpha", "from", "to", "txHash"} (from and to are public keys).
import { parseStringFlags } from '../flags';
import { asUsage, CliUsageError, type Command } from '../command';
import { printJson } from '../output';
import { parseAlpha } from '../../lib/granule/index';
import { parsePublicKey } from '../../lib/identity/index';
import { transferGranule } from '../../lib/chain/index';
import { COMMON_FLAGS, hex32, provingIdentity } from './identity/context';

export const command: Command = {
  summary: 'transfer a granule you own to another member',
  usage: 'twingrain transfer <alpha> --to <pk> --identity <file> [--passphrase <p>] [--rpc <url>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, [...COMMON_FLAGS, 'to'], command.usage);
    const [alphaText] = positionals;
    if (!alphaText || positionals.length > 1 || typeof flags.to !== 'string') throw new CliUsageError(`usage: ${command.usage}`);
    const alpha = asUsage(() => parseAlpha(alphaText));
    const newOwnerPk = parsePublicKey(flags.to);
    const { act } = await provingIdentity(flags);
    const result = await transferGranule({ ...act, alpha, newOwnerPk });
    printJson({ alpha: hex32(alpha), from: hex32(result.fromPk), to: hex32(result.toPk), txHash: result.txHash });
    return 0;
  },
};
