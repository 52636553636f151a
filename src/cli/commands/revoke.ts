// `twingrain revoke <record> --identity <file>`: the owner revokes the licence of an authorization record. From then on
// it cannot be instantiated and custodians release no key share for it; what the user already received stays with it.
// Prints {"record", "revoked": true, "txHash"}.
import { parseStringFlags } from '../flags';
import { CliUsageError, type Command } from '../command';
import { printJson } from '../output';
import { revokeLicence } from '../../lib/chain/index';
import { COMMON_FLAGS, actingIdentity } from './identity/context';

export const command: Command = {
  summary: 'revoke the licence of an authorization you granted',
  usage: 'twingrain revoke <record> --identity <file> [--passphrase <p>] [--rpc <url>]',
  async run(argv) {
    const { positionals, flags } = parseStringFlags(argv, COMMON_FLAGS, command.usage);
    const [record] = positionals;
    if (!record || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    const { unlocked, deployment, publicClient, walletClient } = await actingIdentity(flags);
    const result = await revokeLicence({ publicClient, walletClient, secret: unlocked.identity.secret, record });
    printJson({ record, revoked: true, txHash: result.txHash });
    return 0;
  },
};
