// Publishing is safe to repeat: a publication that stopped half way after the registration (one custodian offline, so
// fewer than t took their share) is finished later with the same manifest, which the custodians that already hold
// it accept again; a manifest prepared anew (another custodian list) is refused, since the chain records the first.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { alphaHex } from '../src/lib/granule/alpha';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { prepareGranulePublication } from '../src/lib/p2p/publish';
import { publishRegistered, PublicationUnfinishedError } from '../src/lib/sharing/index';
import { peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { CUSTODY_DEPOSIT_PROTOCOL } from '../src/lib/p2p/protocols';
import { freePort } from '../scripts/stack/ports';
import { startRelay, type RunningRelay } from './relay';
import { startCustodyChain, type CustodyChain } from './testing/custody-chain';

const GRANULE = {
  name: 'test/automation',
  version: '1.0.0',
  description: 'x',
  domain: 'enabling',
  context: 'automation',
  printers: ['ender-3'],
  tags: ['t'],
  license: 'MIT',
};

const dirs: string[] = [];
const relays: RunningRelay[] = [];
const nodes: TwingrainNode[] = [];
let chain: CustodyChain | undefined;

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  for (const r of relays) await r.stop().catch(() => undefined);
  await chain?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('publishRegistered', () => {
  it('finishes an interrupted publish with the same manifest instead of being refused for ever', async () => {
    const c = (chain = await startCustodyChain());
    const ownerMember = await c.member();
    const keys = [x25519.utils.randomSecretKey(), x25519.utils.randomSecretKey()];
    const ports = [await freePort(), await freePort()];
    const dataDirs = [await mkdtemp(join(tmpdir(), 'tg-pub-')), await mkdtemp(join(tmpdir(), 'tg-pub-'))];
    dirs.push(...dataDirs);
    const start = (i: number) =>
      startRelay({
        port: ports[i]!,
        dataDir: dataDirs[i]!,
        development: true,
        pin: i === 0,
        custodian: { secretKey: keys[i]!, waitMs: 300, pollMs: 50, chain: c.chainOptions() },
      });
    const first = await start(0);
    relays.push(first);
    // The second custodian is known (its address and key are on the list) but offline for now.
    const second = await start(1);
    const addrs = [first.multiaddrs[0]!, second.multiaddrs[0]!];
    const custody = { threshold: 2, custodians: [first, second].map((r) => Uint8Array.from(Buffer.from(r.custodian!.x25519PublicKey, 'hex'))) };
    await second.stop();

    const owner = await createNodeNode({ multiaddrs: addrs, development: true });
    nodes.push(owner);
    await owner.supervisor.relayConnected();
    await until(async () => (await peersWithProtocol(owner.libp2p, CUSTODY_DEPOSIT_PROTOCOL)).length === 1, 'the first custodian');
    const archive = new Uint8Array(randomBytes(300 * 1024));
    const alpha = alphaHex(archive);
    // The protocol's order: prepared here (nothing sent), registered on chain, then pinned and deposited (signed).
    const params = { helia: owner.helia, archive, alpha, granule: GRANULE, k: 2, n: 3, custody };
    const prepared = await prepareGranulePublication(params);
    await c.register(ownerMember, alpha, prepared.manifestCid.bytes);
    const publish = async (publication: typeof prepared) =>
      publishRegistered({
        publicClient: c.publicClient,
        walletClient: ownerMember.wallet,
        registry: c.registry,
        peer: owner,
        publication,
        threshold: 2,
        ownerPk: ownerMember.identity.publicKey,
      });
    const cut = await publish(prepared).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(PublicationUnfinishedError);
    expect(String(cut)).toMatch(/registered, but only 1 of the 2 key holders needed took their part of the key.*Nothing is lost/);

    // The second custodian comes back; publishing again completes, with the manifest the first one already holds.
    relays.push(await start(1));
    await until(async () => (await peersWithProtocol(owner.libp2p, CUSTODY_DEPOSIT_PROTOCOL)).length === 2, 'both custodians');
    const again = await publish(await prepareGranulePublication(params));
    expect(again).toMatchObject({ manifestCid: prepared.manifestCid.toString(), pinnedBy: 1, depositedWith: 2, custodians: 2, threshold: 2 });

    // A publication prepared for a different custodian list is another manifest: the chain records the first, so it
    // is refused before anything is sent.
    const other = await prepareGranulePublication({ ...params, custody: { threshold: 1, custodians: custody.custodians.slice(0, 1) } });
    expect(other.manifestCid.toString()).not.toBe(prepared.manifestCid.toString());
    await expect(publish(other)).rejects.toThrow(/is not registered to you with this content/);
  }, 150_000);
});
