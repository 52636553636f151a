import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLibp2p } from 'libp2p';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { webSockets } from '@libp2p/websockets';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { multiaddr } from '@multiformats/multiaddr';
import '../src/lib/p2p/websocket-global.node.ts';
import { startRelay, type RunningRelay } from './relay';
import { RelayStartError } from './errors';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

describe('startRelay', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('listens on ws, answers ping and keeps its peer id across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tg-relay-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    let relay: RunningRelay = await startRelay({ port, dataDir, development: true });
    expect(relay.multiaddrs.some((m) => m.includes(`/tcp/${port}/ws/p2p/${relay.peerId}`))).toBe(true);
    const firstId = relay.peerId;

    const client = await createLibp2p({
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { identify: identify(), ping: ping() },
    });
    cleanups.push(async () => client.stop());
    // ping() rejects unless the relay echoes the 32 random bytes it is sent; the answer must come from the relay's id.
    await client.services.ping.ping(multiaddr(relay.multiaddrs[0]!));
    expect(client.getConnections().map((c) => c.remotePeer.toString())).toEqual([relay.peerId]);
    // Identify runs beside the ping: on a busy machine it may finish after it.
    const protocols = () => client.peerStore.get(client.getConnections()[0]!.remotePeer).then((p) => p.protocols);
    await expect.poll(protocols, { timeout: 10_000 }).toContain('/libp2p/circuit/relay/0.2.0/hop');
    expect(await protocols()).toContain('/ipfs/ping/1.0.0');

    await relay.stop();
    relay = await startRelay({ port, dataDir, development: true });
    cleanups.push(() => relay.stop());
    expect(relay.peerId).toBe(firstId);
  });

  it('names the port when it is in use', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tg-relay-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const blocker = createServer();
    const port = await new Promise<number>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)));
    cleanups.push(() => new Promise((r) => blocker.close(r)));
    const error = await startRelay({ port, dataDir, development: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelayStartError);
    expect((error as Error).message).toContain(String(port));
  });
});
