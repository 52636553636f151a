import { describe, it, expect } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diagnose } from './doctor';
import { startAnvil } from '../../lib/node/anvil';
import { freePort } from '../../../scripts/stack/ports';

describe('twingrain doctor', () => {
  it('says how to start the stack when none is running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-doctor-'));
    try {
      const checks = await diagnose(dir);
      expect(checks.find((c) => c.name === 'node')?.ok).toBe(true);
      const stack = checks.find((c) => c.name === 'stack');
      expect(stack?.ok).toBe(false);
      expect(stack?.fix).toMatch(/npm start/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('checks the chain for real and reports an unreachable relay with a fix', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-doctor-'));
    const anvil = await startAnvil({ port: await freePort() });
    try {
      const deadPort = await freePort();
      const config = {
        chain: {
          rpcUrl: anvil.rpcUrl,
          chainId: anvil.chainId,
          name: 't',
          development: true,
          contracts: { Missing: '0x00000000000000000000000000000000000000aa' },
          deployBlock: 0,
        },
        relay: { multiaddrs: [`/ip4/127.0.0.1/tcp/${deadPort}/ws/p2p/12D3KooWPzwZuk3HrdMQ4JpjTBduPV6sLTtedmPv9yBdkmGA4rtQ`], development: true },
        startedAt: new Date().toISOString(),
      };
      await writeFile(join(dir, 'runtime-config.json'), JSON.stringify(config));
      const checks = await diagnose(dir);
      const chain = checks.find((c) => c.name === 'chain')!;
      expect(chain.ok).toBe(false); // reachable, but the configured contract has no code: a restarted chain
      expect(chain.detail).toMatch(/no code at Missing/);
      const relay = checks.find((c) => c.name === 'relay')!;
      expect(relay.ok).toBe(false);
      expect(relay.fix).toBeTruthy();
    } finally {
      await anvil.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
