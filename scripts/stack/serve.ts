// A small static server for the built PWA: it serves dist/, answers /twingrain-config.json with the live stack's
// configuration, and falls back to index.html for app routes. No dev server: what users get is what tests drive.
// Every response carries the Content-Security-Policy header (scripts/stack/csp.ts), workers' scripts included.
import { createServer, type Server } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { RUNTIME_CONFIG_PATH, type RuntimeConfig } from '../../src/lib/config';
import { contentSecurityPolicy } from './csp';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.zkey': 'application/octet-stream',
  '.glb': 'model/gltf-binary',
  '.gltf': 'model/gltf+json',
  '.txt': 'text/plain; charset=utf-8',
  '.gcode': 'text/plain; charset=utf-8',
  '.granule': 'application/octet-stream',
};

export interface ServeAppParameters {
  root: string;
  host: string;
  port: number;
  config: () => RuntimeConfig;
  /** Send the Content-Security-Policy header (default true; false only for tests that show what it prevents). */
  csp?: boolean;
}

export interface ServedApp {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

export async function serveApp(p: ServeAppParameters): Promise<ServedApp> {
  const root = resolve(p.root);
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (p.csp !== false) {
        res.setHeader('content-security-policy', contentSecurityPolicy(p.config()));
        res.setHeader('x-content-type-options', 'nosniff');
      }
      if (url.pathname === RUNTIME_CONFIG_PATH) {
        res.writeHead(200, { 'content-type': TYPES['.json']!, 'cache-control': 'no-store' });
        res.end(JSON.stringify(p.config()));
        return;
      }
      let path = normalize(join(root, decodeURIComponent(url.pathname)));
      if (path !== root && !path.startsWith(root + sep)) {
        res.writeHead(403).end('forbidden');
        return;
      }
      let info = await stat(path).catch(() => null);
      if (info?.isDirectory()) {
        path = join(path, 'index.html');
        info = await stat(path).catch(() => null);
      }
      if (!info) {
        if (extname(url.pathname)) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
          return;
        }
        path = join(root, 'index.html');
      }
      const body = await readFile(path);
      const type = TYPES[extname(path)] ?? 'application/octet-stream';
      // Hashed assets never change; the shell, the service worker and its manifest must be revalidated.
      const immutable = path.includes(`${sep}assets${sep}`);
      res.writeHead(200, {
        'content-type': type,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        'cross-origin-opener-policy': 'same-origin',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (error) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : 'error');
    }
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(p.port, p.host, () => resolveListen());
  });
  return {
    url: `http://${p.host === '0.0.0.0' ? '127.0.0.1' : p.host}:${p.port}`,
    server,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
