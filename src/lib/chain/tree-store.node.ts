// The CLI's place for its trees between runs: one file per chain and registry under its state folder, replaced
// atomically so an interrupted run leaves the previous trees, never half a file.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { TreeStore } from './trees';

export function fileTreeStore(path: string): TreeStore {
  return {
    async load() {
      try {
        return new Uint8Array(await readFile(path));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async save(bytes) {
      await mkdir(dirname(path), { recursive: true });
      const partial = `${path}.${process.pid}.partial`;
      await writeFile(partial, bytes);
      await rename(partial, path);
    },
  };
}
