// Test helpers: export a reference twin, take a package apart and put it back together with changes.
import { join } from 'node:path';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { loadTwinDir } from '../twin/source.node.ts';
import { packTwin, type LoadedTwin, type PackedGranule } from '../twin/index';
import { exportAasx, type ExportAasxReturnType } from './export-aasx';

export const REFERENCE_TWINS = ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450'] as const;

export async function referenceTwin(id: string): Promise<{ loaded: LoadedTwin; granules: PackedGranule[]; exported: ExportAasxReturnType }> {
  const loaded = await loadTwinDir(join(import.meta.dirname, '../../../static-twins', id));
  const granules = packTwin(loaded);
  return { loaded, granules, exported: exportAasx({ twin: loaded.twin, granules }) };
}

export function entriesOf(zip: Uint8Array): Map<string, Uint8Array> {
  return new Map(Object.entries(unzipSync(zip)));
}

/** Re-zips entries (any names, including hostile ones) in the given order. */
export function rezip(entries: Map<string, Uint8Array> | [string, Uint8Array][], level: 0 | 6 = 6): Uint8Array {
  const files: Zippable = {};
  for (const [name, data] of entries) files[name] = [data, { level }];
  return zipSync(files);
}

export const text = (b: Uint8Array | undefined) => new TextDecoder().decode(b);
export const bytes = (s: string) => new TextEncoder().encode(s);

/** Returns the package with its environment JSON rewritten by `edit`. */
export function editEnvironment(zip: Uint8Array, edit: (env: any) => void): Uint8Array {
  const entries = entriesOf(zip);
  const envName = [...entries.keys()].find((n) => n.endsWith('.aas.json'))!;
  const env = JSON.parse(text(entries.get(envName)));
  edit(env);
  entries.set(envName, bytes(JSON.stringify(env)));
  return rezip(entries);
}

/** Offsets of every central-directory record of a zip, for patching declared sizes. */
export function centralRecords(zip: Uint8Array): number[] {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const out: number[] = [];
  let at = view.getUint32(eocd + 16, true);
  for (let i = 0; i < view.getUint16(eocd + 10, true); i++) {
    out.push(at);
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

export function patchCentral(zip: Uint8Array, record: number, fields: { compressedSize?: number; size?: number; flags?: number }): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  if (fields.flags !== undefined) view.setUint16(record + 8, fields.flags, true);
  if (fields.compressedSize !== undefined) view.setUint32(record + 20, fields.compressedSize, true);
  if (fields.size !== undefined) view.setUint32(record + 24, fields.size, true);
  return copy;
}
