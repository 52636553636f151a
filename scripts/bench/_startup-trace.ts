// Where one visit's time to the relay goes, from a Chromium trace (not a benchmark: one visit, no medians). Build the
// app first, then `npx tsx scripts/bench/_startup-trace.ts [first|returning]`: prints each script's request, response
// and evaluation, the main thread's long tasks and the `twingrain:` marks, all in ms from navigation start.
import '../../src/lib/node/polyfills';
import '../../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { startRelay } from '../../relay/relay';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';
import type { RuntimeConfig } from '../../src/lib/config/index';
import { serveApp } from '../stack/serve';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: Record<string, unknown> & { data?: Record<string, unknown> };
}

const which = process.argv[2] ?? 'first';
const dir = await mkdtemp(join(tmpdir(), 'tg-startup-trace-'));
const relay = await startRelay({ port: Number(process.env.TWINGRAIN_RELAY_PORT ?? (await freePort())), dataDir: join(dir, 'relay'), development: true });
const config: RuntimeConfig = {
  chain: { rpcUrl: 'http://127.0.0.1:1', chainId: 31337, name: 'bench', development: true, contracts: {}, deployBlock: 0 },
  relay: { multiaddrs: relay.multiaddrs, development: true },
  startedAt: new Date().toISOString(),
};
const app = await serveApp({ root: resolve(process.env.TWINGRAIN_DIST ?? 'dist'), host: '127.0.0.1', port: await freePort(), config: () => config });
const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
try {
  const visit = async (page: import('@playwright/test').Page): Promise<number> => {
    await page.goto(`${appUrl}/#/twins`);
    await page.evaluate(() => (location.hash = '#/network'));
    return Number(await page.getByTestId('relay-page-load-ms').textContent({ timeout: 30_000 }));
  };
  // Warm the browser process as the benchmark does.
  {
    const c = await browser.newContext();
    await visit(await c.newPage());
    await c.close();
  }
  const context = await browser.newContext();
  const page = await context.newPage();
  if (which === 'returning') {
    await visit(page);
    await page.goto('about:blank');
  }
  await browser.startTracing(page, {
    categories: [
      'devtools.timeline',
      'blink.user_timing',
      'v8.execute',
      'v8',
      'loading',
      'disabled-by-default-devtools.timeline',
      'disabled-by-default-v8.compile',
      'disabled-by-default-v8.cpu_profiler',
    ],
  });
  const ms = await visit(page);
  const slow = await page.evaluate(() => (globalThis as unknown as { __tgSlow?: string[] }).__tgSlow ?? []);
  for (const line of slow) console.log(`slow startable: ${line}`);
  const trace = JSON.parse((await browser.stopTracing()).toString()) as { traceEvents: TraceEvent[] };
  const events = trace.traceEvents;
  const nav = events.find((e) => e.name === 'navigationStart' && String(e.args?.data?.['documentLoaderURL'] ?? '').startsWith(appUrl));
  if (!nav) throw new Error('no navigationStart');
  const t0 = nav.ts;
  const at = (ts: number): string => ((ts - t0) / 1000).toFixed(0).padStart(5);
  const main = nav.tid;
  const rendererPid = nav.pid;
  const short = (u: unknown): string => String(u ?? '').replace(appUrl, '');
  console.log(`${which} visit: relay connected at ${ms} ms`);
  // Requests: sent → response → finished, per URL.
  const reqs = new Map<string, { url: string; send?: number; resp?: number; fin?: number; prio?: string }>();
  for (const e of events) {
    const d = e.args?.data;
    if (!d || typeof d['requestId'] !== 'string') continue;
    const r = reqs.get(d['requestId']) ?? { url: '' };
    if (e.name === 'ResourceSendRequest') Object.assign(r, { url: short(d['url']), send: e.ts, prio: d['priority'] });
    if (e.name === 'ResourceReceiveResponse') r.resp = e.ts;
    if (e.name === 'ResourceFinish') r.fin = e.ts;
    reqs.set(d['requestId'], r);
  }
  console.log('requests (sent / response / finished, ms):');
  for (const r of [...reqs.values()].filter((r) => r.send && !/^(chrome|data):/.test(r.url)).sort((a, b) => a.send! - b.send!))
    console.log(`  ${at(r.send!)} ${r.resp ? at(r.resp) : '    -'} ${r.fin ? at(r.fin) : '    -'}  ${r.prio ?? ''} ${r.url}`);
  console.log('main thread tasks ≥ 8 ms and their biggest children (start, duration ms):');
  const mainEvents = events.filter((e) => e.pid === rendererPid && e.tid === main && e.ph === 'X' && e.ts >= t0);
  const tasks = mainEvents.filter((e) => e.name === 'RunTask' && (e.dur ?? 0) >= 8000);
  for (const task of tasks) {
    const inner = mainEvents
      .filter((e) => e !== task && e.ts >= task.ts && e.ts + (e.dur ?? 0) <= task.ts + task.dur! && (e.dur ?? 0) >= 3000 && e.name !== 'RunTask')
      .slice(0, 6)
      .map((e) => {
        const d = e.args?.data ?? {};
        const what = short(d['url'] ?? d['functionName'] ?? d['type'] ?? '');
        return `${e.name}${what ? `(${what})` : ''} ${(e.dur! / 1000).toFixed(0)}`;
      });
    console.log(`  ${at(task.ts)} ${(task.dur! / 1000).toFixed(0).padStart(4)}  ${inner.join(' | ')}`);
  }
  console.log('marks:');
  for (const e of events.filter((e) => e.cat.includes('user_timing') && e.name.startsWith('twingrain:')).sort((a, b) => a.ts - b.ts))
    console.log(`  ${at(e.ts)}  ${e.name}`);
  for (const n of ['domContentLoadedEventEnd', 'firstContentfulPaint', 'loadEventEnd'])
    for (const e of events.filter((e) => e.name === n && e.pid === rendererPid)) console.log(`  ${at(e.ts)}  ${n}`);
  // The sampled CPU profile of the renderer's main thread, by step: self time per function, heaviest first.
  const nodes = new Map<number, { fn: string; url: string; line: number }>();
  const samples: Array<[number, number]> = [];
  const profiles = new Map<string, number>();
  for (const e of events)
    if (e.name === 'Profile' && e.pid === rendererPid && e.tid === main)
      profiles.set(String((e as unknown as { id: string }).id), (e.args?.data?.['startTime'] as number) ?? e.ts);
  const clock = new Map<string, number>();
  for (const e of events.filter((e) => e.name === 'ProfileChunk' && e.pid === rendererPid && profiles.has(String((e as unknown as { id: string }).id)))) {
    const id = String((e as unknown as { id: string }).id);
    const d = e.args?.data as {
      cpuProfile?: { nodes?: Array<{ id: number; callFrame: { functionName: string; url?: string; lineNumber?: number } }>; samples?: number[] };
      timeDeltas?: number[];
    };
    for (const n of d.cpuProfile?.nodes ?? [])
      nodes.set(n.id, { fn: n.callFrame.functionName || '(anon)', url: short(n.callFrame.url ?? ''), line: n.callFrame.lineNumber ?? 0 });
    let t = clock.get(id) ?? profiles.get(id) ?? e.ts;
    const ss = d.cpuProfile?.samples ?? [];
    for (let i = 0; i < ss.length; i++) {
      t += d.timeDeltas?.[i] ?? 0;
      samples.push([t, ss[i]!]);
    }
    clock.set(id, t);
  }
  if (process.env.DEBUG) {
    for (const e of events.filter((e) => e.name === 'Profile' || e.name === 'ProfileChunk').slice(0, 6))
      console.log(JSON.stringify({ ...e, args: undefined }), JSON.stringify(e.args).slice(0, 300));
    console.log('main', rendererPid, main, samples.length);
  }
  const markAt = new Map(events.filter((e) => e.cat.includes('user_timing') && e.name.startsWith('twingrain:')).map((e) => [e.name.slice(10), e.ts] as const));
  const bounds = [['start', t0], ...[...markAt].sort((a, b) => a[1] - b[1]), ['relay', t0 + ms * 1000]] as Array<[string, number]>;
  for (let b = 0; b + 1 < bounds.length; b++) {
    const [from, a] = bounds[b]!;
    const [to, z] = bounds[b + 1]!;
    const byFn = new Map<string, number>();
    let n = 0;
    for (let i = 0; i + 1 < samples.length; i++) {
      const [t, id] = samples[i]!;
      if (t < a || t >= z) continue;
      const node = nodes.get(id);
      const dt = (samples[i + 1]![0] - t) / 1000;
      const key = node ? `${node.fn} ${node.url}:${node.line}` : '?';
      if (node?.fn === '(idle)') continue;
      n += dt;
      byFn.set(key, (byFn.get(key) ?? 0) + dt);
    }
    console.log(`CPU ${from} → ${to} (${at(a)}–${at(z)}): ${n.toFixed(0)} ms busy`);
    const byName = new Map<string, number>();
    for (const e of mainEvents)
      if (e.ts >= a && e.ts < z && /compile|parse|GC|evaluateModule|produce|consume|deserial/i.test(e.name))
        byName.set(e.name, (byName.get(e.name) ?? 0) + (e.dur ?? 0) / 1000);
    console.log(
      `    events: ${[...byName]
        .filter(([, v]) => v >= 2)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${v.toFixed(0)}`)
        .join(', ')}`,
    );
    for (const [k, v] of [...byFn].sort((x, y) => y[1] - x[1]).slice(0, Number(process.env.TOP ?? 8))) console.log(`    ${v.toFixed(1).padStart(6)}  ${k}`);
  }
  // Background compile threads: how much parsing/compiling happened off the main thread.
  const bg = events.filter((e) => e.pid === rendererPid && e.tid !== main && e.ph === 'X' && /Compile|Parse|Stream/i.test(e.name));
  const bgMs = bg.reduce((s, e) => s + (e.dur ?? 0), 0) / 1000;
  console.log(`off-main-thread parse/compile: ${bgMs.toFixed(0)} ms in ${bg.length} events`);
} finally {
  await browser.close();
  await app.stop();
  await relay.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
