import { defineConfig } from 'vitest/config';

// The test bed of real hosts (network namespaces, root only): one file, one bed, scenarios in order.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['tests/hosts/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/lib/node/polyfills.ts'],
    testTimeout: 180_000,
    hookTimeout: 240_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
