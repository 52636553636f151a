// `twingrain start`: the embedded stack (same as `npm start`). Prints one line per service, then `ready`.
import { CliUsageError, type Command } from '../command';
import { parseFlags } from '../output';

export const command: Command = {
  summary: 'start the embedded stack: local chain with contracts, relay, and the app',
  usage: 'twingrain start [--build|--no-build] [--state-dir <dir>] [--custodians <n> --threshold <t>]',
  async run(argv) {
    const { values: flags } = parseFlags(argv, {
      build: { type: 'boolean' },
      'no-build': { type: 'boolean' },
      'state-dir': { type: 'string' },
      custodians: { type: 'string' },
      threshold: { type: 'string' },
    });
    const count = (name: 'custodians' | 'threshold'): number | undefined => {
      const v = flags[name];
      if (v === undefined) return undefined;
      const n = Number(v);
      if (typeof v !== 'string' || !Number.isInteger(n) || n < 1 || n > 16)
        throw new CliUsageError(`--${name} takes a whole number from 1 to 16, not "${String(v)}".`);
      return n;
    };
    const custodians = count('custodians');
    const threshold = count('threshold');
    if ((threshold ?? 1) > (custodians ?? 1))
      throw new CliUsageError(`--threshold ${threshold} needs at least as many custodians: add --custodians ${threshold} or more.`);
    const { startStack } = await import('../../../scripts/stack/stack');
    const stack = await startStack({
      ...(custodians ? { custodians } : {}),
      ...(threshold ? { threshold } : {}),
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
