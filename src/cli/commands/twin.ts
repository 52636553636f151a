// `twingrain twin <verb>`: work with MVC-DDD twins.
import { CliUsageError, type Command } from '../command';

const verbs: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./twin/validate')).command,
  export: async () => (await import('./twin/export')).command,
  import: async () => (await import('./twin/import')).command,
};

export const command: Command = {
  summary: 'validate a twin folder against Definitions 1–4; export it as an AASX package or import one',
  usage: 'twingrain twin validate <dir> | twin export <dir> --aas -o <file>.aasx | twin import <file>.aasx -o <dir>',
  async run(argv) {
    const [verb, ...rest] = argv;
    const load = verb ? verbs[verb] : undefined;
    if (!load) throw new CliUsageError(`unknown twin command "${verb ?? ''}"; usage: ${command.usage}`);
    return (await load()).run(rest);
  },
};
