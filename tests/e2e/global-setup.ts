// The e2e suite drives the built app: build it once if dist/ is missing (npm test builds it just before).
import { existsSync } from 'node:fs';
import { build } from 'vite';

export default async function globalSetup(): Promise<void> {
  if (!existsSync('dist/index.html')) await build({ logLevel: 'warn' });
}
