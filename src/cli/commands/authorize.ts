// `twingrain authorize <alpha> --to <pk> --identity <file>`: Mechanisms 3–4. Prints {"alpha", "leafIndex", "root",
// "txHash", "record"}; `record` is what the user passes to `twingrain instantiate`.
import { CliUsageError, type Command } from '../command';
import { parseArgs, printJson } from '../output';
import { parseAlpha } from '../../lib/granule/index';
import { parsePublicKey } from '../../lib/identity/index';
import { authorizeGranule } from '../../lib/chain/authorize';
import { createProver } from '../../lib/zk/index';
import { fileArtifactSource } from '../../lib/zk/artifacts.node.ts';
import { COMMON_FLAGS, clientsFor, contractOf, hex32, loadDeployment, readIdentity } from './identity/context';

export const command: Command = {
  summary: "authorize a registered granule to a user's public key",
  usage: 'twingrain authorize <alpha> --to <pk> --identity <file> [--passphrase <p>] [--rpc <url>]',
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, { strings: [...COMMON_FLAGS, 'to'] });
    const [alphaText] = positionals;
    if (!alphaText || positionals.length > 1 || typeof flags.to !== 'string') throw new CliUsageError(`usage: ${command.usage}`);
    let alpha: bigint;
    try {
      alpha = parseAlpha(alphaText);
    } catch (e) {
      throw new CliUsageError((e as Error).message);
    }
    const userPk = parsePublicKey(flags.to);
    const unlocked = await readIdentity(flags);
    const deployment = await loadDeployment(flags);
    const { publicClient, walletClient } = await clientsFor(deployment, unlocked.walletPrivateKey);
    const result = await authorizeGranule({
      publicClient, walletClient, registry: contractOf(deployment, 'GranuleRegistry'), prover: createProver(fileArtifactSource()),
      secret: unlocked.identity.secret, alpha, userPk, fromBlock: BigInt(deployment.deployBlock),
    });
    printJson({ alpha: hex32(alpha), leafIndex: result.leafIndex, root: hex32(result.root), txHash: result.txHash, record: result.recordAddress });
    return 0;
  },
};
