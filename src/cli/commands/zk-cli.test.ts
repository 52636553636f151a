// The four zero-knowledge commands end to end against a real anvil with the contracts deployed: output shapes,
// the development-chain funding and enrolment, an encrypted identity, and one-line refusals.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { describe, expect, it } from 'vitest';
import { packGranule } from '../../lib/granule/index';
import { sampleFiles } from '../../lib/granule/test-fixture';
import { cli, deployedChain, refusal } from './testing.node.ts';

const { dir } = deployedChain('twingrain-zk-cli-');

describe('twingrain identity/register/authorize/instantiate', () => {
  it('shares a granule from one identity to another', async () => {
    const owner = join(dir, 'owner.json');
    const user = join(dir, 'user.json');
    const a = await cli('identity', 'new', '--out', owner);
    expect(a.pk).toMatch(/^0x[0-9a-f]{64}$/);
    const b = await cli('identity', 'new', '--out', user, '--passphrase', 'a long passphrase');
    expect(await refusal('identity', 'new', '--out', owner)).toMatch(/already exists/);

    const { bytes, alphaHex } = packGranule({ files: sampleFiles() });
    const granule = join(dir, 'g.tgr');
    writeFileSync(granule, bytes);

    // This chain lists no key custodians: publishing would make a key nobody could ever release, so register
    // refuses and points at --manifest-cid (a manifest published elsewhere), which registers without the p2p step.
    expect(await refusal('register', granule, '--identity', owner)).toMatch(/lists no key custodians.*--manifest-cid/);
    const manifestCid = CID.createV1(raw.code, await sha256.digest(bytes)).toString();
    const reg = await cli('register', granule, '--identity', owner, '--manifest-cid', manifestCid);
    expect(Object.keys(reg).sort()).toEqual(['alpha', 'leafIndex', 'root', 'txHash']);
    expect(reg.alpha).toBe(alphaHex);
    expect(await refusal('register', granule, '--identity', owner, '--manifest-cid', manifestCid)).toMatch(/already registered/);

    const auth = await cli('authorize', alphaHex, '--to', String(b.pk), '--identity', owner);
    expect(Object.keys(auth).sort()).toEqual(['alpha', 'expiresAt', 'leafIndex', 'price', 'record', 'root', 'txHash']);
    expect([auth.expiresAt, auth.price]).toEqual([null, '0']);
    expect(auth.record).toMatch(/^twingrain:authorization\//);

    expect(await refusal('instantiate', String(auth.record), '--identity', user)).toMatch(/encrypted/);
    const inst = await cli('instantiate', String(auth.record), '--identity', user, '--passphrase', 'a long passphrase');
    expect(inst).toEqual({ alpha: alphaHex, txHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
    expect(await refusal('instantiate', String(auth.record), '--identity', user, '--passphrase', 'a long passphrase')).toMatch(/already instantiated/);
  });
});
