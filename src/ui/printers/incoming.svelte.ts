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

/** Files a slicer shared with the app: taken out of the service worker's cache (once). */
export async function takeSharedFiles(): Promise<void> {
  if (typeof caches === 'undefined') return;
  const cache = await caches.open(SHARED_CACHE);
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    await cache.delete(request);
    if (!response) continue;
    const name = decodeURIComponent(response.headers.get('x-file-name') ?? 'shared.gcode');
    incoming.files.push(new File([await response.blob()], name, { type: 'text/plain' }));
  }
}
