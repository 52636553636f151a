// Pack / unpack / α throughput by granule size (synthetic granules of random, incompressible files). Shared by the
// granule benchmark and by the one-off that recorded the figures of the hashing this one replaced
// (granule-packing-before.json).
import { randomBytes } from 'node:crypto';
import { alphaOf, packGranule, unpackGranule } from '../../src/lib/granule/index';
import { sampleFiles } from '../../src/lib/granule/test-fixture';
import { summarize } from './report';

export interface PackingRow {
  label: string;
  archiveBytes: number;
  packMs: number;
  packMiBs: number;
  unpackMs: number;
  unpackMiBs: number;
  alphaMiBs: number;
}

export const PACKING_SIZES = [
  ['10 KiB, 4 files', 10 * 1024, 4],
  ['1 MiB, 32 files', 1024 * 1024, 32],
  ['16 MiB, 64 files', 16 * 1024 * 1024, 64],
  ['64 MiB, 256 files', 64 * 1024 * 1024, 256],
] as const;

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

export function measurePacking(): PackingRow[] {
  return PACKING_SIZES.map(([label, total, count]) => {
    const files = syntheticFiles(total, count);
    const packed = packGranule({ files });
    const mb = packed.size / 2 ** 20;
    const pack = summarize(timeIt(() => packGranule({ files }), 5, 1500)).median;
    const unpack = summarize(timeIt(() => unpackGranule({ bytes: packed.bytes, expectedAlpha: packed.alpha }), 5, 1500)).median;
    const alpha = summarize(timeIt(() => alphaOf(packed.bytes), 5, 1000)).median;
    return {
      label,
      archiveBytes: packed.size,
      packMs: pack,
      packMiBs: mb / (pack / 1000),
      unpackMs: unpack,
      unpackMiBs: mb / (unpack / 1000),
      alphaMiBs: mb / (alpha / 1000),
    };
  });
}
