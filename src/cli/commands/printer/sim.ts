// twingrain printer sim (--tcp <port> | --pty) [--model <model>] [--baud N] [--faults <rate>] [--skip-waits]
// --tcp: a virtual printer on a TCP port for desktop hosts (Pronterface: connect to tcp://host:port; OctoPrint: add
//        "socket://host:port" as an additional serial port). Each connection gets a freshly powered-up printer.
//        Prints {"listening": <port>, "model", "baud"}.
// --pty: a virtual printer on a pseudo-terminal (via socat); any serial host opens it like a USB printer.
//        Prints {"pty": "/dev/pts/N", "model", "baud"}.
// --skip-waits jumps over heating and motion instead of taking real time (for tests).
import { createServer } from 'node:net';
import { printJson } from '../../output';
import { CliUsageError } from '../../command';
import { baudFlag, faultsFlag, printerFlags } from './link-flags';
import { VirtualPrinter } from '../../../lib/sim/index';
import { getPrinterProfile } from '../../../lib/machines/index';
import { exposeOnPty } from '../../../lib/sim/pty.node.ts';

const usage = 'usage: twingrain printer sim (--tcp <port> | --pty) [--model <model>] [--baud N] [--faults <rate>] [--skip-waits]';

export async function run(argv: string[]): Promise<number> {
  const { values: flags, positionals } = printerFlags(
    argv,
    {
      tcp: { type: 'string' },
      pty: { type: 'boolean' },
      host: { type: 'string' },
      model: { type: 'string' },
      baud: { type: 'string' },
      faults: { type: 'string' },
      'skip-waits': { type: 'boolean' },
    },
    usage,
  );
  if (positionals.length > 0) throw new CliUsageError(`Unexpected argument '${positionals[0]}'.\n${usage}`);
  if ((flags.tcp === undefined) === !flags.pty) throw new CliUsageError(usage);
  const profile = getPrinterProfile(flags.model ?? 'shdm-3ddtp-500');
  const baud = baudFlag(flags.baud, profile.baud);
  const rate = faultsFlag(flags.faults);
  const skipWaits = flags['skip-waits'] === true;

  if (flags.pty) {
    const sim = await exposeOnPty({ model: profile, baud, faults: { checksumErrorRate: rate }, skipWaits, timeScale: 1 });
    const stop = () => void sim.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    printJson({ pty: sim.pty, model: profile.id, baud });
    return -1;
  }

  const port = Number(flags.tcp);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(usage);
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const printer = new VirtualPrinter({ model: profile, baud, faults: { checksumErrorRate: rate }, skipWaits, timeScale: 1 });
    const endpoint = printer.open(baud);
    endpoint.onData((bytes) => socket.write(bytes));
    socket.on('data', (data) => void endpoint.write(new Uint8Array(data)).catch(() => socket.destroy()));
    socket.on('close', () => void endpoint.close());
    socket.on('error', () => void endpoint.close());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, flags.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  printJson({ listening: typeof address === 'object' && address ? address.port : port, model: profile.id, baud });
  return -1;
}
