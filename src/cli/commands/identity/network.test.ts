// The small pieces register and fetch share to find their relays: repeated flags and the runtime config file.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRuntimeConfig, runtimeConfigPath, takeRepeated } from './network';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-cli-network-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('takeRepeated', () => {
  it('collects every occurrence in both spellings and keeps the rest in order', () => {
    const { values, rest } = takeRepeated(['g.tgr', '--relay', '/ip4/1', '--identity', 'me.json', '--relay=/ip4/2', '--timeout', '3'], 'relay');
    expect(values).toEqual(['/ip4/1', '/ip4/2']);
    expect(rest).toEqual(['g.tgr', '--identity', 'me.json', '--timeout', '3']);
  });

  it('refuses a flag without its value', () => {
    expect(() => takeRepeated(['--relay'], 'relay')).toThrow(/--relay needs a value/);
    expect(() => takeRepeated(['--relay', '--identity', 'x'], 'relay')).toThrow(/--relay needs a value/);
  });
});

describe('runtime config', () => {
  it('is --config, else next to the deployment in TWINGRAIN_STATE_DIR, else .twingrain/', () => {
    expect(runtimeConfigPath({ config: 'x/y.json' })).toBe(resolve('x/y.json'));
    const saved = process.env.TWINGRAIN_STATE_DIR;
    try {
      process.env.TWINGRAIN_STATE_DIR = dir;
      expect(runtimeConfigPath({})).toBe(join(dir, 'runtime-config.json'));
      delete process.env.TWINGRAIN_STATE_DIR;
      expect(runtimeConfigPath({})).toBe(resolve('.twingrain/runtime-config.json'));
    } finally {
      if (saved === undefined) delete process.env.TWINGRAIN_STATE_DIR;
      else process.env.TWINGRAIN_STATE_DIR = saved;
    }
  });

  it('reads a valid file, reports a missing one as absent and a broken one as an error', async () => {
    const good = join(dir, 'good.json');
    const config = {
      chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, name: 't', development: true, contracts: {}, deployBlock: 0 },
      relay: { multiaddrs: ['/ip4/127.0.0.1/tcp/9090/ws/p2p/12D3KooWRBhwfeP2Y9CDkFRBAZ1pmxUadH36TKuk3KtKm5XXP8mA'], development: true },
      startedAt: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(good, JSON.stringify(config));
    expect((await readRuntimeConfig(good))?.relay.multiaddrs).toEqual(config.relay.multiaddrs);
    expect(await readRuntimeConfig(join(dir, 'missing.json'))).toBeUndefined();
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{ not json');
    await expect(readRuntimeConfig(broken)).rejects.toThrow(/is not JSON/);
  });
});
