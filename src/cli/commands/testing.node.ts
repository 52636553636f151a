// What the CLI's end-to-end tests share: a real anvil with the contracts deployed and its deployment.json in a
// state folder (TWINGRAIN_STATE_DIR), and commands run in this process with their one JSON line captured.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, vi } from 'vitest';
import { startAnvil, type AnvilInstance } from '../../lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../../lib/chain/deploy.node.ts';
import { terminateProver } from '../../lib/zk/index';
import { commands } from './index';

const execFileAsync = promisify(execFile);

/** Registers hooks that start anvil, deploy, write deployment.json into a fresh state folder and point the CLI at it. */
export function deployedChain(prefix: string): { dir: string; anvil: () => AnvilInstance } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let anvil: AnvilInstance | undefined;
  beforeAll(async () => {
    anvil = await startAnvil();
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
    writeFileSync(join(dir, 'deployment.json'), JSON.stringify({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, name: 'test', development: true, ...deployed }));
    process.env.TWINGRAIN_STATE_DIR = dir;
  });
  afterAll(async () => {
    delete process.env.TWINGRAIN_STATE_DIR;
    await anvil?.stop();
    await terminateProver();
  });
  return { dir, anvil: () => anvil! };
}

/** Runs `twingrain <verb> …` in this process; it must print exactly one JSON line. */
export async function runCommand(...argv: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
  const [verb, ...rest] = argv;
  const command = await commands[verb!]!();
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  let code: number;
  try {
    code = await command.run(rest);
  } finally {
    spy.mockRestore();
  }
  expect(lines).toHaveLength(1);
  return { code, out: JSON.parse(lines[0]!) as Record<string, unknown> };
}

/** `twingrain <verb> …` that must succeed: its JSON. */
export async function cli(...argv: string[]): Promise<Record<string, unknown>> {
  const { code, out } = await runCommand(...argv);
  expect(code).toBe(0);
  return out;
}

/** `twingrain <verb> …` that must fail: its one-line message. */
export async function refusal(...argv: string[]): Promise<string> {
  const [verb, ...rest] = argv;
  const error = await (await commands[verb!]!()).run(rest).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  expect(error).toBeInstanceOf(Error);
  return error!.message;
}

/** The real CLI (bin/twingrain.js) in a child process, in `cwd`: its exit code and output, failures included. */
export function binCli(cwd: string): (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }> {
  const bin = resolve('bin/twingrain.js');
  return async (...args) => {
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [bin, ...args], { cwd });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };
}
