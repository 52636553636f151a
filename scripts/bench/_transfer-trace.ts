// Where the second browser → browser transfer's time goes (not a benchmark of record): one direct page pair, rounds of
// a new connection then a second transfer of 10 MiB in 256 KiB blocks, and for each second transfer what both pages'
// main threads and the browser process did inside the receiver's measured window, from a Chromium trace (CDP Tracing,
// the same persistent profile as the benchmark, so IndexedDB is on disk). `npx tsx scripts/bench/_transfer-trace.ts
// [rounds]`; TRACE=0 only times.
import '../../src/lib/node/polyfills';
import '../../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { startRelay } from '../../relay/relay';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';
import { bundleP2p, dialFresh, startPageNode, transferOnce, webrtcAddrs } from './_p2p-pages';

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  tid: number;
  pid: number;
  args?: Record<string, unknown> & { name?: string; data?: Record<string, unknown> };
}

const rounds = Number(process.argv[2] ?? 3);
const trace = process.env.TRACE !== '0';
/** PROFILE=1: CPU profiles of both pages over each second transfer, top functions by self time. */
const profile = process.env.PROFILE === '1';

type CpuProfile = {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
};
function topFunctions(p: CpuProfile, n: number): string[] {
  const dt = new Map<number, number>();
  for (let j = 0; j < (p.samples ?? []).length; j++) dt.set(p.samples![j]!, (dt.get(p.samples![j]!) ?? 0) + p.timeDeltas![j]! / 1000);
  const byFn = new Map<string, number>();
  for (const node of p.nodes) {
    const f = node.callFrame;
    const name = `${f.functionName || '(anon)'} ${f.url.split('/').slice(-1)[0]}:${f.lineNumber}`;
    byFn.set(name, (byFn.get(name) ?? 0) + (dt.get(node.id) ?? 0));
  }
  return [...byFn]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => `${ms.toFixed(0).padStart(6)} ms  ${name}`);
}
const MiB = 1024 * 1024;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const dir = await mkdtemp(join(tmpdir(), 'tg-xfer-trace-'));
const relay = await startRelay({ port: Number(process.env.TWINGRAIN_RELAY_PORT ?? (await freePort())), dataDir: join(dir, 'relay'), development: true });
const relayConfig = { multiaddrs: relay.multiaddrs, development: true };
const bundle = await bundleP2p(join(dir, 'bundle'));
const browser = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const load0 = loadavg()[0]!;

/** Epoch ms now in the page (timeOrigin + now), to line pages and trace up. */
const epochNow = (p: Page): Promise<number> => p.evaluate(() => performance.timeOrigin + performance.now());

async function startTrace(cdp: CDPSession): Promise<void> {
  await cdp.send('Tracing.start', {
    transferMode: 'ReturnAsStream',
    traceConfig: { includedCategories: ['devtools.timeline', 'toplevel', 'blink.user_timing', 'IndexedDB', 'disabled-by-default-devtools.timeline'] },
  });
}

async function stopTrace(cdp: CDPSession): Promise<TraceEvent[]> {
  const done = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (e) => resolve(e.stream!)));
  await cdp.send('Tracing.end');
  const handle = await done;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle, size: 1 << 20 });
    text += chunk.base64Encoded ? Buffer.from(chunk.data, 'base64').toString() : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle });
  const parsed = JSON.parse(text) as TraceEvent[] | { traceEvents: TraceEvent[] };
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

try {
  const [from, to] = await Promise.all([browser.newPage(), browser.newPage()]);
  for (const p of [from!, to!]) await p.goto(bundle.url);
  await startPageNode(from!, relayConfig, `a-${Date.now()}`);
  await startPageNode(to!, relayConfig, `b-${Date.now()}`);
  const warmAll: number[] = [];
  const cdp = await browser.newCDPSession(from!);
  const profilers = profile ? await Promise.all([from!, to!].map((p) => browser.newCDPSession(p))) : [];
  for (const c of profilers) await c.send('Profiler.enable');
  for (let i = 0; i < rounds; i++) {
    const { kind } = await dialFresh(from!, await webrtcAddrs(to!));
    if (kind !== 'webrtc') {
      console.log(`dial gave ${kind}`);
      continue;
    }
    const cold = (await transferOnce(from!, to!, 10 * MiB, 256 * 1024)).ms;
    if (trace) await startTrace(cdp);
    for (const c of profilers) await c.send('Profiler.start');
    const t0 = await epochNow(to!);
    const anchorEpoch = await to!.evaluate(() => performance.timeOrigin + performance.mark('tg-anchor').startTime);
    const warm = (await transferOnce(from!, to!, 10 * MiB, 256 * 1024)).ms;
    const end = await epochNow(to!);
    const profiles = await Promise.all(profilers.map(async (c) => (await c.send('Profiler.stop')).profile as unknown as CpuProfile));
    // Wait for the writes still behind, so the trace holds them all.
    await new Promise((r) => setTimeout(r, 1500));
    const events = trace ? await stopTrace(cdp) : [];
    warmAll.push(warm);
    // The receiver's measured window, from its User Timing marks (transfer-test.ts).
    const [wStart, wEnd] = (await to!.evaluate(() =>
      ['twingrain:transfer-test-start', 'twingrain:transfer-test-end'].map((n) => performance.timeOrigin + performance.getEntriesByName(n).at(-1)!.startTime),
    )) as [number, number];
    const imported = await from!.evaluate(() => performance.timeOrigin + performance.getEntriesByName('twingrain:transfer-test-imported').at(-1)!.startTime);
    const line = [
      `round ${i + 1}: new ${cold.toFixed(0)} ms, second ${warm.toFixed(0)} ms (call to return ${(end - t0).toFixed(0)}; sender's import done ${(imported - wStart).toFixed(0)} ms from the window's start)`,
    ];
    if (trace) {
      // Main-thread and browser-process busy time inside the window, per process (top-level tasks only).
      const names = new Map<string, string>();
      for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, String(e.args?.name));
      for (const e of events) if (e.ph === 'M' && e.name === 'process_name') names.set(`${e.pid}`, String(e.args?.name));
      // Top-level tasks only (RunTask events nest inside these and would count twice).
      const tasks = events.filter((e) => e.ph === 'X' && e.name === 'ThreadControllerImpl::RunTask' && e.dur !== undefined);
      // Trace clock → epoch, through a User Timing mark the receiver set just before the transfer.
      const mark = events.find((e) => e.name === 'tg-anchor');
      if (!mark) throw new Error('the anchor mark is not in the trace');
      const senderPid = events.find((e) => e.name === 'twingrain:transfer-test-imported')?.pid;
      const toEpoch = (ts: number): number => anchorEpoch + (ts - mark.ts) / 1000;
      const busy = new Map<string, number>();
      for (const e of tasks) {
        const s = toEpoch(e.ts);
        const f = s + e.dur! / 1000;
        const overlap = Math.min(f, wEnd) - Math.max(s, wStart);
        if (overlap <= 0) continue;
        const thread = names.get(`${e.pid}:${e.tid}`) ?? `tid ${e.tid}`;
        const proc = e.pid === mark.pid ? 'receiver' : e.pid === senderPid ? 'sender' : (names.get(`${e.pid}`) ?? `pid ${e.pid}`);
        const k = `${proc} ${e.pid} / ${thread}`;
        busy.set(k, (busy.get(k) ?? 0) + overlap);
      }
      for (const [k, v] of [...busy].sort((a, b) => b[1] - a[1]).slice(0, 12)) line.push(`    ${v.toFixed(0).padStart(5)} ms busy  ${k}`);
      const idb = new Map<string, { n: number; ms: number }>();
      for (const e of events)
        if (e.cat.includes('IndexedDB') && e.ph === 'X' && e.dur !== undefined) {
          const s = toEpoch(e.ts);
          if (s < wStart || s > wEnd) continue;
          const who = e.pid === mark.pid ? 'receiver' : e.pid === senderPid ? 'sender' : 'browser';
          const k = `${who} ${e.name}`;
          const v = idb.get(k) ?? { n: 0, ms: 0 };
          v.n++;
          v.ms += e.dur / 1000;
          idb.set(k, v);
        }
      for (const [k, v] of [...idb].sort((a, b) => b[1].ms - a[1].ms).slice(0, 8)) line.push(`    IndexedDB ${k}: ${v.n}×, ${v.ms.toFixed(0)} ms`);
    }
    for (const [k, prof] of profiles.entries())
      line.push(`  ${k === 0 ? 'sender' : 'receiver'} CPU profile (the whole call, import included):`, ...topFunctions(prof, 14).map((x) => `    ${x}`));
    console.log(line.join('\n'));
  }
  console.log(`second transfer median ${median(warmAll).toFixed(0)} ms over ${warmAll.length}: ${warmAll.map((x) => x.toFixed(0)).join(', ')}`);
  console.log(`load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`);
} finally {
  await browser.close();
  await bundle.close();
  await relay.stop();
  await rm(dir, { recursive: true, force: true });
  process.exit(0);
}
