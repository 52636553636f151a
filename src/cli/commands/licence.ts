// `twingrain licence <verb>`: licences of authorizations — their terms and state, and receipts that show a licence.
import { CliUsageError, type Command } from '../command';

const verbs: Record<string, () => Promise<Command>> = {
  show: async () => (await import('./licence/show')).command,
  receipt: async () => (await import('./licence/receipt')).command,
  verify: async () => (await import('./licence/verify')).command,
};

export const command: Command = {
  summary: 'show a licence, or make and check receipts that you hold one',
  usage:
    'twingrain licence show <record> | licence receipt <alpha> --identity <file> [--challenge <hex>] [-o <file>] | licence verify <receipt file> [--challenge <hex>]',
  async run(argv) {
    const [verb, ...rest] = argv;
    const load = verb ? verbs[verb] : undefined;
    if (!load) throw new CliUsageError(`unknown licence command "${verb ?? ''}"; usage: ${command.usage}`);
    return (await load()).run(rest);
  },
};
