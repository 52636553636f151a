// Loaded into the service worker (vite.config.ts, workbox importScripts). Receives G-code files shared to the
// installed app from a slicer (manifest share_target: POST /share-target), keeps them in a cache the Printers page
// takes them from (src/ui/printers/incoming.svelte.ts), and opens that page. Nothing prints by itself: the person
// chooses the printer and presses Start. Sizes and counts are bounded so a hostile form cannot fill the disk.
const SHARED_CACHE = 'twingrain-shared-files';
const MAX_FILES = 10;
const MAX_BYTES = 512 * 1024 * 1024;

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'POST' || url.origin !== self.location.origin || url.pathname !== '/share-target') return;
  event.respondWith(
    (async () => {
      try {
        const form = await event.request.formData();
        const cache = await caches.open(SHARED_CACHE);
        const files = form.getAll('file').filter((f) => typeof f === 'object' && f !== null && 'size' in f && f.size <= MAX_BYTES);
        const batch = `${Date.now()}-${crypto.randomUUID()}`;
        const kept = files.slice(0, MAX_FILES);
        // All files of a share are written before the page is opened; one that cannot be written does not stop the rest.
        await Promise.allSettled(
          kept.map((file, i) => {
            const headers = { 'content-type': 'text/plain', 'x-file-name': encodeURIComponent(file.name || 'shared.gcode') };
            return cache.put(new Request(`/shared-file/${batch}-${i}`), new Response(file, { headers }));
          }),
        );
      } catch {
        // A share that cannot be read still opens the app; the page simply shows no file.
      }
      return Response.redirect('/#/printers', 303);
    })(),
  );
});
