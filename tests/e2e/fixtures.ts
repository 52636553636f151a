// The embedded stack for end-to-end tests: started once per Playwright worker on free ports with its own state
// directory, so it never collides with a developer's running `npm start`, and stopped when the worker ends.
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack, type RunningStack } from '../../scripts/stack/stack';
import { freePort } from '../../scripts/stack/ports';
import type { RuntimeConfig } from '../../src/lib/config';

export interface StackFixture {
  appUrl: string;
  rpcUrl: string;
  relayMultiaddr: string;
  config: RuntimeConfig;
  stateDir: string;
}

/**
 * What every page of a test did, printed only when the test fails: a failure in CI leaves no trace files behind, and a
 * wait that times out says only what it waited for. Pages of contexts the test opens itself are followed too, and
 * each page's main text is kept when its context closes (a test's `finally` closes them before this can look).
 */
async function watchPages(browser: Browser, context: BrowserContext, run: () => Promise<void>): Promise<string[]> {
  const log: string[] = [];
  const start = Date.now();
  let count = 0;
  const stamp = () => `${((Date.now() - start) / 1000).toFixed(1)} s`;
  const watch = (page: Page) => {
    const name = `page ${++count}`;
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') log.push(`${stamp()} ${name} console.${m.type()}: ${m.text().slice(0, 400)}`);
    });
    page.on('pageerror', (e) => log.push(`${stamp()} ${name} uncaught: ${e.message.slice(0, 400)}`));
    page.on('crash', () => log.push(`${stamp()} ${name} CRASHED`));
    page.on('close', () => log.push(`${stamp()} ${name} closed`));
    page.on('framenavigated', (f) => {
      if (f === page.mainFrame()) log.push(`${stamp()} ${name} at ${f.url()}`);
    });
  };
  const follow = (c: BrowserContext) => {
    c.pages().forEach(watch);
    c.on('page', watch);
    const close = c.close.bind(c);
    c.close = async (...args: Parameters<BrowserContext['close']>) => {
      for (const [i, page] of c.pages().entries()) {
        const text = await page
          .locator('main')
          .textContent({ timeout: 2_000 })
          .then((t) => t ?? '')
          .catch((e: Error) => `(no answer: ${e.message.split('\n')[0]})`);
        log.push(`${stamp()} a context closes; its page ${i + 1} (${page.url()}) shows: ${text.replace(/\s+/g, ' ').slice(0, 600)}`);
      }
      return close(...args);
    };
  };
  follow(context);
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (...args: Parameters<Browser['newContext']>) => {
    const c = await newContext(...args);
    follow(c);
    return c;
  };
  try {
    await run();
  } finally {
    browser.newContext = newContext;
  }
  return log;
}

export const test = base.extend<{ page: Page; pageLog: undefined }, { stack: StackFixture; runningStack: RunningStack }>({
  pageLog: [
    async ({ browser, context }, use, testInfo) => {
      const log = await watchPages(browser, context, () => use(undefined));
      if (testInfo.status !== testInfo.expectedStatus) {
        for (const page of context.pages()) {
          const text = await page
            .locator('main')
            .textContent({ timeout: 2_000 })
            .then((t) => t ?? '')
            .catch(() => '(no answer)');
          log.push(`at the end, ${page.url()} shows: ${text.replace(/\s+/g, ' ').slice(0, 600)}`);
        }
        process.stderr.write(`\n--- what the pages did in "${testInfo.title}" ---\n${log.join('\n')}\n---\n`);
      }
    },
    { auto: true },
  ],
  runningStack: [
    async ({}, use) => {
      const stateDir = await mkdtemp(join(tmpdir(), 'twingrain-e2e-'));
      const stack = await startStack({
        stateDir,
        chainPort: await freePort(),
        relayPort: await freePort(),
        appPort: await freePort(),
        build: 'never',
        log: () => undefined,
      });
      await use(stack);
      await stack.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  stack: [
    async ({ runningStack }, use) => {
      await use({
        appUrl: runningStack.appUrl,
        rpcUrl: runningStack.rpcUrl,
        relayMultiaddr: runningStack.relayMultiaddrs[0] ?? '',
        config: runningStack.config,
        stateDir: runningStack.stateDir,
      });
    },
    { scope: 'worker' },
  ],
  page: async ({ page, stack }, use) => {
    await page.goto(stack.appUrl);
    await use(page);
  },
});

export { expect };
