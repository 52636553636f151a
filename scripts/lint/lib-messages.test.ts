// src/lib's messages are printed by the CLI as well as shown in the app, so they name no page of the app: the UI and
// the CLI add where to go. Comments may name pages (they explain who calls what); strings may not.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const PAGES = '(Twins|Printers|Share|Discover|Incentives|Network|Settings)';
const NAMES_A_PAGE = new RegExp(`\\b${PAGES} (page|tab)\\b|\\b(in|on|open) ${PAGES}\\b`);

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.ts$/.test(entry.name) && !/\.(test|d)\.ts$/.test(entry.name)) yield path;
  }
}

/** The string literals of a line, once its comment is cut off (good enough for this code base's one-line strings). */
const literals = (line: string): string[] =>
  [
    ...line
      .replace(/^\s*(\/\/|\*|\/\*).*$/, '')
      .replace(/\s\/\/\s.*$/, '')
      .matchAll(/(['"`])((?:\\.|(?!\1).)*)\1/g),
  ].map((m) => m[2]!);

describe('lib messages', () => {
  it('name no page of the app', () => {
    const found: string[] = [];
    for (const file of sources(join(root, 'src/lib'))) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          for (const text of literals(line)) if (NAMES_A_PAGE.test(text)) found.push(`${relative(root, file)}:${i + 1}: ${text.slice(0, 100)}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('would catch one', () => {
    expect(literals("throw new Error('Connect a wallet on the Settings page first.'); // Settings page").some((t) => NAMES_A_PAGE.test(t))).toBe(true);
    expect(literals('// the Share page calls this').some((t) => NAMES_A_PAGE.test(t))).toBe(false);
  });
});
