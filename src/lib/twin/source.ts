// Loading a twin from its source folder: twin.json names the domains and, for each bounded context, the folder of
// its granule (relative, so a derived printer can reference a base printer's granule instead of copying it).
// Works on a flat map of files so the same code serves Node (read from disk) and the browser (bundled by Vite).
import * as v from 'valibot';
import { MANIFEST_FILE, parseManifest, GranuleError, type GranuleManifest } from '../granule/index';
import { elementId, type Twin } from './model';
import { TwinSourceError } from './errors';

export const TWIN_FILE = 'twin.json';
export const TWIN_SCHEMA_ID = 'twingrain/twin@1';

export interface TwinSource {
  schema: typeof TWIN_SCHEMA_ID;
  id: string;
  name: string;
  description?: string;
  domains: { name: string; contexts: { name: string; granule: string }[] }[];
}

export interface GranuleSource {
  /** Folder of the granule relative to the files' root, e.g. "shdm-3ddtp-500/communication". */
  dir: string;
  files: Map<string, Uint8Array>;
  manifest: GranuleManifest;
}

export interface LoadedTwin {
  twin: Twin;
  source: TwinSource;
  /** By bounded context name. */
  granules: Map<string, GranuleSource>;
}

/** Joins and normalises POSIX paths, refusing to climb above the root. */
function joinPath(base: string, rel: string): string {
  const parts = rel.startsWith('/') ? [] : base.split('/').filter(Boolean);
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) throw new TwinSourceError(`the path ${JSON.stringify(rel)} leaves the twins folder`);
      parts.pop();
    } else parts.push(seg);
  }
  return parts.join('/');
}

/** All files under `dir` (relative paths inside it). */
function filesUnder(all: Map<string, Uint8Array>, dir: string): Map<string, Uint8Array> {
  const prefix = dir ? dir + '/' : '';
  const out = new Map<string, Uint8Array>();
  for (const [p, data] of all) if (p.startsWith(prefix)) out.set(p.slice(prefix.length), data);
  return out;
}

// Loose objects: a twin file may carry fields of a later version (and TwinSource's optional ones), returned as they are.
const TwinSourceSchema = v.looseObject({
  schema: v.literal(TWIN_SCHEMA_ID),
  id: v.string(),
  name: v.string(),
  description: v.optional(v.string()),
  domains: v.array(v.looseObject({ name: v.string(), contexts: v.array(v.looseObject({ name: v.string(), granule: v.string() })) })),
});

export function parseTwinSource(bytes: Uint8Array, where: string): TwinSource {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new TwinSourceError(`${where} is not valid JSON (${e instanceof Error ? e.message : e}). Fix the file and try again.`);
  }
  const checked = v.safeParse(TwinSourceSchema, value);
  if (!checked.success)
    throw new TwinSourceError(`${where} must be {"schema":"${TWIN_SCHEMA_ID}","id","name","domains":[{"name","contexts":[{"name","granule":"<folder>"}]}]}.`);
  return checked.output as TwinSource;
}

/**
 * Builds the twin at `twinDir` from a flat file map (paths relative to a common root, e.g. the static-twins folder).
 * Granule manifests are validated; the MVC element ids are qualified by granule name.
 */
export function loadTwinFromFiles(all: Map<string, Uint8Array>, twinDir: string): LoadedTwin {
  const twinPath = joinPath(twinDir, TWIN_FILE);
  const bytes = all.get(twinPath);
  if (!bytes) throw new TwinSourceError(`${twinPath} not found: a twin folder holds a twin.json naming its domains and granules.`);
  const source = parseTwinSource(bytes, twinPath);
  const granules = new Map<string, GranuleSource>();
  const twin: Twin = { id: source.id, name: source.name, description: source.description, domains: [] };
  for (const d of source.domains) {
    const domain = { name: d.name, contexts: [] as Twin['domains'][number]['contexts'] };
    for (const c of d.contexts) {
      const dir = joinPath(twinDir, c.granule);
      const files = filesUnder(all, dir);
      const manifestBytes = files.get(MANIFEST_FILE);
      if (!manifestBytes) throw new TwinSourceError(`context ${c.name}: ${dir}/${MANIFEST_FILE} not found (every granule folder holds its manifest).`);
      let manifest: GranuleManifest;
      try {
        manifest = parseManifest(manifestBytes);
      } catch (e) {
        throw new TwinSourceError(`context ${c.name} (${dir}): ${e instanceof GranuleError ? e.message : String(e)}`);
      }
      if (manifest.context !== c.name)
        throw new TwinSourceError(`context ${c.name}: the granule in ${dir} is for context "${manifest.context}". Point twin.json at the right folder.`);
      granules.set(c.name, { dir, files, manifest });
      const q = (p: string) => elementId(manifest.name, p);
      domain.contexts.push({
        name: c.name,
        phase: manifest.phase,
        granule: { name: manifest.name, version: manifest.version, owner: manifest.owner.publicKey },
        models: manifest.mvc.models.map(q),
        views: manifest.mvc.views.map(q),
        controllers: manifest.mvc.controllers.map(q),
        declaredDomain: manifest.domain,
      });
    }
    twin.domains.push(domain);
  }
  return { twin, source, granules };
}
