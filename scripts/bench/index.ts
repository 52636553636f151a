// `npm run bench [area ...]`: runs every benchmark module in this folder (or the named ones) and writes its report
// under docs/bench/. A module exports `run({ outDir })`; helpers (report.ts, index.ts, _*.ts) are not benchmarks.
import '../../src/lib/node/polyfills';
import { readdirSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outDir = resolve(here, '../../docs/bench');
const NOT_BENCHMARKS = new Set(['index', 'report']);

const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.endsWith('.test.ts'))
  .map((f) => basename(f, '.ts'))
  .filter((name) => !NOT_BENCHMARKS.has(name))
  .sort();

const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
// Bundle sizes, page-load and live-view figures measure the built app: build it when there is none.
if (!existsSync(resolve(here, '../../dist/index.html'))) {
  process.stdout.write('building the app for the benchmarks that measure it…\n');
  const { build } = await import('vite');
  await build({ root: resolve(here, '../..'), logLevel: 'warn' });
}
const started = Date.now();
let failed = 0;
for (const name of wanted.length ? wanted : available) {
  const t0 = Date.now();
  process.stdout.write(`bench ${name}…\n`);
  try {
    const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { run?: (ctx: { outDir: string }) => Promise<void> };
    if (typeof mod.run !== 'function') throw new Error(`scripts/bench/${name}.ts exports no run()`);
    await mod.run({ outDir });
    process.stdout.write(`bench ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    failed++;
    process.stderr.write(`bench ${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
}
// The side-by-side summary with the paper always reflects every report present.
await (await import('./_summary')).writeSummary(outDir);
process.stdout.write(`all benchmarks finished in ${((Date.now() - started) / 1000).toFixed(1)} s; reports in docs/bench/\n`);
process.exit(failed ? 1 : 0);
