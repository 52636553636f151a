// `twingrain doctor`: checks what twingrain needs on this machine and says what to fix.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Command } from '../command';
import { parseFlags, printJson } from '../output';
import { PORTS, portFromEnv } from '../../../scripts/stack/ports';
import { parseRuntimeConfig, type RuntimeConfig } from '../../lib/config';
import { jsonRpc } from '../../lib/node/json-rpc';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => execFile(file, args, { timeout: 10_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout.trim()))));
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function diagnose(stateDir: string): Promise<Check[]> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  const nodeOk = major > 20 || (major === 20 && minor >= 19);
  checks.push({ name: 'node', ok: nodeOk, detail: `Node ${process.versions.node}`, ...(nodeOk ? {} : { fix: 'Install Node.js 20.19 or newer.' }) });

  const chromium = '/usr/bin/chromium';
  if (existsSync(chromium)) {
    const version = await run(chromium, ['--version']).catch(() => 'installed (version unknown)');
    checks.push({ name: 'chromium', ok: true, detail: version });
  } else {
    checks.push({
      name: 'chromium',
      ok: false,
      detail: 'not found at /usr/bin/chromium (needed by the end-to-end tests)',
      fix: 'sudo apt-get install -y chromium',
    });
  }

  let config: RuntimeConfig | null = null;
  try {
    config = parseRuntimeConfig(JSON.parse(await readFile(join(stateDir, 'runtime-config.json'), 'utf8')));
  } catch {
    config = null;
  }
  for (const spec of Object.values(PORTS)) {
    const port = portFromEnv(spec);
    const open = await tcpOpen('127.0.0.1', port);
    checks.push({ name: `port ${spec.variable}`, ok: true, detail: `${port} ${open ? 'in use (a running stack, or something else)' : 'free'}` });
  }

  if (!config) {
    checks.push({
      name: 'stack',
      ok: false,
      detail: `no running stack found (${join(stateDir, 'runtime-config.json')} missing)`,
      fix: 'Run "npm start" in another terminal.',
    });
    return checks;
  }
  try {
    const chainId = Number(await jsonRpc(config.chain.rpcUrl, 'eth_chainId', [], 3000));
    const height = Number(await jsonRpc(config.chain.rpcUrl, 'eth_blockNumber', [], 3000));
    const missing: string[] = [];
    for (const [name, address] of Object.entries(config.chain.contracts)) {
      const code = (await jsonRpc(config.chain.rpcUrl, 'eth_getCode', [address, 'latest'], 3000)) as string;
      if (!code || code === '0x') missing.push(name);
    }
    const ok = chainId === config.chain.chainId && missing.length === 0;
    checks.push({
      name: 'chain',
      ok,
      detail: `${config.chain.rpcUrl} chain id ${chainId}, block ${height}${missing.length ? `; no code at ${missing.join(', ')}` : ''}`,
      ...(ok ? {} : { fix: 'The chain was restarted or is another chain: restart "npm start" to redeploy.' }),
    });
  } catch (error) {
    checks.push({
      name: 'chain',
      ok: false,
      detail: `${config.chain.rpcUrl} unreachable (${(error as Error).message})`,
      fix: 'Start the stack with "npm start", or point --rpc at a running node.',
    });
  }
  const relay = config.relay.multiaddrs[0];
  const match = relay?.match(/\/ip4\/([^/]+)\/tcp\/(\d+)/);
  if (!relay || !match) {
    checks.push({ name: 'relay', ok: false, detail: 'no relay address in the configuration', fix: 'Restart "npm start".' });
  } else {
    const ok = await tcpOpen(match[1]!, Number(match[2]));
    checks.push({
      name: 'relay',
      ok,
      detail: `${relay} ${ok ? 'reachable' : 'unreachable'}`,
      ...(ok ? {} : { fix: 'Start the stack with "npm start" or run "twingrain relay".' }),
    });
  }
  return checks;
}

export const command: Command = {
  summary: 'check Node, Chromium, ports, chain and relay, and say what to fix',
  usage: 'twingrain doctor [--json] [--state-dir <dir>]',
  async run(argv) {
    const { values: flags } = parseFlags(argv, { json: { type: 'boolean' }, 'state-dir': { type: 'string' } });
    const stateDir = flags['state-dir'] ?? join(process.cwd(), '.twingrain');
    const checks = await diagnose(stateDir);
    const ok = checks.every((c) => c.ok);
    if (flags['json']) printJson({ ok, checks });
    else {
      for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name.padEnd(26)} ${c.detail}${c.fix ? `\n     fix: ${c.fix}` : ''}\n`);
      process.stdout.write(ok ? 'everything twingrain needs is in place\n' : 'some checks failed: see the fixes above\n');
    }
    return ok ? 0 : 1;
  },
};
