// Ports of the embedded stack: each from an environment variable with a default, checked before anything starts.
import { createServer } from 'node:net';
import { namedError } from '../errors/index';

export interface PortSpec {
  name: string;
  variable: string;
  fallback: number;
}

export const PORTS = {
  chain: { name: 'chain (anvil)', variable: 'TWINGRAIN_CHAIN_PORT', fallback: 8545 },
  relay: { name: 'relay', variable: 'TWINGRAIN_RELAY_PORT', fallback: 9090 },
  app: { name: 'app', variable: 'TWINGRAIN_APP_PORT', fallback: 5173 },
  /** Default: the relay's port + 1 when free (scripts/stack/stack.ts). */
  pins: { name: 'pinning API', variable: 'TWINGRAIN_PINS_PORT', fallback: 9091 },
} as const satisfies Record<string, PortSpec>;

export class PortError extends namedError('PortError', Error) {}

export function portFromEnv(spec: PortSpec, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env[spec.variable];
  if (raw === undefined || raw === '') return spec.fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new PortError(`${spec.variable}=${raw} is not a port number (1–65535).`);
  return port;
}

/** Resolves if the port can be bound on host, else throws an error naming the variable to change. */
export async function assertPortFree(spec: PortSpec, port: number, host = '127.0.0.1'): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortError(`Port ${port} for the ${spec.name} is already in use. Stop whatever uses it, or set ${spec.variable} to a free port.`)
          : new PortError(`Cannot listen on ${host}:${port} for the ${spec.name}: ${error.message}. Set ${spec.variable} to another port.`),
      );
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/** A port the OS says is free right now (for tests that run their own stack). */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
