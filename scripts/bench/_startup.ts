// Page load → relay connected on the built app, as a visitor meets it: the app served by the stack's own server
// (scripts/stack/serve.ts: its cache headers and Content-Security-Policy), a real relay, headless Chromium. A first
// visit is a new browser profile; a returning one reloads in the same profile (HTTP cache, V8 code cache, stored peer
// id, cached relay address), after the first visit's service worker has installed. The clock runs from navigation start; the Network page shows the figure the shell's
// peer recorded. The `twingrain:` User Timing marks the app sets say where the time goes.
import type { AddressInfo } from 'node:net';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM_ARGS } from '../../playwright.config';
import { serveApp } from '../stack/serve';
import { freePort } from '../../src/lib/chain/testing/anvil.node.ts';
import type { RuntimeConfig } from '../../src/lib/config/index';

interface StartupRuns {
  firstVisit: number[];
  returning: number[];
  /** Step name → ms from navigation start, one entry per visit. */
  firstSteps: Map<string, number[]>;
  returningSteps: Map<string, number[]>;
}

export async function measureAppStartup(p: { dist: string; relay: { multiaddrs: string[]; development: boolean }; visits: number }): Promise<StartupRuns> {
  const config: RuntimeConfig = {
    chain: { rpcUrl: 'http://127.0.0.1:1', chainId: 31337, name: 'bench', development: true, contracts: {}, deployBlock: 0 },
    relay: p.relay,
    startedAt: new Date().toISOString(),
  };
  const app = await serveApp({ root: p.dist, host: '127.0.0.1', port: await freePort(), config: () => config });
  const appUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const out: StartupRuns = { firstVisit: [], returning: [], firstSteps: new Map(), returningSteps: new Map() };
  const measure = async (page: Page, steps?: Map<string, number[]>): Promise<number> => {
    await page.goto(`${appUrl}/#/twins`);
    await page.evaluate(() => (location.hash = '#/network'));
    const ms = Number(await page.getByTestId('relay-page-load-ms').textContent({ timeout: 30_000 }));
    if (steps) {
      const at = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
        const res = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const marks: Array<[string, number]> = [];
        if (nav) marks.push(['HTML received', nav.responseEnd], ['DOMContentLoaded (entry script ran)', nav.domContentLoadedEventEnd]);
        // What the visitor sees first: the shell's start-up must not be bought with a later page.
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        if (fcp) marks.push(['first contentful paint', fcp.startTime]);
        for (const m of performance.getEntriesByType('mark')) if (m.name.startsWith('twingrain:')) marks.push([m.name.slice(10), m.startTime]);
        // The first page's own content in the DOM (not the shell's "Loading …" line): set by the init script below.
        const shown = (globalThis as unknown as { __tgPageShown?: number }).__tgPageShown;
        if (shown !== undefined) marks.push(['page content shown', shown]);
        const chunk = res.find((r) => /\/node\.browser-[^/]*\.js$/.test(r.name));
        if (chunk) marks.push(['p2p chunk downloaded', chunk.responseEnd]);
        return marks;
      });
      for (const [name, t] of [...at, ['relay connected', ms] as [string, number]]) steps.set(name, [...(steps.get(name) ?? []), t]);
    }
    return ms;
  };
  try {
    for (let i = 0; i <= p.visits; i++) {
      const context = await browser.newContext();
      // When the first page's content (anything in <main> but the shell's "Loading …" line) is in the DOM: the
      // relay must not be reached by holding back what the visitor came for.
      // As a string: tsx wraps named functions in a helper the page does not have.
      await context.addInitScript({
        content: `{
          const observer = new MutationObserver(() => {
            if (!document.querySelector('main > :not(.loading)')) return;
            globalThis.__tgPageShown = performance.now();
            observer.disconnect();
          });
          observer.observe(document, { childList: true, subtree: true });
        }`,
      });
      const page = await context.newPage();
      // The first load also warms the browser process; the rest are the ones reported.
      const first = await measure(page, i > 0 ? out.firstSteps : undefined);
      if (i > 0) {
        out.firstVisit.push(first);
        // A returning visitor comes back once the first visit's service worker is installed (it precaches the app,
        // several MB): measured while it still installs, a returning visit shared the machine with it, and the sooner
        // the first visit was done the more it did.
        await page.evaluate(() => navigator.serviceWorker?.ready.then(() => undefined)).catch(() => undefined);
        // A returning visitor: the same profile, a new page load.
        await page.goto('about:blank');
        const cdp = process.env.PROFILE === '1' && i === p.visits ? await context.newCDPSession(page) : undefined;
        if (cdp) {
          await cdp.send('Profiler.enable');
          await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
          await cdp.send('Profiler.start');
        }
        out.returning.push(await measure(page, out.returningSteps));
        if (cdp) printProfile((await cdp.send('Profiler.stop')).profile);
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await app.stop();
  }
  return out;
}

type CpuProfile = {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples?: number[];
  timeDeltas?: number[];
};
/** PROFILE=1: the last returning visit's CPU time by function (self time), heaviest first. */
function printProfile(p: CpuProfile): void {
  const dt = new Map<number, number>();
  for (let j = 0; j < p.samples!.length; j++) dt.set(p.samples![j]!, (dt.get(p.samples![j]!) ?? 0) + p.timeDeltas![j]! / 1000);
  const byFn = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const name = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}`;
    byFn.set(name, (byFn.get(name) ?? 0) + (dt.get(n.id) ?? 0));
  }
  for (const [name, ms] of [...byFn].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`  ${ms.toFixed(0).padStart(6)} ms  ${name}`);
}
