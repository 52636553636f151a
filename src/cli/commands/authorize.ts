// `twingrain authorize <alpha> --to <pk> [--expires <ISO time>] [--price <credits>] --identity <file>`: Mechanisms 3–4
// with the licence's terms. Prints {"alpha", "leafIndex", "root", "txHash", "record", "expiresAt", "price"}; `record`
// is what the user passes to `twingrain instantiate`; expiresAt is an ISO time or null (never), price is in credits.
import { parseStringFlags } from '../flags';
import { CliUsageError, type Command } from '../command';
import { printJson } from '../output';
import { parseAlpha } from '../../lib/granule/index';
import { parsePublicKey } from '../../lib/identity/index';
import { authorizeGranule } from '../../lib/chain/index';
import { formatCredits, formatExpiry, parseCredits, parseExpiry } from '../../lib/chain/index';
import { createProver } from '../../lib/zk/index';
import { fileArtifactSource } from '../../lib/zk/artifacts.node.ts';
import { COMMON_FLAGS, treeSourcesFor, clientsFor, contractOf, hex32, loadDeployment, readIdentity } from './identity/context';

export const command: Command = {
  summary: "authorize a registered granule to a user's public key, with an optional expiry and price",
  usage:
    'twingrain authorize <alpha> --to <pk> [--expires <ISO time>] [--price <credits>] --identity <file> [--passphrase <p>] [--rpc <url>] [--trees-from <community node snapshot URL>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, [...COMMON_FLAGS, 'to', 'expires', 'price', 'trees-from'], command.usage);
    const [alphaText] = positionals;
    if (!alphaText || positionals.length > 1 || typeof flags.to !== 'string') throw new CliUsageError(`usage: ${command.usage}`);
    let alpha: bigint;
    let expiresAt: bigint | null;
    let price: bigint;
    try {
      alpha = parseAlpha(alphaText);
      expiresAt = typeof flags.expires === 'string' ? parseExpiry(flags.expires) : null;
      price = typeof flags.price === 'string' ? parseCredits(flags.price) : 0n;
    } catch (e) {
      throw new CliUsageError((e as Error).message);
    }
    const userPk = parsePublicKey(flags.to);
    const unlocked = await readIdentity(flags);
    const deployment = await loadDeployment(flags);
    const { publicClient, walletClient } = await clientsFor(deployment, unlocked.walletPrivateKey);
    const result = await authorizeGranule({
      publicClient,
      walletClient,
      registry: contractOf(deployment, 'GranuleRegistry'),
      prover: createProver(fileArtifactSource()),
      secret: unlocked.identity.secret,
      alpha,
      userPk,
      expiresAt,
      price,
      fromBlock: BigInt(deployment.deployBlock),
      trees: treeSourcesFor(contractOf(deployment, 'GranuleRegistry'), flags),
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
