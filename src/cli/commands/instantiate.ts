// `twingrain instantiate <record> [--pay <credits>] --identity <file>`: Mechanisms 5–6 with the record the owner handed
// over. A licence with a price is taken only when --pay names at least that price (see `twingrain licence show`).
// Prints {"alpha", "txHash"}.
import { parseStringFlags } from '../flags';
import { asUsage, CliUsageError, type Command } from '../command';
import { printJson } from '../output';
import { instantiateGranule, parseCredits, parseRecordAddress } from '../../lib/chain/index';
import { createProver } from '../../lib/zk/index';
import { fileArtifactSource } from '../../lib/zk/artifacts.node.ts';
import { COMMON_FLAGS, treeSourcesFor, hex32, actingIdentity } from './identity/context';

function registryOf(record: string): `0x${string}` | undefined {
  try {
    return parseRecordAddress(record).contract;
  } catch {
    return undefined;
  }
}

export const command: Command = {
  summary: 'instantiate a granule authorized to you, from the record the owner gave you',
  usage: 'twingrain instantiate <record> [--pay <credits>] --identity <file> [--passphrase <p>] [--rpc <url>] [--trees-from <community node snapshot URL>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, [...COMMON_FLAGS, 'pay', 'trees-from'], command.usage);
    const [record] = positionals;
    if (!record || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    const maxPrice = typeof flags.pay === 'string' ? asUsage(() => parseCredits(flags.pay as string)) : 0n;
    const { unlocked, deployment, publicClient, walletClient } = await actingIdentity(flags);
    const result = await instantiateGranule({
      publicClient,
      walletClient,
      prover: createProver(fileArtifactSource()),
      secret: unlocked.identity.secret,
      record,
      x25519PublicKey: unlocked.identity.x25519.publicKey,
      fromBlock: BigInt(deployment.deployBlock),
      // The record names its registry; a malformed record is refused by instantiateGranule with its own sentence.
      ...(registryOf(record) ? { trees: treeSourcesFor(registryOf(record)!, flags) } : {}),
      maxPrice,
    });
    printJson({ alpha: hex32(result.alpha), txHash: result.txHash });
    return 0;
  },
};
