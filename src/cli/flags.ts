// String flags through node:util's parseArgs, as the context helpers take them (a Record of set flags only).
import { parseArgs } from 'node:util';
import { CliUsageError } from './command';

export function parseStringFlags(
  argv: string[],
  names: string[],
  usage: string,
  shorts: Record<string, string> = {},
): { positionals: string[]; flags: Record<string, string> } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: Object.fromEntries(names.map((n) => [n, { type: 'string' as const, ...(shorts[n] ? { short: shorts[n] } : {}) }])),
    });
  } catch (e) {
    throw new CliUsageError(`${(e as Error).message}; usage: ${usage}`);
  }
  const flags: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed.values)) if (typeof v === 'string') flags[k] = v;
  return { positionals: parsed.positionals, flags };
}
