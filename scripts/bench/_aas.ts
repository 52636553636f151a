// AAS export and import of each reference twin (issue 16): the time to build, verify and zip the AASX package, and to
// read it back with every check (limits, CRC-32, AAS verification, re-packing each granule to compare its α). Beside
// each, its floor — the part of the work no AASX implementation can skip: zipping the same parts for export,
// re-packing the twin's granules for import — and the previous figure (docs/bench/granule-aas.json).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { unzipSync, zipSync } from 'fflate';
import { exportAasx, importAasx } from '../../src/lib/aas/index';
import { loadTwinDir } from '../../src/lib/twin/source.node.ts';
import { packTwin } from '../../src/lib/twin/index';
import { machineStamp, markdownTable, summarize } from './report';

interface AasFigure {
  twin: string;
  bytes: number;
  exportMs: number;
  zipFloorMs: number;
  importMs: number;
  repackFloorMs: number;
}

function medianMs(fn: () => void, minRuns = 10, minMs = 1500): number {
  // One untimed run first, so the first twin does not carry the JIT's warm-up.
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples).median;
}

export async function aasSection(twinsDir: string, outDir: string): Promise<string> {
  const previousFile = join(outDir, 'granule-aas.json');
  const previous = existsSync(previousFile) ? (JSON.parse(readFileSync(previousFile, 'utf8')) as { measured: string; figures: AasFigure[] }) : undefined;
  const figures: AasFigure[] = [];
  for (const id of ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450']) {
    const loaded = await loadTwinDir(join(twinsDir, id));
    const granules = packTwin(loaded);
    const exported = exportAasx({ twin: loaded.twin, granules });
    const parts = Object.fromEntries(Object.entries(unzipSync(exported.bytes)).map(([k, v]) => [k, [v, { level: 6 }] as [Uint8Array, { level: 6 }]]));
    figures.push({
      twin: id,
      bytes: exported.bytes.length,
      exportMs: medianMs(() => exportAasx({ twin: loaded.twin, granules })),
      zipFloorMs: medianMs(() => zipSync(parts)),
      importMs: medianMs(() => importAasx({ bytes: exported.bytes })),
      repackFloorMs: medianMs(() => packTwin(loaded)),
    });
  }
  const measured = `${machineStamp()}, load average ${loadavg()[0]!.toFixed(1)} on a machine shared with other work`;
  writeFileSync(previousFile, JSON.stringify({ measured, figures }, null, 2) + '\n');
  const prev = (id: string, pick: (f: AasFigure) => number) => {
    const f = previous?.figures.find((x) => x.twin === id);
    return f ? pick(f).toFixed(1) : '—';
  };
  const rows = figures.map((f) => [
    f.twin,
    (f.bytes / 1024).toFixed(1),
    f.exportMs.toFixed(1),
    f.zipFloorMs.toFixed(1),
    prev(f.twin, (x) => x.exportMs),
    f.importMs.toFixed(1),
    f.repackFloorMs.toFixed(1),
    prev(f.twin, (x) => x.importMs),
  ]);
  return [
    '## AAS export and import (AASX)',
    '',
    measured,
    '',
    "Each reference twin as an AASX package (`twingrain twin export --aas`, the Twins page's \"Export as AASX\") and back (`twingrain twin import`). Export builds the AAS V3.0 environment (one submodel per bounded context, Digital Nameplate, Technical Data, concept descriptions), runs aas-core3.0's verification over it, serialises it to JSON and zips it with every granule file. Import reads the zip under its limits (entry count, sizes, ratio, CRC-32), verifies the environment, re-packs each granule and compares its α, and validates the twin. Floors: zipping the same parts (export), re-packing the twin's nine granules (import). Medians of at least 10 runs, in milliseconds.",
    '',
    markdownTable(['twin', 'package KiB', 'export ms', 'floor: zip only', 'previous export', 'import ms', 'floor: re-pack granules', 'previous import'], rows),
    '',
    previous ? `Previous figures: ${previous.measured}.` : 'Previous figures: none (first measurement).',
    '',
  ].join('\n');
}
