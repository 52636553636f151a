// twingrain printer sim --tcp <port> [--model <model>] [--baud N] [--faults <rate>]
// Exposes a virtual printer on a TCP port for desktop hosts (Pronterface: connect to tcp://host:port; OctoPrint:
// add "socket://host:port" as an additional serial port). Each connection gets a freshly powered-up printer.
import { createServer } from 'node:net';
import { parseArgs, printJson } from '../../output';
import { CliUsageError } from '../../command';
import { VirtualPrinter, getPrinterProfile } from '../../../lib/sim/index';

export async function run(argv: string[]): Promise<number> {
  const { flags } = parseArgs(argv, { strings: ['tcp', 'model', 'baud', 'faults', 'host'] });
  const port = Number(flags.tcp);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError('usage: twingrain printer sim --tcp <port> [--model <model>]');
  const profile = getPrinterProfile(typeof flags.model === 'string' ? flags.model : 'shdm-3ddtp-500');
  const baud = flags.baud === undefined ? profile.baud : Number(flags.baud);
  const rate = flags.faults === undefined ? 0 : Number(flags.faults);
  if (!(rate >= 0 && rate <= 1)) throw new CliUsageError('--faults is a probability per line between 0 and 1');
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    const printer = new VirtualPrinter({ model: profile, baud, faults: { checksumErrorRate: rate }, skipWaits: false, timeScale: 1 });
    const endpoint = printer.open(baud);
    endpoint.onData((bytes) => socket.write(bytes));
    socket.on('data', (data) => void endpoint.write(new Uint8Array(data)).catch(() => socket.destroy()));
    socket.on('close', () => void endpoint.close());
    socket.on('error', () => void endpoint.close());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, typeof flags.host === 'string' ? flags.host : '127.0.0.1', () => resolve());
  });
  const address = server.address();
  printJson({ listening: typeof address === 'object' && address ? address.port : port, model: profile.id, baud });
  return -1;
}
