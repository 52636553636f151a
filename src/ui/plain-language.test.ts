// Issue 15: no page's markup shows cryptographic jargon outside a "Technical details" disclosure. The Playwright
// walk (tests/e2e/screens.spec.ts) checks the rendered text of every page; this catches it in the sources at once.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findJargon, visibleSvelteText } from './plain-language';

const root = new URL('.', import.meta.url).pathname;
function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? svelteFiles(path) : name.endsWith('.svelte') ? [path] : [];
  });
}

describe('plain language in the Svelte sources', () => {
  const files = svelteFiles(root);

  it('finds the pages', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [f.slice(root.length)]))('%s shows no jargon outside Technical details', (file) => {
    expect(findJargon(visibleSvelteText(readFileSync(join(root, file), 'utf8')))).toEqual([]);
  });

  it('catches jargon in markup and attributes, and lets it pass inside a disclosure', () => {
    expect(findJargon(visibleSvelteText('<p>Registered: leaf {n} of the tree</p>')).map((j) => j.word)).toEqual(['leaf']);
    expect(findJargon(visibleSvelteText('<input placeholder="0x… α of a granule" />')).map((j) => j.word)).toEqual(['α']);
    expect(findJargon(visibleSvelteText('<TechDetails><p>Pk = Poseidon(Sk), X25519</p></TechDetails><p>Your key</p>'))).toEqual([]);
    expect(findJargon(visibleSvelteText('<details><summary>Technical details</summary><details><p>root</p></details><p>CID</p></details>'))).toEqual([]);
    expect(findJargon(`Owner ${'0x' + 'ab'.repeat(32)}`).map((j) => j.word)).toEqual(['raw public key']);
    expect(findJargon('Workshop A · 0x0365…4b5b')).toEqual([]);
  });
});
