// The reference twins reach the browser through Vite: every file under static-twins/<printer>/ (JavaScript and
// JSON only — the generator and tests stay out) is bundled as text into this page's chunk, then packed here with the
// same code as the CLI, so the α shown in the page equals `twingrain granule pack`'s.
import { loadTwinFromFiles, packTwin, type LoadedTwin, type PackedGranule } from '../../lib/twin/index';

const raw = import.meta.glob('/static-twins/*/**/*.{js,json}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

const STATIC_TWIN_IDS = ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450'] as const;

export interface StaticTwin {
  id: string;
  loaded: LoadedTwin;
  granules: PackedGranule[];
}

let cache: StaticTwin[] | undefined;

function staticTwinFiles(): Map<string, Uint8Array> {
  const encoder = new TextEncoder();
  const files = new Map<string, Uint8Array>();
  for (const [path, text] of Object.entries(raw)) files.set(path.replace(/^\/static-twins\//, ''), encoder.encode(text));
  return files;
}

export function staticTwins(): StaticTwin[] {
  if (cache) return cache;
  const files = staticTwinFiles();
  cache = STATIC_TWIN_IDS.map((id) => {
    const loaded = loadTwinFromFiles(files, id);
    return { id, loaded, granules: packTwin(loaded) };
  });
  return cache;
}
