// `twingrain deploy` refuses bad input in one sentence before it touches any chain (its deployment itself runs on the
// test bed of real hosts: tests/hosts/hosts.test.ts deploys from one host to a chain on another).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { command, parseCustodian } from './deploy';

let dir: string;
const KEY = `${'ab'.repeat(32)}`;
const CUSTODIAN = `${'cd'.repeat(32)}@0x${'12'.repeat(20)}`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-deploy-'));
  await writeFile(join(dir, 'good.key'), `0x${KEY}\n`);
  await writeFile(join(dir, 'bad.key'), 'not a key\n');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const refusal = (...argv: string[]): Promise<string> =>
  command.run(argv).then(
    () => 'ran',
    (e: Error) => e.message,
  );

describe('twingrain deploy', () => {
  it('reads <x25519 key>@<address> custodians', () => {
    expect(parseCustodian(CUSTODIAN)).toEqual({ x25519PublicKey: `0x${'cd'.repeat(32)}`, account: `0x${'12'.repeat(20)}` });
    expect(() => parseCustodian(`${'cd'.repeat(31)}@0x${'12'.repeat(20)}`)).toThrow(/is not <x25519 key>@<address>/);
    expect(() => parseCustodian(`${'cd'.repeat(32)}`)).toThrow(/is not <x25519 key>@<address>/);
  });

  it('refuses missing or bad flags, keys and thresholds before reaching any chain', async () => {
    const key = join(dir, 'good.key');
    // An address nothing listens on: every refusal below must come before the chain is asked.
    const rpc = 'http://127.0.0.1:9';
    expect(await refusal('--key-file', key)).toMatch(/--rpc <url> is required/);
    expect(await refusal('--rpc', rpc)).toMatch(/--key-file <file> is required/);
    expect(await refusal('--rpc', rpc, '--key-file', join(dir, 'missing.key'))).toMatch(/Cannot read the key file .*ENOENT/);
    expect(await refusal('--rpc', rpc, '--key-file', join(dir, 'bad.key'))).toMatch(/does not hold a private key: it must contain 64 hex digits/);
    expect(await refusal('--rpc', rpc, '--key-file', key, '--custodian', CUSTODIAN, '--threshold', '2')).toMatch(
      /--threshold 2 asks for more key holders than the 1 listed/,
    );
    expect(await refusal('--rpc', rpc, '--key-file', key, '--threshold', '1')).toMatch(/--threshold needs custodians/);
    expect(await refusal('--rpc', rpc, '--key-file', key, '--custodian', CUSTODIAN, '--custodian', CUSTODIAN)).toMatch(/two of them name the same address/);
    expect(await refusal('--rpc', rpc, '--key-file', key, '--confirmations', '0')).toMatch(/--confirmations must be a whole number of at least 1/);
    expect(await refusal('--rpc', rpc, '--key-file', key, '--bogus')).toMatch(/Unknown option '--bogus'.*Usage: twingrain deploy/);
    // Everything well formed: now the chain is asked, and its absence is said plainly.
    expect(await refusal('--rpc', rpc, '--key-file', key)).toMatch(/The chain at http:\/\/127\.0\.0\.1:9 does not answer/);
  });
});
