// `twingrain start`: the embedded stack (same as `npm start`). Prints one line per service, then `ready`.
import type { Command } from '../command';
import { parseArgs } from '../output';

export const command: Command = {
  summary: 'start the embedded stack: local chain with contracts, relay, and the app',
  usage: 'twingrain start [--build|--no-build] [--state-dir <dir>]',
  async run(argv) {
    const { flags } = parseArgs(argv, { booleans: ['build', 'no-build'], strings: ['state-dir'] });
    const { startStack } = await import('../../../scripts/stack/stack');
    const stack = await startStack({
      build: flags['build'] ? 'always' : flags['no-build'] ? 'never' : 'auto',
      ...(typeof flags['state-dir'] === 'string' ? { stateDir: flags['state-dir'] } : {}),
    });
    process.stdout.write('ready\n');
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`stopping (${signal})…\n`);
      await stack.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
    return -1; // keep running until a signal arrives
  },
};
