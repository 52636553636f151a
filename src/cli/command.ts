// What every `twingrain` command provides. Output contracts: a command that reports data prints exactly one JSON
// object on stdout; a failure prints one line on stderr (no stack trace) and exits non-zero.
export interface Command {
  /** One line shown by `twingrain help`. */
  summary: string;
  /** Usage text, e.g. `twingrain granule pack <dir> [-o <file>]`. */
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** An error whose message is meant for the person at the terminal. */
export class CliUsageError extends Error {
  override name = 'CliUsageError';
}

/** Runs `parse` over an operand or flag value; what it throws for a malformed one becomes a usage error with the same sentence. */
export function asUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    throw new CliUsageError((e as Error).message);
  }
}
