// Node reads the same committed artifacts the browser fetches from /zk/ (public/zk in the repository).
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CircuitName } from './constants';
import { ArtifactLoadError } from './errors';
import type { ArtifactKind, ArtifactSource } from './prover';

export const DEFAULT_ARTIFACT_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../public/zk');

export function fileArtifactSource(dir: string = DEFAULT_ARTIFACT_DIR): ArtifactSource {
  return {
    async load(circuit: CircuitName, kind: ArtifactKind) {
      const file = join(dir, kind === 'vkey' ? `${circuit}.vkey.json` : `${circuit}.${kind}`);
      try {
        return new Uint8Array(await readFile(file));
      } catch {
        throw new ArtifactLoadError(`The proving artifact ${file} is missing: run "npm run circuits" or restore public/zk from git.`);
      }
    },
  };
}
