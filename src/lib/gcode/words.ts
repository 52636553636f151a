// One G-code line taken apart: the command word, its numeric arguments and the comment. The one parser every reader of
// G-code in twingrain uses (the viewer, the estimate, the host's checks and the simulated firmware).

export interface GcodeCommand {
  /** 'G', 'M', 'T' or another letter for a bare word. */
  letter: string;
  /** The number after the letter (NaN for a bare word). */
  code: number;
  /** Sub-code after a dot (M862.3 → 3), or undefined. */
  sub: number | undefined;
  /** The normalised word: 'G1', 'M862.3', 'T0'. */
  word: string;
  /** Numeric arguments by letter (upper case). A letter given without a number has the value NaN. */
  args: Record<string, number>;
  /** The command text as written, without comment and surrounding space. */
  text: string;
}

/**
 * The command part of a file line: comments (`;…` and `(…)`) and surrounding space removed. Returns '' for lines that
 * carry no command.
 */
export function stripComment(line: string): string {
  let s = line;
  const semi = s.indexOf(';');
  if (semi >= 0) s = s.slice(0, semi);
  if (s.includes('(')) s = s.replace(/\([^)]*\)/g, '');
  return s.trim();
}

/** The `;` comment of a line without the semicolon and leading space, or undefined. */
export function commentOf(line: string): string | undefined {
  const semi = line.indexOf(';');
  return semi < 0 ? undefined : line.slice(semi + 1).trim();
}

// Commands whose argument is free text, not letter/number words.
const TEXT_ARGUMENT = new Set(['M23', 'M28', 'M30', 'M32', 'M117', 'M118', 'M862.1', 'M862.2', 'M862.3', 'M862.4', 'M862.5', 'M862.6']);

/** Parse a command (already stripped of its comment, or a whole line). Returns undefined for a line with no command. */
export function parseCommand(line: string): GcodeCommand | undefined {
  const text = stripComment(line);
  if (!text) return undefined;
  const m = /^([A-Za-z])\s*(\d+)?(?:\.(\d+))?/.exec(text);
  if (!m) return { letter: '', code: NaN, sub: undefined, word: text.split(/\s/)[0]!.toUpperCase(), args: {}, text };
  const letter = m[1]!.toUpperCase();
  const code = m[2] === undefined ? NaN : Number(m[2]);
  const sub = m[3] === undefined ? undefined : Number(m[3]);
  const word = m[2] === undefined ? letter : `${letter}${code}${sub === undefined ? '' : `.${sub}`}`;
  const args: Record<string, number> = {};
  if (!TEXT_ARGUMENT.has(word)) parseWords(text.slice(m[0].length), args);
  return { letter, code, sub, word, args, text };
}

function parseWords(rest: string, args: Record<string, number>): void {
  const re = /([A-Za-z])\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest))) {
    const v = m[2] === undefined ? NaN : Number(m[2]);
    args[m[1]!.toUpperCase()] = v;
  }
}

/** A number argument, or `fallback` when absent or given without a value. */
export function arg(cmd: GcodeCommand, letter: string, fallback?: number): number | undefined {
  const v = cmd.args[letter];
  return v === undefined || Number.isNaN(v) ? fallback : v;
}

/** True when the letter appears in the command (with or without a value). */
export function has(cmd: GcodeCommand, letter: string): boolean {
  return letter in cmd.args;
}
