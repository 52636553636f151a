// The CLI (`npm start`, `twingrain relay`…) runs our TypeScript under Node's own loader, which reads an import
// ending in `.node` as a native addon and does not try `.node.ts`: such a module fails at start with "Cannot find
// module", although vitest and Vite resolve it. Every import of a `*.node.ts` file must name its extension.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(path);
    return /\.(ts|svelte)$/.test(e.name) ? [path] : [];
  });
}

describe('imports the CLI can load', () => {
  it('name the extension of every *.node.ts module (Node would look for a native addon)', () => {
    const bad = ['src', 'relay', 'scripts', 'tests'].flatMap((dir) =>
      tsFiles(join(root, dir)).flatMap((file) =>
        [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\()\s*['"]([^'"]+\.node)['"]/g)].map((m) => `${relative(root, file)}: ${m[1]}`),
      ),
    );
    expect(bad).toEqual([]);
  });
});
