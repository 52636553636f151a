// Printing helpers that keep the command-line output contract: one JSON object per report, one line per error.
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) + '\n');
}

export function printError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`twingrain: ${message.replace(/\s*\n\s*/g, ' ')}\n`);
}

/** Minimal flag parser: `--name value`, `--flag`, `-o value`; the rest are positionals. */
export function parseArgs(
  argv: string[],
  spec: { strings?: string[]; booleans?: string[]; aliases?: Record<string, string> } = {},
): { positionals: string[]; flags: Record<string, string | boolean> } {
  const strings = new Set(spec.strings ?? []);
  const booleans = new Set(spec.booleans ?? []);
  const aliases = spec.aliases ?? {};
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      let name = arg.replace(/^--?/, '');
      let inline: string | undefined;
      const eq = name.indexOf('=');
      if (eq >= 0) {
        inline = name.slice(eq + 1);
        name = name.slice(0, eq);
      }
      name = aliases[name] ?? name;
      if (booleans.has(name)) {
        flags[name] = true;
      } else if (strings.has(name)) {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new Error(`option --${name} needs a value`);
        flags[name] = value;
      } else {
        throw new Error(`unknown option ${arg}`);
      }
    } else {
      positionals.push(arg);
    }
  }
  return { positionals, flags };
}
