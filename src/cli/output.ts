// Printing helpers that keep the command-line output contract: one JSON object per report, one line per error;
// and flag parsing (node:util parseArgs).
import { parseArgs as nodeParseArgs } from 'node:util';
import { CliUsageError } from './command';
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
}

export function printError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`twingrain: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

type FlagOptions = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

/**
 * Flags by node:util's parseArgs (strict: an unknown option or a missing value is an error; positionals allowed), with
 * its errors cut to their first sentence for the terminal.
 */
export function parseFlags<const O extends FlagOptions>(argv: string[], options: O) {
  try {
    return nodeParseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CliUsageError(message.split(/\.\s/)[0]!.replace(/\.$/, ''));
  }
}

/**
 * The older call shape (`strings`, `booleans`, `aliases`), for the commands not converted to parseFlags yet; it is
 * parseFlags underneath.
 */
export function parseArgs(
  argv: string[],
  spec: { strings?: string[]; booleans?: string[]; aliases?: Record<string, string> } = {},
): { positionals: string[]; flags: Record<string, string | boolean> } {
  const options: FlagOptions = {};
  for (const name of spec.strings ?? []) options[name] = { type: 'string' };
  for (const name of spec.booleans ?? []) options[name] = { type: 'boolean' };
  for (const [short, name] of Object.entries(spec.aliases ?? {})) if (options[name] && short.length === 1) options[name].short = short;
  const { values, positionals } = parseFlags(argv, options);
  return { positionals, flags: values as Record<string, string | boolean> };
}
