// Granule format and runtime benchmarks: pack / unpack / α throughput by granule size, archive sizes of the reference
// granules, and the cost of starting a twin's sandboxes (Node worker threads). Writes docs/bench/granule.md.
import { writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { alphaOf, packGranule, unpackGranule } from '../../src/lib/granule/index';
import { sampleFiles } from '../../src/lib/granule/test-fixture';
import { loadTwinDir } from '../../src/lib/twin/source.node.ts';
import { nodeSandboxFactory } from '../../src/lib/twin/sandbox.node.ts';
import { TwinRuntime, packTwin, sharedGranules } from '../../src/lib/twin/index';
import { machineStamp, markdownTable, summarize } from './report';

const here = dirname(fileURLToPath(import.meta.url));
const twinsDir = resolve(here, '../../static-twins');

function timeIt(fn: () => void, minRuns: number, minMs: number): number[] {
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return samples;
}

/** A granule of about `total` bytes spread over `count` files of random (incompressible) content. */
function syntheticFiles(total: number, count: number): Record<string, Uint8Array | string> {
  const files: Record<string, Uint8Array | string> = { ...sampleFiles() };
  const each = Math.max(1, Math.floor(total / count));
  for (let i = 0; i < count; i++) files[`assets/part-${String(i).padStart(4, '0')}.bin`] = new Uint8Array(randomBytes(each));
  return files;
}

export async function run({ outDir }: { outDir: string }): Promise<void> {
  const rows: (string | number)[][] = [];
  for (const [label, total, count] of [
    ['10 KiB, 4 files', 10 * 1024, 4],
    ['1 MiB, 32 files', 1024 * 1024, 32],
    ['16 MiB, 64 files', 16 * 1024 * 1024, 64],
    ['64 MiB, 256 files', 64 * 1024 * 1024, 256],
  ] as const) {
    const files = syntheticFiles(total, count);
    const packed = packGranule({ files });
    const mb = packed.size / 2 ** 20;
    const pack = summarize(timeIt(() => packGranule({ files }), 5, 1500));
    const unpack = summarize(timeIt(() => unpackGranule({ bytes: packed.bytes, expectedAlpha: packed.alpha }), 5, 1500));
    const alpha = summarize(timeIt(() => alphaOf(packed.bytes), 5, 1000));
    rows.push([label, packed.size, pack.median.toFixed(2), (mb / (pack.median / 1000)).toFixed(1), unpack.median.toFixed(2), (mb / (unpack.median / 1000)).toFixed(1), (mb / (alpha.median / 1000)).toFixed(1)]);
  }

  const ids = ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450'];
  const twins = await Promise.all(ids.map(async (id) => ({ id, granules: packTwin(await loadTwinDir(join(twinsDir, id))) })));
  const shared = new Set(sharedGranules(twins).map((s) => s.alpha));
  const seen = new Set<string>();
  const sizeRows: (string | number)[][] = [];
  for (const t of twins) for (const g of t.granules) {
    if (seen.has(g.alpha)) continue;
    seen.add(g.alpha);
    const source = [...g.files.values()].reduce((n, f) => n + f.length, 0);
    sizeRows.push([g.manifest.name, g.context, g.files.size, source, g.size, `\`${g.alpha.slice(0, 18)}…\``, shared.has(g.alpha) ? 'all three twins' : t.id]);
  }
  const totalUnique = sizeRows.reduce((n, r) => n + Number(r[4]), 0);
  const totalIfCopied = twins.reduce((n, t) => n + t.granules.reduce((m, g) => m + g.size, 0), 0);

  // Starting a whole twin: 9 worker threads, each loading its granule in a fresh V8 context.
  const startSamples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const runtime = new TwinRuntime({ sandboxFactory: nodeSandboxFactory() });
    const t0 = performance.now();
    await runtime.start(twins[1]!.granules);
    startSamples.push(performance.now() - t0);
    if (runtime.state().some((s) => s.status !== 'running')) throw new Error('a reference granule failed to start');
    const r0 = performance.now();
    for (let k = 0; k < 200; k++) await runtime.request('mechanical', 'spec');
    startSamples.push(-(performance.now() - r0) / 200); // negative marks a per-request sample (split below)
    runtime.stop();
  }
  const start = summarize(startSamples.filter((s) => s > 0));
  const request = summarize(startSamples.filter((s) => s < 0).map((s) => -s));

  const md = [
    '# Granule format and runtime',
    '',
    machineStamp(),
    '',
    '## Pack, unpack (full verification) and α throughput',
    '',
    'Synthetic granules: a valid manifest and MVC files plus random, incompressible binary files. Pack reads the files, writes the canonical manifest and the TWGRANUL archive; unpack checks the layout, trailer digest, manifest schema, every file\'s SHA-256 and α. Medians of at least 5 runs.',
    '',
    markdownTable(['granule', 'archive bytes', 'pack ms', 'pack MiB/s', 'unpack ms', 'unpack MiB/s', 'α MiB/s'], rows),
    '',
    '## Reference granules',
    '',
    `${seen.size} distinct granules make up the three reference twins (27 bounded contexts): the derived printers reference the base printer's communication, sensing, task, simulation and service granules instead of copying them. Distinct archives total ${totalUnique} bytes; copied per twin they would be ${totalIfCopied} bytes.`,
    '',
    markdownTable(['granule', 'context', 'files', 'source bytes', 'archive bytes', 'α', 'used by'], sizeRows),
    '',
    '## Instantiating a twin (Node sandboxes)',
    '',
    'JGAurora Z-603S twin: 9 granules, each in its own worker thread with a fresh V8 context; then 200 sequential requests to one context (host → worker → granule → back).',
    '',
    markdownTable(['measure', 'n', 'median ms', 'p95 ms'], [
      ['start all 9 sandboxes', start.n, start.median.toFixed(1), start.p95.toFixed(1)],
      ['one request round trip', request.n * 200, request.median.toFixed(3), request.p95.toFixed(3)],
    ]),
    '',
  ].join('\n');
  writeFileSync(join(outDir, 'granule.md'), md);
}
