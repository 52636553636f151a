// Headless Debian Chromium (never a downloaded browser) on a page served by a tiny local http server, so browser
// benchmarks run the same libraries against the same artifacts as Node does.
import { readFileSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
};

export interface BenchPage {
  page: Page;
  url: string;
  close(): Promise<void>;
}

/** Serves `routes` (URL path → file on disk) and opens `/` (an empty page unless routed) in headless Chromium. */
export async function openBenchPage(routes: Record<string, string>): Promise<BenchPage> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = routes[path];
    if (path === '/' && !file) {
      res.writeHead(200, { 'content-type': TYPES['.html']! }).end('<!doctype html><meta charset="utf-8"><title>bench</title>');
      return;
    }
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  } catch (error) {
    server.close();
    throw new Error(`Chromium did not start (${(error as Error).message.split('\n')[0]}): install it with "apt-get install -y chromium".`);
  }
  const page = await browser.newPage();
  await page.goto(url);
  return {
    page,
    url,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The Chromium version string, for the report stamp. */
export async function chromiumVersion(page: Page): Promise<string> {
  return page.context().browser()?.version() ?? 'unknown';
}

/**
 * CPU time (user + system, ms) of every process descended from this one — the Chromium browser, renderer, GPU and
 * utility processes — read from /proc (Linux; 10 ms ticks). What a proof costs in Chromium over all its threads.
 */
export function descendantCpuMs(): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the process ended while we read
    }
  }
  let total = 0;
  for (const [pid, t] of ticks) {
    let p = parent.get(pid);
    while (p !== undefined && p > 1 && p !== process.pid) p = parent.get(p);
    if (p === process.pid) total += t;
  }
  return total * 10;
}
