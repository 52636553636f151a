// SECURITY.md names a test for every claim ("— `file › describe › test`"). A renamed or deleted test would leave a
// claim without its proof and nobody would notice, so this reads every reference and checks that the file exists and
// that each name in it is still written in that file.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

/** Every `path › name › …` reference in the text, with the path's test names. */
function securityReferences(text: string): { file: string; names: string[] }[] {
  const refs: { file: string; names: string[] }[] = [];
  for (const m of text.matchAll(/`([^`\s]+\.(?:test|spec)\.ts)((?: › [^`]+)+)`/g)) {
    const [, file = '', tail = ''] = m;
    const names = tail
      .split(' › ')
      .map((n) => n.trim())
      .filter(Boolean);
    refs.push({ file, names });
  }
  return refs;
}

describe('SECURITY.md', () => {
  const text = readFileSync(join(root, 'SECURITY.md'), 'utf8');
  const refs = securityReferences(text);

  it('names tests for its claims', () => {
    expect(refs.length).toBeGreaterThan(50);
  });

  it('names only tests that exist, in files that exist', () => {
    const missing: string[] = [];
    for (const { file, names } of refs) {
      const path = join(root, file);
      if (!existsSync(path)) {
        missing.push(`${file} (no such file)`);
        continue;
      }
      // Test names are written in quotes that may escape an apostrophe.
      const source = readFileSync(path, 'utf8').replaceAll("\\'", "'");
      for (const name of names) if (!source.includes(name)) missing.push(`${file} › ${name}`);
    }
    expect(missing).toEqual([]);
  });

  it('finds a reference whose test was renamed (the check can fail)', () => {
    const first = refs[0];
    if (!first) throw new Error('SECURITY.md names no test');
    const [renamed] = securityReferences(`— \`${first.file} › ${first.names.join(' › ')} (renamed)\``);
    if (!renamed) throw new Error('the reference was not read');
    const source = readFileSync(join(root, renamed.file), 'utf8');
    expect(renamed.names.every((n) => source.includes(n))).toBe(false);
  });
});
