// `twingrain printer <stream|sim>`: drive the virtual reference printers from the terminal.
import type { Command } from '../command';
import { CliUsageError } from '../command';

const usage =
  'twingrain printer stream <file.gcode> --virtual <model> [--baud N] [--faults <rate>] [--realtime] [--journal <file>]\n' +
  '       twingrain printer stream <file.gcode> --port <device> [--baud N] [--model <model>] [--journal <file>]\n' +
  '       twingrain printer resume <journal.json> --virtual <model> [--layer N] [--file <file.gcode>]\n' +
  '       twingrain printer sim (--tcp <port> | --pty) [--model <model>] [--baud N] [--faults <rate>] [--skip-waits]';

export const command: Command = {
  summary: 'stream G-code to a serial port or a virtual reference printer (and resume an interrupted print), or expose one over TCP or a pseudo-terminal',
  usage,
  async run(argv) {
    const [verb, ...rest] = argv;
    if (verb === 'stream') return (await import('./printer/stream')).run(rest);
    if (verb === 'resume') return (await import('./printer/resume')).run(rest);
    if (verb === 'sim') return (await import('./printer/sim')).run(rest);
    throw new CliUsageError(`usage: ${usage}`);
  },
};
