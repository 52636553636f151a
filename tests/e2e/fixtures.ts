// The embedded stack for end-to-end tests: started once per Playwright worker on free ports with its own state
// directory, so it never collides with a developer's running `npm start`, and stopped when the worker ends.
import { test as base, expect, type Page } from '@playwright/test';
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

export const test = base.extend<{ page: Page }, { stack: StackFixture; runningStack: RunningStack }>({
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
