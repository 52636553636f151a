// Creates (once) the saved chain states scale.ts measures: `nice -n 19 npx tsx scripts/bench/_scale-prepare.ts`.
// Sizes from TWINGRAIN_SCALE_SIZES (default 1000,10000,100000), files under TWINGRAIN_SCALE_STATE_DIR (default
// /tmp/twingrain-scale): creating 100,000 registrations takes minutes, measuring them again should not.
import '../../src/lib/node/polyfills';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startScaleChain } from './_scale-chain';

export const scaleStateDir = (): string => process.env.TWINGRAIN_SCALE_STATE_DIR ?? '/tmp/twingrain-scale';
export const scaleStatePath = (n: number): string => join(scaleStateDir(), `chain-${n}.json`);

if (import.meta.url === `file://${process.argv[1]}`) {
  mkdirSync(scaleStateDir(), { recursive: true });
  for (const n of (process.env.TWINGRAIN_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number)) {
    const chain = await startScaleChain({ registrations: n, statePath: scaleStatePath(n), log: (line) => process.stdout.write(`scale ${n}: ${line}\n`) });
    process.stdout.write(`scale ${n}: ready (created in ${chain.createSeconds.toFixed(0)} s)\n`);
    await chain.stop();
  }
  process.exit(0);
}
