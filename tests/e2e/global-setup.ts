// The e2e suite drives the built app: build it once if it is missing (npm test builds it just before). TWINGRAIN_DIST
// names another output folder, so engineers sharing one tree do not rebuild each other's app mid-run.
import { existsSync } from 'node:fs';
import { build } from 'vite';

export default async function globalSetup(): Promise<void> {
  const outDir = process.env.TWINGRAIN_DIST ?? 'dist';
  if (!existsSync(`${outDir}/index.html`)) await build({ logLevel: 'warn', build: { outDir } });
}
