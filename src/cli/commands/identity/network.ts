// What register and fetch share on the peer-to-peer side: the runtime config (which relays), a repeatable --relay
// override, and a Node peer attached to those relays (in memory, or keeping its blocks where register prepares a
// publication).
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CliUsageError } from '../../command';
import { parseRuntimeConfig, type RuntimeConfig } from '../../../lib/config/index';
import type { NodeRelayConfig, TwingrainNode } from '../../../lib/p2p/index';

/** Pulls every `--name <value>` / `--name=<value>` out of argv (parseArgs keeps only the last of a flag). */
export function takeRepeated(argv: string[], name: string): { values: string[]; rest: string[] } {
  const values: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === `--${name}`) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new CliUsageError(`--${name} needs a value`);
      values.push(value);
    } else if (arg.startsWith(`--${name}=`)) {
      values.push(arg.slice(name.length + 3));
    } else {
      rest.push(arg);
    }
  }
  return { values, rest };
}

/** `--config`, or the runtime config the embedded stack writes next to its deployment. */
export function runtimeConfigPath(flags: Record<string, string | boolean>): string {
  if (typeof flags.config === 'string') return resolve(flags.config);
  return join(resolve(process.env.TWINGRAIN_STATE_DIR ?? '.twingrain'), 'runtime-config.json');
}

/** The runtime config at `path`; undefined when the file does not exist (a malformed file is an error). */
export async function readRuntimeConfig(path: string): Promise<RuntimeConfig | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CliUsageError(`Cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliUsageError(`${path} is not JSON: pass the runtime-config.json that "npm start" writes.`);
  }
  return parseRuntimeConfig(json);
}

/**
 * Where `register` keeps a granule it prepared (encrypted shards, public manifest), one folder per α: a run that
 * stops after registering is finished by the next run from these very blocks, since the chain records their CID.
 */
export function publicationDir(alphaHex: string): string {
  return join(resolve(process.env.TWINGRAIN_STATE_DIR ?? '.twingrain'), 'publications', alphaHex);
}

/** Starts a Node peer on the relays (in memory, or with its blocks under dataDir) and waits for the first relay connection. */
export async function startPeer(relay: NodeRelayConfig, options: { dataDir?: string } = {}): Promise<TwingrainNode> {
  await import('../../../lib/p2p/websocket-global.node.ts');
  const { createNodeNode } = await import('../../../lib/p2p/node.node.ts');
  const node = await createNodeNode(relay, options);
  try {
    await node.supervisor.relayConnected();
  } catch (error) {
    await node.stop();
    throw error;
  }
  return node;
}
