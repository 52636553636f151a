// A file on disk as a line source (Node only: the CLI and the benchmarks).
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { LineSource } from './line-source';

export function fileSource(path: string): LineSource {
  const size = statSync(path).size;
  return {
    name: basename(path),
    size,
    open: () => createReadStream(path, { highWaterMark: 64 * 1024 }) as AsyncIterable<Uint8Array>,
  };
}
