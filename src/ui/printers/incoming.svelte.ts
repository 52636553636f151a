// G-code files handed to the app from outside: opened with the installed app (manifest `file_handlers`, read through
// `launchQueue`) or shared from a slicer (manifest `share_target`: the service worker keeps the shared files in a
// cache, public/share-target-sw.js, and opens the Printers page).
export const incoming = $state<{ files: File[] }>({ files: [] });

export const SHARED_CACHE = 'twingrain-shared-files';

interface LaunchParams {
  files: readonly FileSystemFileHandle[];
}

let watching = false;

export function watchLaunchQueue(): void {
  const lq = (window as unknown as { launchQueue?: { setConsumer(c: (p: LaunchParams) => void): void } }).launchQueue;
  if (!lq || watching) return;
  watching = true;
  lq.setConsumer(async (params) => {
    for (const handle of params.files ?? []) {
      try {
        incoming.files.push(await handle.getFile());
      } catch {
        // A file that cannot be read (moved, no permission) is skipped; the others still arrive.
      }
    }
  });
}

// A shared file stays in the service worker's cache until it is queued or dismissed, so a reload (or a page that
// read the cache just before) never loses it. Each file remembers its cache entry; launchQueue files have none.
const cacheKeys = new WeakMap<File, string>();

/** Files a slicer shared with the app, read from the service worker's cache (each one once per page). */
export function takeSharedFiles(): Promise<void> {
  // One reader at a time, so two calls cannot both add the same entry.
  taking ??= readShared().finally(() => {
    taking = undefined;
  });
  return taking;
}

let taking: Promise<void> | undefined;

async function readShared(): Promise<void> {
  if (typeof caches === 'undefined') return;
  const cache = await caches.open(SHARED_CACHE);
  const held = new Set(incoming.files.map((f) => cacheKeys.get(f)));
  for (const request of await cache.keys()) {
    if (held.has(request.url)) continue;
    try {
      const response = await cache.match(request);
      if (!response) continue;
      const name = decodeURIComponent(response.headers.get('x-file-name') ?? 'shared.gcode');
      const file = new File([await response.blob()], name, { type: 'text/plain' });
      cacheKeys.set(file, request.url);
      incoming.files.push(file);
    } catch {
      // This file stays in the cache and is offered again next time; the others still arrive.
    }
  }
}

/** The person queued or dismissed these files: they leave the list and the service worker's cache. */
export async function settleIncoming(files: readonly File[]): Promise<void> {
  const gone = new Set(files);
  incoming.files = incoming.files.filter((f) => !gone.has(f));
  if (typeof caches === 'undefined') return;
  const cache = await caches.open(SHARED_CACHE);
  await Promise.all(
    files
      .map((f) => cacheKeys.get(f))
      .filter((k): k is string => !!k)
      .map((k) => cache.delete(k)),
  );
}
