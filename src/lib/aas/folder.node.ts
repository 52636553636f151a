// Node: writes an imported twin folder to disk. The folder must be new or empty, so an import never overwrites
// anything; every path is checked to stay inside it (the import has checked them already; this is the last guard).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep, isAbsolute } from 'node:path';
import { AasError, UnsafePathError } from './errors';
import { namedError } from '../errors/index';

class FolderNotEmptyError extends namedError('FolderNotEmptyError', AasError) {
  constructor(dir: string) {
    super('UNSAFE_PATH', `${dir} already exists and is not empty. Choose a new folder with -o; nothing was written.`);
  }
}

export async function writeTwinFolder(dir: string, files: Map<string, Uint8Array>): Promise<string> {
  const root = resolve(dir);
  let existing: string[] = [];
  try {
    existing = await readdir(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (existing.length > 0) throw new FolderNotEmptyError(dir);
  const targets: [string, Uint8Array][] = [];
  for (const [rel, data] of files) {
    const target = resolve(root, ...rel.split('/'));
    const back = relative(root, target);
    if (back === '' || back.startsWith('..') || isAbsolute(back) || back.split(sep).includes('..'))
      throw new UnsafePathError(rel, 'it would land outside the twin folder');
    targets.push([target, data]);
  }
  await mkdir(root, { recursive: true });
  for (const [target, data] of targets) {
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data, { flag: 'wx' });
  }
  return join(root);
}
