import { defineConfig, type Connect, type HtmlTagDescriptor, type Plugin, type Rollup } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { VitePWA } from 'vite-plugin-pwa';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { contentSecurityPolicy } from './scripts/stack/csp';
import { parseRuntimeConfig, type RuntimeConfig } from './src/lib/config/runtime-config';

// `vite preview` and `vite dev` send the same Content-Security-Policy header as `npm start` (scripts/stack/serve.ts),
// with the chain and relay of the running stack's configuration when there is one. No script may compile strings:
// granule code runs inside QuickJS (WebAssembly), which needs only 'wasm-unsafe-eval'.
function cspHeader(): Plugin {
  const stackConfig = (): RuntimeConfig | undefined => {
    try {
      return parseRuntimeConfig(JSON.parse(readFileSync('.twingrain/runtime-config.json', 'utf8')));
    } catch {
      return undefined;
    }
  };
  const middleware: Connect.NextHandleFunction = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(stackConfig()));
    next();
  };
  return {
    name: 'twingrain-csp-header',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}

// The page's entry is only the network's boot (src/main.ts). The app shell it mounts (src/ui/shell/mount.ts) is a
// dynamic import listed in index.html as modulepreload: the browser fetches and compiles it while it parses the page,
// before the entry has even run. The p2p chunk's files (libp2p and Helia) are named in a meta tag instead: the boot
// asks for them as it starts, behind the shell's files, and runs them after the shell's first paint
// (network-boot.ts). Until the shell was cut to ~32 kB (its database, identity and wallet code load on first use),
// they were asked for only once the shell had run: beside a 269 kB shell they pushed its first paint back ~100 ms.
// V8's compile hint (//# allFunctionsCalledOnLoad) on the p2p files was tried: it takes the lazy compiles off the main
// thread during libp2p's start, but the chunk then waits for the whole file's compile, and the second visit spends
// ~200 ms of the main thread writing the much larger code cache (scripts/bench/_startup-trace.ts): not kept.
/** The meta tag naming the p2p chunk's files (read by src/ui/shell/network-boot.ts). */
const P2P_FILES_META = 'twingrain-p2p-files';
/**
 * The app shell's budget, gzipped: the entry, the shell it mounts, their static imports and CSS (what a first visit
 * loads before its first paint). A build over it fails: the shell's size is on every visit's way to its first paint
 * and to the relay. The database, identity and wallet code load on first use (src/ui/shell/session.svelte.ts).
 */
const SHELL_BUDGET_BYTES = 250 * 1024;

function startupChunks(p: { shell: string; p2p: string; budgetBytes: number }): Plugin {
  const closure = (bundle: Rollup.OutputBundle, module: string): Rollup.OutputChunk[] => {
    const chunks = Object.values(bundle).filter((c): c is Rollup.OutputChunk => c.type === 'chunk');
    const root = chunks.find((c) => c.facadeModuleId?.endsWith(module));
    if (!root) throw new Error(`startupChunks: no chunk for ${module}`);
    const out = new Map<string, Rollup.OutputChunk>();
    const visit = (chunk: Rollup.OutputChunk): void => {
      if (out.has(chunk.fileName)) return;
      for (const name of chunk.imports) {
        const dep = bundle[name];
        if (dep?.type === 'chunk') visit(dep);
      }
      out.set(chunk.fileName, chunk);
    };
    visit(root);
    return [...out.values()];
  };
  return {
    name: 'twingrain-startup-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return;
        const tags: HtmlTagDescriptor[] = [];
        const shell = closure(bundle, p.shell).filter((c) => !html.includes(c.fileName));
        for (const chunk of shell) {
          for (const css of chunk.viteMetadata?.importedCss ?? [])
            if (!html.includes(css)) tags.push({ tag: 'link', attrs: { rel: 'stylesheet', crossorigin: '', href: `/${css}` }, injectTo: 'head' });
          tags.push({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `/${chunk.fileName}` }, injectTo: 'head' });
        }
        const p2p = closure(bundle, p.p2p);
        if (shell.includes(p2p[p2p.length - 1]!) || html.includes(p2p[p2p.length - 1]!.fileName))
          throw new Error(`${p.p2p} is in the app shell: it must stay a dynamic import, run after the shell's first paint.`);
        const later = p2p.filter((c) => !html.includes(c.fileName) && !shell.includes(c));
        // The budget: every script and stylesheet index.html loads or preloads, as sent (gzipped).
        const gz = (source: string | Uint8Array): number => gzipSync(source).length;
        const named = new Set([...html.matchAll(/(?:src|href)="\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!));
        for (const chunk of shell) {
          named.add(chunk.fileName);
          for (const css of chunk.viteMetadata?.importedCss ?? []) named.add(css);
        }
        let shellBytes = 0;
        for (const name of named) {
          const file = bundle[name];
          if (file) shellBytes += gz(file.type === 'chunk' ? file.code : file.source);
        }
        if (shellBytes > p.budgetBytes)
          throw new Error(
            `The app shell is ${(shellBytes / 1024).toFixed(1)} kB gzipped, over its budget of ${(p.budgetBytes / 1024).toFixed(0)} kB (vite.config.ts): import what the first paint does not need when it is first used.`,
          );
        tags.push({ tag: 'meta', attrs: { name: P2P_FILES_META, content: later.map((c) => `/${c.fileName}`).join(' ') }, injectTo: 'head' });
        return tags;
      },
    },
  };
}

// Large assets (proving keys, circuit WASM, 3D models) are not precached: they are fetched on first use and
// kept by the service worker's runtime cache, so the app shell stays small and installs fast. The granule sandbox's
// QuickJS WebAssembly is precached: twins must run offline from the first install.
export default defineConfig({
  plugins: [
    cspHeader(),
    svelte(),
    startupChunks({
      shell: 'src/ui/shell/mount.ts',
      p2p: 'src/lib/p2p/node.browser.ts',
      budgetBytes: SHELL_BUDGET_BYTES,
    }),
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icons/*.svg', 'icons/*.png'],
      manifest: {
        name: 'twingrain',
        short_name: 'twingrain',
        description:
          'Build, share, license and reuse fine-grained digital twins of manufacturing resources, with zero-knowledge proofs and peer-to-peer exchange.',
        theme_color: '#1f6f5c',
        background_color: '#0f1a17',
        display: 'standalone',
        start_url: '/',
        scope: '/',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
        // Slicer hand-off: the installed app opens G-code files (read through launchQueue on the Printers page) and
        // accepts them shared from other apps (public/share-target-sw.js keeps them for that page).
        file_handlers: [{ action: '/#/printers', accept: { 'text/x-gcode': ['.gcode', '.gco', '.g'] } }],
        share_target: {
          action: '/share-target',
          method: 'POST',
          enctype: 'multipart/form-data',
          params: {
            title: 'title',
            text: 'text',
            files: [{ name: 'file', accept: ['.gcode', '.gco', '.g', 'text/x-gcode', 'text/plain', 'application/octet-stream'] }],
          },
        },
      },
      workbox: {
        importScripts: ['share-target-sw.js'],
        globPatterns: ['**/*.{js,css,html,svg,png,ico,webmanifest}', 'assets/emscripten-module*.wasm'],
        globIgnores: ['**/zk/**', '**/models/**'],
        maximumFileSizeToCacheInBytes: 6 * 1024 * 1024,
        navigateFallback: '/index.html',
        navigateFallbackDenylist: [/^\/twingrain-config\.json/, /^\/zk\//],
        runtimeCaching: [
          {
            urlPattern: ({ url }) => /\.(zkey|wasm|glb|gltf|stl)$/.test(url.pathname) || url.pathname.startsWith('/zk/'),
            handler: 'CacheFirst',
            options: { cacheName: 'twingrain-large-assets', expiration: { maxEntries: 64 } },
          },
        ],
      },
    }),
  ],
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: false, chunkSizeWarningLimit: 4096 },
  server: { port: Number(process.env.TWINGRAIN_APP_PORT ?? 5173) },
});
