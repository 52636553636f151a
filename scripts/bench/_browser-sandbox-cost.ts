// The cost of granule isolation in Chromium: the app's browser sandbox (one Worker per granule) bundled by Vite and
// loaded in a blank page, measured like _sandbox-cost.ts measures Node: start-up per context, one request's round
// trip, and the growth of Chromium's resident memory per context. `root` is the tree whose sandbox is measured (so
// an older checkout can be measured the same way); run directly it prints JSON for the given root.
import { createServer } from 'node:http';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { loadTwinDir } from '../../src/lib/twin/source.node.ts';
import { packTwin } from '../../src/lib/twin/index';
import { sandboxCost, type SandboxCost } from './_sandbox-cost';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

/** Resident memory (KiB) of every process descended from this one: the Chromium we launched, nobody else's. */
function descendantRssKiB(): number {
  const procs = new Map<number, { ppid: number; rss: number }>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const status = readFileSync(`/proc/${d}/status`, 'utf8');
      procs.set(Number(d), { ppid: Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0), rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) });
    } catch {
      /* the process is gone */
    }
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, p] of procs)
      if (!mine.has(pid) && mine.has(p.ppid)) {
        mine.add(pid);
        grew = true;
      }
  }
  mine.delete(process.pid);
  return [...mine].reduce((n, pid) => n + (procs.get(pid)?.rss ?? 0), 0);
}

export async function measureBrowserSandboxCost(root = resolve(here, '../..'), rounds = 5, requests = 200): Promise<SandboxCost> {
  const { build } = await import('vite');
  const outDir = await mkdtemp(join(tmpdir(), 'twingrain-sandbox-bench-'));
  await build({
    root,
    configFile: false,
    publicDir: false,
    logLevel: 'error',
    worker: { format: 'es' },
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      lib: { entry: join(root, 'scripts/bench/_sandbox-browser-entry.ts'), formats: ['es'], fileName: 'sandbox' },
    },
  });
  const files = new Set(await readdir(outDir, { recursive: true }));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname.slice(1);
    if (path === '') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>sandbox bench</title>');
    if (!files.has(path)) return void res.writeHead(404).end();
    readFile(join(outDir, path)).then(
      (b) => res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(b),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    await page.goto(url);
    const granules = packTwin(await loadTwinDir(join(resolve(here, '../../static-twins'), 'jgaurora-z-603s'))).map((g) => ({
      context: g.context,
      manifest: g.manifest,
      files: [...g.files].map(([p, b]) => [p, Buffer.from(b).toString('base64')]),
    }));
    // Strings, not functions: nothing of this bundler's helpers may leak into the page.
    await page.evaluate(`(async () => {
      const m = await import('/sandbox.js');
      window.__bench = { m, granules: ${JSON.stringify(granules)}.map((g) => ({ context: g.context, manifest: g.manifest, files: new Map(g.files.map(([p, b]) => [p, Uint8Array.from(atob(b), (c) => c.charCodeAt(0))])) })) };
    })()`);
    const start: number[] = [];
    const req: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < rounds; i++) {
      await new Promise((r) => setTimeout(r, 500));
      const before = descendantRssKiB();
      const ms = (await page.evaluate(`(async () => {
        const b = window.__bench;
        b.rt = new b.m.TwinRuntime({ sandboxFactory: () => b.m.createBrowserSandbox() });
        const t0 = performance.now();
        await b.rt.start(b.granules);
        const t = performance.now() - t0;
        if (b.rt.state().some((s) => s.status !== 'running')) throw new Error('a reference granule failed: ' + JSON.stringify(b.rt.state()));
        return t;
      })()`)) as number;
      start.push(ms / granules.length);
      const times = (await page.evaluate(`(async () => {
        const b = window.__bench; const out = [];
        for (let k = 0; k < ${requests}; k++) { const t0 = performance.now(); await b.rt.request('mechanical', 'spec'); out.push(performance.now() - t0); }
        return out;
      })()`)) as number[];
      req.push(...times);
      await new Promise((r) => setTimeout(r, 500));
      rss.push((descendantRssKiB() - before) / 1024 / granules.length);
      await page.evaluate(`window.__bench.rt.stop()`);
    }
    return sandboxCost(granules.length, start, req, rss);
  } finally {
    await browser.close();
    server.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  console.log(JSON.stringify(await measureBrowserSandboxCost(process.argv[2] ? resolve(process.argv[2]) : undefined), null, 2));
  process.exit(0);
}
