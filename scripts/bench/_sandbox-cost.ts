// The cost of granule isolation in Node: start-up per context, one request's round trip, and resident memory per
// context, for a given sandbox factory. Used by granule.ts; run directly (tsx scripts/bench/_sandbox-cost.ts) it
// prints JSON, e.g. to record another sandbox as the baseline.
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTwinDir } from '../../src/lib/twin/source.node.ts';
import { TwinRuntime, packTwin } from '../../src/lib/twin/index';
import type { SandboxFactory } from '../../src/lib/twin/sandbox-protocol';
import { summarize } from './report';

const here = dirname(fileURLToPath(import.meta.url));

export interface SandboxCost {
  contexts: number;
  startPerContextMs: { median: number; p95: number; n: number };
  requestMs: { median: number; p95: number; n: number };
  rssPerContextMiB: { median: number; n: number };
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureSandboxCost(factory: SandboxFactory, rounds = 5, requests = 200): Promise<SandboxCost> {
  const granules = packTwin(await loadTwinDir(join(resolve(here, '../../static-twins'), 'jgaurora-z-603s')));
  const start: number[] = [];
  const req: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < rounds; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await settle(200);
    const rss0 = process.memoryUsage().rss;
    const runtime = new TwinRuntime({ sandboxFactory: factory });
    const t0 = performance.now();
    await runtime.start(granules);
    start.push((performance.now() - t0) / granules.length);
    if (runtime.state().some((s) => s.status !== 'running')) throw new Error('a reference granule failed to start: ' + JSON.stringify(runtime.state()));
    for (let k = 0; k < requests; k++) {
      const r0 = performance.now();
      await runtime.request('mechanical', 'spec');
      req.push(performance.now() - r0);
    }
    await settle(300);
    rss.push((process.memoryUsage().rss - rss0) / 2 ** 20 / granules.length);
    runtime.stop();
    await settle(300);
  }
  return sandboxCost(granules.length, start, req, rss);
}

/** The report of one sandbox measurement (Node here, Chromium in _browser-sandbox-cost.ts). */
export function sandboxCost(contexts: number, start: number[], req: number[], rss: number[]): SandboxCost {
  const s = summarize(start);
  const r = summarize(req);
  const m = summarize(rss);
  return {
    contexts,
    startPerContextMs: { median: s.median, p95: s.p95, n: s.n },
    requestMs: { median: r.median, p95: r.p95, n: r.n },
    rssPerContextMiB: { median: m.median, n: m.n },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const { nodeSandboxFactory } = await import('../../src/lib/twin/sandbox.node.ts');
  console.log(JSON.stringify(await measureSandboxCost(nodeSandboxFactory()), null, 2));
  process.exit(0);
}
