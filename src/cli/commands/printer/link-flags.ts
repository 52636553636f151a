// The flags the printer commands (stream, resume, sim) share, and the virtual printer they make from them: one
// check, one wording.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError } from '../../command';
import { VirtualPrinter } from '../../../lib/sim/index';
import type { ByteLink } from '../../../lib/printer/index';
import type { PrinterProfile } from '../../../lib/machines/index';

/** node:util's parseArgs with positionals; a flag it refuses is a usage error followed by the command's usage. */
export function printerFlags<const O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, usage: string) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options });
  } catch (e) {
    throw new CliUsageError(`${(e as Error).message}\n${usage}`);
  }
}

/** A virtual printer with the --faults rate, as --realtime and --seed ask, opened at `baud`, with its execution log to observe. */
export function virtualLink(
  profile: PrinterProfile,
  baud: number,
  rate: number,
  flags: { realtime?: boolean | undefined; seed?: string | undefined },
): { link: ByteLink; observeExecuted: (listener: (n: number | undefined) => void) => () => void } {
  const printer = new VirtualPrinter({
    model: profile,
    baud,
    faults: { checksumErrorRate: rate },
    skipWaits: !flags.realtime,
    timeScale: 1,
    ...(flags.seed !== undefined ? { seed: Number(flags.seed) } : {}),
  });
  return { link: printer.open(baud), observeExecuted: (listener) => printer.onExecute((cmd) => listener(cmd.n)) };
}

/** The serial rate: the profile's own unless --baud names another. */
export function baudFlag(value: string | undefined, profileBaud: number): number {
  const baud = value === undefined ? profileBaud : Number(value);
  if (!Number.isInteger(baud) || baud < 300 || baud > 4_000_000)
    throw new CliUsageError(`--baud must be a serial rate such as 115200 or 250000, got ${String(value)}`);
  return baud;
}

/** The simulated line-fault probability per line (0 when --faults is absent). */
export function faultsFlag(value: string | undefined): number {
  const rate = value === undefined ? 0 : Number(value);
  if (!(rate >= 0 && rate <= 1)) throw new CliUsageError(`--faults is a probability per line between 0 and 1, got ${String(value)}`);
  return rate;
}
