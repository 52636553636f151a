import { describe, it, expect } from 'vitest';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startStack } from './stack';
import { freePort, PortError, assertPortFree, PORTS, portFromEnv } from './ports';
import { parseRuntimeConfig } from '../../src/lib/config';
import { createPublicClient, http } from 'viem';
import { consortiumAbi } from '../../src/lib/chain/abi.generated';
import { decodeTreeSnapshot } from '../../src/lib/chain/index';
import { jsonRpc } from '../../src/lib/node/json-rpc';

describe('embedded stack', () => {
  it('names the variable to set when a port is taken, and rejects a malformed port', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()));
    try {
      await expect(assertPortFree(PORTS.relay, port)).rejects.toThrow(/TWINGRAIN_RELAY_PORT/);
      const stateDir = await mkdtemp(join(tmpdir(), 'tg-stack-'));
      await expect(
        startStack({ stateDir, chainPort: await freePort(), relayPort: await freePort(), appPort: port, build: 'never', log: () => undefined }),
      ).rejects.toBeInstanceOf(PortError);
      await rm(stateDir, { recursive: true, force: true });
    } finally {
      blocker.close();
    }
    expect(() => portFromEnv(PORTS.app, { TWINGRAIN_APP_PORT: 'eighty' })).toThrow(/TWINGRAIN_APP_PORT=eighty/);
    expect(portFromEnv(PORTS.app, {})).toBe(5173);
  });

  it('starts chain, contracts, relay and app, serves the runtime config, stops, and starts again on the same ports', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'tg-stack-'));
    const ports = { chainPort: await freePort(), relayPort: await freePort(), appPort: await freePort() };
    const lines: string[] = [];
    try {
      for (let round = 0; round < 2; round++) {
        const stack = await startStack({ stateDir, ...ports, build: 'never', log: (l) => lines.push(l) });
        try {
          const served = parseRuntimeConfig(await (await fetch(`${stack.appUrl}/twingrain-config.json`)).json());
          expect(served.chain.rpcUrl).toBe(stack.rpcUrl);
          expect(Number(await jsonRpc(stack.rpcUrl, 'eth_chainId'))).toBe(served.chain.chainId);
          expect(Object.keys(served.chain.contracts)).toEqual(expect.arrayContaining(['Consortium', 'GranuleRegistry']));
          for (const address of Object.values(served.chain.contracts)) expect(await jsonRpc(stack.rpcUrl, 'eth_getCode', [address, 'latest'])).not.toBe('0x');
          expect(served.relay.multiaddrs[0]).toMatch(new RegExp(`/tcp/${ports.relayPort}/ws/p2p/12D3`));
          // A new browser starts its trees from the relay's snapshot, named in the runtime config.
          expect(served.trees?.snapshot).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/trees\/snapshot$/);
          const snapshot = decodeTreeSnapshot(new Uint8Array(await (await fetch(served.trees!.snapshot)).arrayBuffer()));
          expect(snapshot.registry).toBe(served.chain.contracts.GranuleRegistry!.toLowerCase());
          // The relay is the one listed key custodian, threshold 1.
          const client = createPublicClient({ transport: http(stack.rpcUrl) });
          const consortium = served.chain.contracts.Consortium!;
          const custodians = (await client.readContract({ address: consortium, abi: consortiumAbi, functionName: 'custodians' })) as readonly unknown[];
          expect(custodians).toHaveLength(1);
          expect(Number(await client.readContract({ address: consortium, abi: consortiumAbi, functionName: 'threshold' }))).toBe(1);
        } finally {
          await stack.stop();
        }
        // Everything is released: the same ports are free again.
        await assertPortFree(PORTS.chain, ports.chainPort);
        await assertPortFree(PORTS.relay, ports.relayPort);
        await assertPortFree(PORTS.app, ports.appPort);
      }
      expect(lines.filter((l) => l.startsWith('chain'))).toHaveLength(2);
      // The relay keeps its identity across restarts (same state directory).
      const relayLines = lines.filter((l) => l.startsWith('relay'));
      expect(relayLines[0]).toBe(relayLines[1]);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  }, 180_000);
});
