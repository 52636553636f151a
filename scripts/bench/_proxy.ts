// A byte-counting TCP proxy: put it in front of a server (anvil's RPC, the relay's WebSocket port) and every byte
// clients send to the server (inbound, from the server's point of view) and receive from it (outbound) is counted.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CountingProxy {
  port: number;
  /** Bytes clients sent to the server. */
  readonly inbound: number;
  /** Bytes the server sent to clients. */
  readonly outbound: number;
  close(): Promise<void>;
}

export async function startCountingProxy(targetPort: number, targetHost = '127.0.0.1'): Promise<CountingProxy> {
  let inbound = 0;
  let outbound = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    client.on('data', (chunk: Buffer) => {
      inbound += chunk.length;
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on('drain', () => client.resume());
    upstream.on('data', (chunk: Buffer) => {
      outbound += chunk.length;
      if (!client.write(chunk)) upstream.pause();
    });
    client.on('drain', () => upstream.resume());
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get inbound() {
      return inbound;
    },
    get outbound() {
      return outbound;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A TCP port nobody listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
