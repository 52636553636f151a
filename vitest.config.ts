import { defineConfig } from 'vitest/config';

// Unit and integration tests run in Node; browser behaviour is covered by Playwright under tests/e2e.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'relay/**/*.test.ts', 'scripts/**/*.test.ts', 'contracts/**/*.test.ts', 'circuits/**/*.test.ts', 'static-twins/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['src/lib/node/polyfills.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
