// `twingrain incentive <verb>`: the sharing incentive mechanism (paper section 4.3) from the command line.
import { CliUsageError, type Command } from '../command';

const verbs: Record<string, () => Promise<Command>> = {
  solve: async () => (await import('./incentive/solve')).command,
  publish: async () => (await import('./incentive/publish')).command,
};

export const command: Command = {
  summary: 'solve the sharing incentive mechanism for a scenario (m*, compensation, payoff)',
  usage: 'twingrain incentive solve <scenario.json> | publish <scenario.json> --rpc <url> --incentive <address> [--key <0x…>]',
  async run(argv) {
    const [verb, ...rest] = argv;
    const load = verb ? verbs[verb] : undefined;
    if (!load) throw new CliUsageError(`unknown incentive command "${verb ?? ''}"; usage: ${command.usage}`);
    return (await load()).run(rest);
  },
};
