// Reads a granule source folder from disk (Node only). Hidden entries (names starting with ".") are skipped;
// symlinks are refused because they could point outside the granule.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SourceInvalidError } from './errors';

export async function readGranuleDir(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  let root;
  try {
    root = await lstat(dir);
  } catch {
    throw new SourceInvalidError(`${dir} does not exist`);
  }
  if (!root.isDirectory()) throw new SourceInvalidError(`${dir} is not a folder`);
  async function walk(abs: string, rel: string): Promise<void> {
    for (const name of await readdir(abs)) {
      if (name.startsWith('.') || name === 'node_modules') continue;
      const full = join(abs, name);
      const relPath = rel ? `${rel}/${name}` : name;
      const st = await lstat(full);
      if (st.isSymbolicLink()) throw new SourceInvalidError(`${relPath} is a symbolic link (copy the file in instead)`);
      if (st.isDirectory()) await walk(full, relPath);
      else if (st.isFile()) files.set(relPath, new Uint8Array(await readFile(full)));
    }
  }
  await walk(dir, '');
  return files;
}
