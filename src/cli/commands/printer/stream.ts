// twingrain printer stream <file.gcode> --virtual <model> [--baud N] [--faults <rate>] [--realtime] [--journal <file>]
// --journal keeps where the print stands (last executed line, layer, Z, E, temperatures, fan) in <file>, for
// `twingrain printer resume <file>` after a lost link or a power cut.
// Prints {"linesSent","linesExecuted","resends","seconds","linkUtilization"}:
//   linesSent       transmissions of the file's command lines, resends included
//   linesExecuted   file commands the simulated firmware executed (a command run twice would count twice)
//   resends         retransmissions among linesSent
//   seconds         wall-clock time from the first command of the file to the last one executed
//   linkUtilization the file's command bytes as framed on the wire (resends excluded) per second, over baud/10
import { parseArgs, printJson } from '../../output';
import { CliUsageError } from '../../command';
import { MarlinHost, PrintJob } from '../../../lib/printer/index';
import { fileSource } from '../../../lib/printer/line-source.node.ts';
import { VirtualPrinter, getPrinterProfile } from '../../../lib/sim/index';
import { fileLayers, journalToFile } from './journal-file';

export async function run(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgs(argv, { strings: ['virtual', 'baud', 'faults', 'seed', 'journal'], booleans: ['realtime'] });
  const file = positionals[0];
  if (!file || typeof flags.virtual !== 'string') {
    throw new CliUsageError('usage: twingrain printer stream <file.gcode> --virtual <model> [--baud N] [--faults <rate>] [--realtime]');
  }
  const profile = getPrinterProfile(flags.virtual);
  const baud = flags.baud === undefined ? profile.baud : Number(flags.baud);
  if (!Number.isInteger(baud) || baud < 300 || baud > 4_000_000) throw new CliUsageError(`--baud must be a serial rate such as 115200 or 250000, got ${String(flags.baud)}`);
  const rate = flags.faults === undefined ? 0 : Number(flags.faults);
  if (!(rate >= 0 && rate <= 1)) throw new CliUsageError(`--faults is a probability per line between 0 and 1, got ${String(flags.faults)}`);
  let source;
  try {
    source = fileSource(file);
  } catch {
    throw new CliUsageError(`cannot read ${file}: check the path`);
  }

  const printer = new VirtualPrinter({
    model: profile,
    baud,
    faults: { checksumErrorRate: rate },
    skipWaits: !flags.realtime,
    timeScale: 1,
    ...(flags.seed !== undefined ? { seed: Number(flags.seed) } : {}),
  });
  const host = new MarlinHost({ rxBufferSize: profile.rxBufferSize, maxCommandSize: profile.maxCommandSize, baud });
  await host.attach(printer.open(baud));

  // The layer table is read before the clock starts: it is not part of the streaming time.
  const layers = typeof flags.journal === 'string' ? await fileLayers(file, profile) : undefined;
  // Job lines are the numbered lines sent from here on.
  let firstJobLine = Infinity;
  let executed = 0;
  const offSent = host.on('sent', (n) => {
    if (n < firstJobLine) firstJobLine = n;
  });
  printer.onExecute((cmd) => {
    if (cmd.n !== undefined && cmd.n >= firstJobLine) executed++;
  });
  const before = { ...host.stats };
  const started = performance.now();
  const job = new PrintJob(host, source, { profile });
  const journal =
    typeof flags.journal === 'string'
      ? await journalToFile({ journalPath: flags.journal, gcodePath: file, host, job, profile, size: source.size, ...layers! })
      : undefined;
  let ended = 0;
  try {
    await job.run();
    ended = performance.now();
    await journal?.finish('finished');
  } catch (error) {
    await journal?.finish('failed', (error as Error).message);
    throw error;
  } finally {
    offSent();
  }
  const seconds = (ended - started) / 1000;
  const s = host.stats;
  printJson({
    linesSent: s.linesSent - before.linesSent,
    linesExecuted: executed,
    resends: s.resends - before.resends,
    seconds: Number(seconds.toFixed(3)),
    linkUtilization: Number(((s.bytesFirstSent - before.bytesFirstSent) / seconds / (baud / 10)).toFixed(4)),
  });
  await host.close();
  return 0;
}
