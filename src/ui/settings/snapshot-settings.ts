// The community node a new browser takes the registry's trees from (instead of reading the community's whole
// history), chosen under Settings. Kept in localStorage beside the other Settings choices; when nothing is chosen
// here, the deployment's runtime config decides (`trees.snapshot`), and without either the app reads the chain's
// events. Whatever the node serves is checked against the chain before anything is proved with it.
import { parseSnapshotSource, type RuntimeConfig } from '../../lib/config';

const KEY = 'twingrain.treesSnapshot';

/** What Settings saved, or undefined (the community's default). */
export function savedSnapshotSource(): string | undefined {
  try {
    const text = localStorage.getItem(KEY);
    return text ? parseSnapshotSource(text) : undefined;
  } catch {
    return undefined; // storage blocked or an old, unreadable entry: the default applies
  }
}

/** Saves the checked address and returns it; undefined goes back to the community's default. Throws on a bad address. */
export function saveSnapshotSource(text: string | undefined): string | undefined {
  if (text === undefined) {
    localStorage.removeItem(KEY);
    return undefined;
  }
  const address = parseSnapshotSource(text);
  localStorage.setItem(KEY, address);
  return address;
}

/** The snapshot a first sync starts from: this browser's choice, else the deployment's. */
export function effectiveSnapshotSource(config: RuntimeConfig): string | undefined {
  return savedSnapshotSource() ?? config.trees?.snapshot;
}
