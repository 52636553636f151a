// The four zero-knowledge commands end to end against a real anvil with the contracts deployed: output shapes,
// the development-chain funding and enrolment, an encrypted identity, and one-line refusals.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startAnvil, type AnvilInstance } from '../../lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../../lib/chain/deploy.node.ts';
import { packGranule } from '../../lib/granule/index';
import { sampleFiles } from '../../lib/granule/test-fixture';
import { terminateProver } from '../../lib/zk/index';
import { commands } from './index';

let anvil: AnvilInstance;
const dir = mkdtempSync(join(tmpdir(), 'twingrain-zk-cli-'));

async function cli(...argv: string[]): Promise<Record<string, unknown>> {
  const [verb, ...rest] = argv;
  const command = await commands[verb!]!();
  const lines: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    expect(await command.run(rest)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

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

describe('twingrain identity/register/authorize/instantiate', () => {
  it('shares a granule from one identity to another', async () => {
    const owner = join(dir, 'owner.json');
    const user = join(dir, 'user.json');
    const a = await cli('identity', 'new', '--out', owner);
    expect(a.pk).toMatch(/^0x[0-9a-f]{64}$/);
    const b = await cli('identity', 'new', '--out', user, '--passphrase', 'a long passphrase');
    await expect((await commands.identity!()).run(['new', '--out', owner])).rejects.toThrow(/already exists/);

    const { bytes, alphaHex } = packGranule({ files: sampleFiles() });
    const granule = join(dir, 'g.tgr');
    writeFileSync(granule, bytes);

    // This chain lists no key custodians: publishing would make a key nobody could ever release, so register
    // refuses and points at --manifest-cid (a manifest published elsewhere), which registers without the p2p step.
    await expect((await commands.register!()).run([granule, '--identity', owner])).rejects.toThrow(/lists no key custodians.*--manifest-cid/);
    const manifestCid = CID.createV1(raw.code, await sha256.digest(bytes)).toString();
    const reg = await cli('register', granule, '--identity', owner, '--manifest-cid', manifestCid);
    expect(Object.keys(reg).sort()).toEqual(['alpha', 'leafIndex', 'root', 'txHash']);
    expect(reg.alpha).toBe(alphaHex);
    await expect((await commands.register!()).run([granule, '--identity', owner, '--manifest-cid', manifestCid])).rejects.toThrow(/already registered/);

    const auth = await cli('authorize', alphaHex, '--to', String(b.pk), '--identity', owner);
    expect(Object.keys(auth).sort()).toEqual(['alpha', 'expiresAt', 'leafIndex', 'price', 'record', 'root', 'txHash']);
    expect([auth.expiresAt, auth.price]).toEqual([null, '0']);
    expect(auth.record).toMatch(/^twingrain:authorization\//);

    await expect((await commands.instantiate!()).run([String(auth.record), '--identity', user])).rejects.toThrow(/encrypted/);
    const inst = await cli('instantiate', String(auth.record), '--identity', user, '--passphrase', 'a long passphrase');
    expect(inst).toEqual({ alpha: alphaHex, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    await expect((await commands.instantiate!()).run([String(auth.record), '--identity', user, '--passphrase', 'a long passphrase'])).rejects.toThrow(
      /already instantiated/,
    );
  });
});
