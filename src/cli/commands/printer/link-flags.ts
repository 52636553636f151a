// --baud and --faults as the printer commands (stream, resume, sim) read them: one check, one wording.
import { CliUsageError } from '../../command';

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
