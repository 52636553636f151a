// twingrain printer stream <file.gcode> (--virtual <model> | --port <device>) [--baud N] [--faults <rate>] [--realtime] [--journal <file>]
// --journal keeps where the print stands (last executed line, layer, Z, E, temperatures, fan) in <file>, for
// `twingrain printer resume <file>` after a lost link or a power cut.
// Prints {"linesSent","linesExecuted","resends","seconds","linkUtilization"}:
//   linesSent       transmissions of the file's command lines, resends included
//   linesExecuted   file commands executed: counted by the simulated firmware (--virtual), or confirmed by the
//                   printer (--port: a real firmware's execution log is not visible from the host)
//   resends         retransmissions among linesSent
//   seconds         wall-clock time from the first command of the file to the last one executed
//   linkUtilization the file's command bytes as framed on the wire (resends excluded) per second, over baud/10
import { printJson } from '../../output';
import { CliUsageError } from '../../command';
import { baudFlag, faultsFlag, printerFlags, virtualLink } from './link-flags';
import type { ByteLink } from '../../../lib/printer/index';
import { fileSource } from '../../../lib/printer/line-source.node.ts';
import { SerialPortTransport } from '../../../lib/printer/transports/serialport.node.ts';
import { getPrinterProfile } from '../../../lib/machines/index';
import { fileLayers, journalToFile, streamJournaled } from './journal-file';

const usage =
  'usage: twingrain printer stream <file.gcode> --virtual <model> [--baud N] [--faults <rate>] [--realtime] [--journal <file>]\n' +
  '       twingrain printer stream <file.gcode> --port <device> [--baud N] [--model <model>] [--journal <file>]';

export async function run(argv: string[]): Promise<number> {
  const parsed = printerFlags(
    argv,
    {
      virtual: { type: 'string' },
      port: { type: 'string' },
      model: { type: 'string' },
      baud: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      realtime: { type: 'boolean' },
      journal: { type: 'string' },
    },
    usage,
  );
  const { positionals, values: flags } = parsed;
  const file = positionals[0];
  if (!file || (flags.virtual === undefined) === (flags.port === undefined)) throw new CliUsageError(usage);
  if (flags.port !== undefined && (flags.faults !== undefined || flags.realtime)) {
    throw new CliUsageError('--faults and --realtime belong to --virtual; a real port has the faults it has');
  }
  const profile = getPrinterProfile(flags.virtual ?? flags.model ?? 'shdm-3ddtp-500');
  const baud = baudFlag(flags.baud, profile.baud);
  const rate = faultsFlag(flags.faults);
  let source;
  try {
    source = fileSource(file);
  } catch {
    throw new CliUsageError(`cannot read ${file}: check the path`);
  }

  let link: ByteLink;
  let observeExecuted: ((l: (n: number | undefined) => void) => () => void) | undefined;
  if (flags.port !== undefined) link = await new SerialPortTransport(flags.port, baud).open();
  else ({ link, observeExecuted } = virtualLink(profile, baud, rate, flags));
  // The layer table is read before the clock starts: it is not part of the streaming time.
  const journalPath = flags.journal;
  const layers = journalPath !== undefined ? await fileLayers(file, profile) : undefined;
  const report = await streamJournaled(
    {
      link,
      baud,
      source,
      host: { rxBufferSize: profile.rxBufferSize, maxCommandSize: profile.maxCommandSize },
      job: { profile },
      ...(observeExecuted ? { observeExecuted } : {}),
    },
    journalPath !== undefined && layers
      ? (job, host) => journalToFile({ journalPath, gcodePath: file, host, job, profile, size: source.size, ...layers })
      : undefined,
  );
  printJson(report);
  return 0;
}
