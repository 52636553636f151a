// The granule journey over real libp2p nodes on 127.0.0.1 and a real anvil: three relays acting as custodians (t = 2)
// of the deployed registry, one of them pinning; an owner who stores, pins, registers and deposits (signed), then goes
// away; users who instantiate on chain, gather shares and fetch shards.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { randomBytes as nodeRandomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { hexToBytes, randomBytes } from '@noble/hashes/utils.js';
import { CID } from 'multiformats/cid';
import * as dagPb from '@ipld/dag-pb';
import { alphaHex } from '../src/lib/granule/alpha';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { storeGranule, fetchPublicManifest, fetchGranule, type StoreGranuleReturnType } from '../src/lib/p2p/granule-store';
import { pinOnRelays } from '../src/lib/p2p/pin-protocol';
import { depositWithCustodians, gatherGranuleKey, peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { KEY_RELEASE_PROTOCOL, PIN_PROTOCOL } from '../src/lib/p2p/protocols';
import { NotEnoughShardsError, ManifestMismatchError } from '../src/lib/p2p/errors';
import { WaitingForKeyHoldersError } from '../src/lib/custody';
import { freePort } from '../src/lib/chain/testing/anvil.node.ts';
import { startRelay, type RunningRelay } from './relay';
import { startCustodyChain, type CustodyChain, type Member } from './testing/custody-chain';

const GRANULE = {
  name: 'test/mechanical',
  version: '1.0.0',
  description: 'x',
  domain: 'enabling',
  context: 'mechanical',
  printers: ['ender-3'],
  tags: ['t'],
  license: 'MIT',
};

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('granule exchange through relays and custodians', () => {
  const dirs: string[] = [];
  const relays: RunningRelay[] = [];
  const ports: number[] = [];
  const nodes: TwingrainNode[] = [];
  const custodianKeys = [0, 1, 2].map(() => x25519.utils.randomSecretKey());
  let addrs: string[] = [];
  let owner: TwingrainNode;
  let stored: StoreGranuleReturnType;
  const archive = new Uint8Array(nodeRandomBytes(700 * 1024));
  const alpha = alphaHex(archive);
  let chain: CustodyChain;
  let ownerMember: Member;

  const tmp = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'tg-x-'));
    dirs.push(d);
    return d;
  };
  const node = async (relayAddrs = addrs, dataDir?: string): Promise<TwingrainNode> => {
    const n = await createNodeNode({ multiaddrs: relayAddrs, development: true }, dataDir ? { dataDir } : {});
    nodes.push(n);
    await n.supervisor.relayConnected();
    return n;
  };
  const relayDirs: string[] = [];

  beforeAll(async () => {
    chain = await startCustodyChain();
    ownerMember = await chain.member();
    for (let i = 0; i < 3; i++) {
      const dataDir = await tmp();
      relayDirs.push(dataDir);
      ports.push(await freePort());
      relays.push(
        await startRelay({
          port: ports[i]!,
          dataDir,
          development: true,
          pin: i === 0,
          custodian: { secretKey: custodianKeys[i]!, waitMs: 300, pollMs: 50, chain: chain.chainOptions() },
        }),
      );
    }
    await chain.listCustodians(
      relays.map((r) => r.custodian!.x25519PublicKey),
      2,
    );
    addrs = relays.map((r) => r.multiaddrs[0]!);
    owner = await node();
    await until(async () => (await peersWithProtocol(owner.libp2p, KEY_RELEASE_PROTOCOL)).length === 3, 'identify of three custodians');
    stored = await storeGranule({
      helia: owner.helia,
      archive,
      alpha,
      granule: GRANULE,
      k: 2,
      n: 3,
      custody: { threshold: 2, custodians: relays.map((r) => hexToBytes(r.custodian!.x25519PublicKey)) },
    });
    await chain.register(ownerMember, alpha, stored.manifestCid.bytes);
    expect((await pinOnRelays(owner.libp2p, { alpha, manifestCid: stored.manifestCid })).pinnedBy).toEqual([relays[0]!.peerId]);
    const signature = await chain.signDeposit(ownerMember.wallet, alpha, stored.manifestCid.bytes);
    expect((await depositWithCustodians(owner.libp2p, stored.manifestBytes, { signature })).custodians.sort()).toEqual(
      relays.map((r) => r.custodian!.x25519PublicKey).sort(),
    );
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) await n.stop().catch(() => undefined);
    for (const r of relays) await r.stop().catch(() => undefined);
    await chain?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('waits for key holders until the instantiation is on chain and t custodians answer; one alone cannot decrypt', async () => {
    const member = await chain.member();
    const userKey = member.identity.x25519.secretKey;
    const user = await node();
    await until(async () => (await peersWithProtocol(user.libp2p, KEY_RELEASE_PROTOCOL)).length === 3, 'identify');
    const manifest = await fetchPublicManifest({ helia: user.helia, cid: stored.manifestCid, expectedAlpha: alpha });
    const userPk = member.identity.publicKey;
    const none = await gatherGranuleKey({ libp2p: user.libp2p, manifest, userPk, userSecretKey: userKey, timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(none).toBeInstanceOf(WaitingForKeyHoldersError);
    expect((none as Error).message).toMatch(/Waiting for 2 more key holders/);

    await chain.instantiate(member, await chain.authorize(ownerMember, alpha, member));
    // Reaching one custodian only: its share alone rebuilds nothing.
    const lonely = await node([addrs[1]!]);
    await until(async () => (await peersWithProtocol(lonely.libp2p, KEY_RELEASE_PROTOCOL)).length === 1, 'identify');
    const one = await gatherGranuleKey({ libp2p: lonely.libp2p, manifest, userPk, userSecretKey: userKey, timeoutMs: 1_500 }).catch((e: unknown) => e);
    expect(one).toBeInstanceOf(WaitingForKeyHoldersError);
    expect((one as WaitingForKeyHoldersError).missing).toBe(1);

    const states: number[] = [];
    const key = await gatherGranuleKey({
      libp2p: user.libp2p,
      manifest,
      userPk,
      userSecretKey: userKey,
      timeoutMs: 10_000,
      onUpdate: (s) => states.push(s.have),
    });
    expect(key).toEqual(stored.key);
    expect(await fetchGranule({ helia: user.helia, manifest, key })).toEqual(archive);
  });

  it('keeps the registered manifest only: another manifest for the same α is refused by reason, a repeat is accepted', async () => {
    const again = await storeGranule({
      helia: owner.helia,
      archive,
      alpha,
      granule: GRANULE,
      k: 2,
      n: 3,
      custody: { threshold: 2, custodians: relays.map((r) => hexToBytes(r.custodian!.x25519PublicKey)) },
    });
    expect(again.manifestCid.toString()).not.toBe(stored.manifestCid.toString()); // a fresh key: another manifest
    // Even signed by the owner: the chain records the first manifest.
    const refused = await depositWithCustodians(owner.libp2p, again.manifestBytes, {
      signature: await chain.signDeposit(ownerMember.wallet, alpha, again.manifestCid.bytes),
    });
    expect(refused.custodians).toEqual([]);
    expect(refused.refusals.map((r) => r.code)).toEqual(['manifest-mismatch', 'manifest-mismatch', 'manifest-mismatch']);
    expect(refused.errors.join(' ')).toMatch(/records another manifest/);
    const signature = await chain.signDeposit(ownerMember.wallet, alpha, stored.manifestCid.bytes);
    expect((await depositWithCustodians(owner.libp2p, stored.manifestBytes, { signature })).custodians).toHaveLength(3);
  });

  it('refuses a manifest that the chain records for another α', async () => {
    const user = await node();
    await expect(fetchPublicManifest({ helia: user.helia, cid: stored.manifestCid, expectedAlpha: '0x' + '00'.repeat(31) + '01' })).rejects.toBeInstanceOf(
      ManifestMismatchError,
    );
  });

  it('serves the granule from the pinning relay after the owner left, and after the relay restarted', async () => {
    await owner.stop();
    await relays[0]!.stop();
    relays[0] = await startRelay({
      port: ports[0]!,
      dataDir: relayDirs[0]!,
      development: true,
      pin: true,
      custodian: { secretKey: custodianKeys[0]!, waitMs: 300, chain: chain.chainOptions() },
    });
    const user = await node([addrs[0]!]);
    await until(async () => (await peersWithProtocol(user.libp2p, PIN_PROTOCOL)).length === 1, 'identify');
    const manifest = await fetchPublicManifest({ helia: user.helia, cid: stored.manifestCid, expectedAlpha: alpha });
    expect(await fetchGranule({ helia: user.helia, manifest, key: stored.key, shardTimeoutMs: 10_000 })).toEqual(archive);
  });

  it('skips a tampered shard and rebuilds from the others; fewer than k shards is a clear error', async () => {
    const user = await node([addrs[0]!]);
    const manifest = await fetchPublicManifest({ helia: user.helia, cid: stored.manifestCid, expectedAlpha: alpha });
    // A corrupted block on the user's own disk (the relay would refuse to send one): shard 0 no longer matches.
    const shard0 = CID.parse(manifest.shards[0]!.cid);
    const rootBytes: Uint8Array[] = [];
    for await (const b of user.helia.blockstore.get(shard0)) rootBytes.push(b);
    // Shards above one 256 KiB chunk are a dag-pb root over raw leaves; the leaf is not local yet, so the altered
    // bytes are what the fetch will read.
    const leaf = dagPb.decode(rootBytes[0]!).Links[0]!.Hash;
    await user.helia.blockstore.put(leaf, randomBytes(1000));
    const problems: number[] = [];
    expect(await fetchGranule({ helia: user.helia, manifest, key: stored.key, onShardProblem: (i) => problems.push(i) })).toEqual(archive);
    expect(problems).toContain(0);

    const alone = await node([addrs[1]!]);
    const lonely = await fetchGranule({ helia: alone.helia, manifest, key: stored.key, shardTimeoutMs: 1_000 }).catch((e: unknown) => e);
    expect(lonely).toBeInstanceOf(NotEnoughShardsError);
    expect((lonely as Error).message).toMatch(/Only 0 of the 2 shards/);
  });
});
