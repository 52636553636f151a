// Node: read a twin folder and the granule folders its twin.json references into the flat file map that
// loadTwinFromFiles() works on (only those folders are read, so a twin may live anywhere).
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, resolve, relative, sep } from 'node:path';
import { TwinSourceError } from './errors';
import { loadTwinFromFiles, parseTwinSource, TWIN_FILE, type LoadedTwin } from './source';

async function readInto(out: Map<string, Uint8Array>, abs: string, rel: string): Promise<void> {
  for (const name of await readdir(abs)) {
    if (name.startsWith('.') || name === 'node_modules') continue;
    const full = join(abs, name);
    const st = await lstat(full);
    const r = rel ? `${rel}/${name}` : name;
    if (st.isDirectory()) await readInto(out, full, r);
    else if (st.isFile()) out.set(r, new Uint8Array(await readFile(full)));
  }
}

export async function loadTwinDir(dir: string): Promise<LoadedTwin> {
  const abs = resolve(dir);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(join(abs, TWIN_FILE)));
  } catch {
    throw new TwinSourceError(`${dir} has no ${TWIN_FILE}: point at a twin folder such as static-twins/shdm-3ddtp-500.`);
  }
  const source = parseTwinSource(bytes, join(dir, TWIN_FILE));
  // Paths are made relative to the filesystem root so "../base/context" references resolve naturally.
  const toRel = (p: string) => relative('/', p).split(sep).join('/');
  const all = new Map<string, Uint8Array>([[toRel(join(abs, TWIN_FILE)), bytes]]);
  for (const d of source.domains)
    for (const c of d.contexts) {
      const gdir = resolve(abs, c.granule);
      try {
        if (!(await lstat(gdir)).isDirectory()) throw new Error();
      } catch {
        throw new TwinSourceError(`context ${c.name}: granule folder ${c.granule} (from ${dir}) does not exist.`);
      }
      await readInto(all, gdir, toRel(gdir));
    }
  return loadTwinFromFiles(all, toRel(abs));
}
