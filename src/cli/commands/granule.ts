// `twingrain granule <verb>`: pack a granule source folder into its canonical archive, or inspect an archive.
import { CliUsageError, type Command } from '../command';

const verbs: Record<string, () => Promise<Command>> = {
  pack: async () => (await import('./granule/pack')).command,
  inspect: async () => (await import('./granule/inspect')).command,
};

export const command: Command = {
  summary: 'pack a granule folder (α, sha256, size) or inspect a granule archive',
  usage: 'twingrain granule pack <dir> [-o <file>] | twingrain granule inspect <file>',
  async run(argv) {
    const [verb, ...rest] = argv;
    const load = verb ? verbs[verb] : undefined;
    if (!load) throw new CliUsageError(`unknown granule command "${verb ?? ''}"; usage: ${command.usage}`);
    return (await load()).run(rest);
  },
};
