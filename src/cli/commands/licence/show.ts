// `twingrain licence show <record>`: the terms and state of the licence behind an authorization record, read from the
// chain. Prints {"record", "alpha", "owner", "user", "state", "reason", "expiresAt", "price", "revokedAt", "instantiatedAt"}
// with state one of active, expired, revoked, instantiated; times are ISO or null, price is in credits.
import { parseStringFlags } from '../../flags';
import { createPublicClient, http, type PublicClient } from 'viem';
import { CliUsageError, type Command } from '../../command';
import { printJson } from '../../output';
import { formatCredits, formatExpiry, readLicenceOfRecord } from '../../../lib/chain/index';
import { COMMON_FLAGS, hex32, loadDeployment } from '../identity/context';

export const command: Command = {
  summary: 'show the terms and state of a licence',
  usage: 'twingrain licence show <record> [--rpc <url>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, COMMON_FLAGS, command.usage);
    const [record] = positionals;
    if (!record || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    const deployment = await loadDeployment(flags);
    const publicClient = createPublicClient({ transport: http(deployment.rpcUrl) }) as PublicClient;
    const l = await readLicenceOfRecord({ publicClient, record });
    printJson({
      record,
      alpha: hex32(l.alpha),
      owner: hex32(l.ownerPk),
      user: hex32(l.userPk),
      state: l.state,
      reason: l.reason,
      expiresAt: formatExpiry(l.expiresAt),
      price: formatCredits(l.price),
      revokedAt: formatExpiry(l.revokedAt),
      instantiatedAt: formatExpiry(l.instantiatedAt),
    });
    return 0;
  },
};
