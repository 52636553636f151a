// A real local EVM node: anvil's binary ships inside its npm platform package, so nothing is downloaded at run time.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import { jsonRpc } from './json-rpc';
import { namedError } from '../errors/index';

class AnvilError extends namedError('AnvilError', Error) {}

export interface StartAnvilParameters {
  port: number;
  host?: string;
  chainId?: number;
  /** Extra flags, e.g. ['--no-mining'] for a benchmark's own block producer. */
  args?: string[];
  /** How long to wait for the RPC to answer. */
  timeoutMs?: number;
}

export interface RunningAnvil {
  rpcUrl: string;
  chainId: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** anvil's well-known development accounts (mnemonic "test test … junk"): public, for the local chain only. */
export const ANVIL_ACCOUNTS = [
  { address: '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266', privateKey: '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80' },
  { address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', privateKey: '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' },
  { address: '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC', privateKey: '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a' },
  { address: '0x90F79bf6EB2c4f870365E785982E1f101E93b906', privateKey: '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6' },
  { address: '0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65', privateKey: '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a' },
] as const satisfies readonly { address: `0x${string}`; privateKey: `0x${string}` }[];

export function anvilBinary(): string {
  const require = createRequire(import.meta.url);
  const platformPackage = `@foundry-rs/anvil-${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch === 'x64' ? 'amd64' : process.arch}`;
  let dir: string;
  try {
    dir = dirname(require.resolve(`${platformPackage}/package.json`));
  } catch {
    throw new AnvilError(`anvil is not installed for this platform (${platformPackage}). Run "npm install".`);
  }
  const binary = join(dir, 'bin', process.platform === 'win32' ? 'anvil.exe' : 'anvil');
  if (!existsSync(binary)) throw new AnvilError(`The anvil binary is missing at ${binary}. Run "npm install" again.`);
  return binary;
}

export async function startAnvil(p: StartAnvilParameters): Promise<RunningAnvil> {
  const host = p.host ?? '127.0.0.1';
  const chainId = p.chainId ?? 31337;
  const child = spawn(anvilBinary(), ['--host', host, '--port', String(p.port), '--chain-id', String(chainId), '--silent', ...(p.args ?? [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const rpcUrl = `http://${host}:${p.port}`;
  const deadline = Date.now() + (p.timeoutMs ?? 20_000);
  for (;;) {
    const early = await Promise.race([exited, new Promise<'waiting'>((r) => setTimeout(() => r('waiting'), 100))]);
    if (early !== 'waiting') throw new AnvilError(`anvil exited before it was ready (code ${early}): ${stderr.trim() || 'no output'}`);
    try {
      const id = await jsonRpc(rpcUrl, 'eth_chainId');
      if (Number(id) === chainId) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new AnvilError(`anvil did not answer on ${rpcUrl} within ${p.timeoutMs ?? 20_000} ms.`);
    }
  }
  return {
    rpcUrl,
    chainId,
    process: child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
