// The house's import rules fail the build when broken: dependency-cruiser with the project's own configuration, run
// on a small tree (fixture/) that breaks each rule once beside files that keep them.
import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');

/** Runs depcruise as `npm run lint` does (the `err` reporter, whose exit code fails the build). */
async function cruise(): Promise<{ code: number; violations: string[] }> {
  const bin = join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const args = [bin, 'src', '--config', join(root, '.dependency-cruiser.cjs'), '--output-type', 'err'];
  let code = 0;
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(process.execPath, args, { cwd: join(here, 'fixture'), maxBuffer: 1 << 24 }));
  } catch (error) {
    ({ code, stdout } = error as { code: number; stdout: string });
  }
  // "  error <rule>: <from> → <to>" (a cycle continues on the next lines)
  const violations = [...stdout.matchAll(/error ([a-z-]+): (\S+) →\s*(\S+)/g)].map((m) => `${m[1]}: ${m[2]} → ${m[3]}`);
  return { code, violations };
}

describe('npm run lint: the import rules', () => {
  it('fails on each broken rule and on nothing else', async () => {
    const { code, violations } = await cruise();
    expect(code).not.toBe(0);
    expect(violations.sort()).toEqual([
      'areas-meet-at-index: src/lib/beta/around.ts → src/lib/alpha/inner.ts',
      'lib-is-the-core: src/lib/beta/leak.ts → src/ui/page.ts',
      'no-cycles: src/lib/gamma/one.ts → src/lib/gamma/two.ts',
      'workers-import-only-lib: src/workers/bad.worker.ts → src/ui/page.ts',
    ]);
  }, 60_000);
});
