// Runs one benchmark without index.ts's app build (for the proving benchmarks, which do not measure the built app):
// `npx tsx scripts/bench/_run-one.ts table5`.
import '../../src/lib/node/polyfills';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const name = process.argv[2] ?? 'table5';
const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run(ctx: { outDir: string }): Promise<void> };
await mod.run({ outDir: join(here, '../../docs/bench') });
process.exit(0);
