// Attacks on the pinning relay, against a real relay (relay/relay.ts on a free port) that reads a real anvil with the
// deployed contracts: requests for CIDs the chain does not record (random DAGs, an 8 MB "manifest" per random α, a CID
// beside a registered α), a member's flood past its quota, forged and non-member signatures. Each is refused with a
// code, reported on the relay, and leaves nothing in its blockstore; a registered manifest is pinned (with its shards,
// fetched from the owner) once — and only once — its registration is mined.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, http, type Address, type PublicClient, type WalletClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { x25519 } from '@noble/curves/ed25519.js';
import { unixfs } from '@helia/unixfs';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import * as dagPb from '@ipld/dag-pb';
import { FsBlockstore } from 'blockstore-fs';
import { peerIdFromString } from '@libp2p/peer-id';
import { compileContracts } from '../src/lib/chain/compile.node.ts';
import { deployContracts } from '../src/lib/chain/deploy.node.ts';
import { commitRegistration, registerGranule } from '../src/lib/chain/index';
import { startAnvil, freePort, type AnvilInstance } from '../src/lib/chain/testing/anvil.node.ts';
import { ensureMembership } from '../src/lib/records/index';
import { createIdentity, type Identity } from '../src/lib/identity/index';
import { createProver, terminateProver, type Prover } from '../src/lib/zk/index';
import { fileArtifactSource } from '../src/lib/zk/artifacts.node.ts';
import { alphaOf, alphaHex } from '../src/lib/granule/alpha';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { pinOnRelays, type PinOnRelaysReturnType } from '../src/lib/p2p/pin-protocol';
import { prepareGranulePublication, pinPublication } from '../src/lib/p2p/publish';
import { peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { requestJson } from '../src/lib/p2p/rpc';
import { PIN_PROTOCOL } from '../src/lib/p2p/protocols';
import type { RelayLimitEvent } from '../src/lib/p2p/limits';
import { startRelay, type RunningRelay } from './relay';

const GRANULE = { name: 'test/pin', version: '1.0.0', description: 'x', domain: 'enabling', context: 'mechanical', printers: [], tags: [], license: 'MIT' };
const QUOTA = { bytes: 3 * 1024 * 1024, count: 3 };
const MiB = 1024 * 1024;

let anvil: AnvilInstance;
let prover: Prover;
let relay: RunningRelay;
let relayDir: string;
let relayBlocks: FsBlockstore;
let publicClient: PublicClient;
let contracts: Record<string, Address>;
const nodes: TwingrainNode[] = [];
const dirs: string[] = [];
const events: RelayLimitEvent[] = [];

const chainOf = () => ({
  id: anvil.chainId,
  name: 'anvil',
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [anvil.rpcUrl] } },
});
const wallet = (i: number): WalletClient =>
  createWalletClient({ account: privateKeyToAccount(anvil.privateKeys[i]!), chain: chainOf(), transport: http(anvil.rpcUrl) });

/** Makes the wallet a Consortium member under a fresh identity. */
async function enrol(walletClient: WalletClient): Promise<Identity> {
  const identity = createIdentity();
  await ensureMembership({ publicClient, walletClient, consortium: contracts.Consortium!, secret: identity.secret, prover });
  return identity;
}

/**
 * The one place that registers a granule on chain: commits (which hides α) and returns the reveal, to be sent in a
 * later block with a real Groth16 proof.
 */
async function commitToRegister(p: { walletClient: WalletClient; identity: Identity; alpha: bigint; manifestCid: CID }): Promise<() => Promise<void>> {
  const registry = contracts.GranuleRegistry!;
  const { salt } = await commitRegistration({ publicClient, walletClient: p.walletClient, registry, secret: p.identity.secret, alpha: p.alpha });
  return async () => {
    await registerGranule({
      publicClient,
      walletClient: p.walletClient,
      registry,
      prover,
      secret: p.identity.secret,
      alpha: p.alpha,
      manifestCid: p.manifestCid.bytes,
      salt,
    });
  };
}

async function node(): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: relay.multiaddrs, development: true });
  nodes.push(n);
  await n.supervisor.relayConnected();
  await expect.poll(async () => (await peersWithProtocol(n.libp2p, PIN_PROTOCOL)).length, { timeout: 15_000 }).toBe(1);
  return n;
}

const randomAlpha = (): string => `0x${randomBytes(32).toString('hex')}`;
const randomDag = (n: TwingrainNode, bytes: number): Promise<CID> => unixfs(n.helia).addBytes(new Uint8Array(randomBytes(bytes)), { rawLeaves: true });

/** Every block of a DAG that the relay keeps on disk. */
async function keptByRelay(n: TwingrainNode, root: CID): Promise<{ kept: number; of: number }> {
  const all: CID[] = [];
  const walk = async (cid: CID): Promise<void> => {
    all.push(cid);
    if (cid.code !== dagPb.code) return;
    const parts: Uint8Array[] = [];
    for await (const p of n.helia.blockstore.get(cid, { offline: true })) parts.push(p);
    for (const link of dagPb.decode(Buffer.concat(parts)).Links) await walk(link.Hash);
  };
  await walk(root);
  let kept = 0;
  for (const cid of all) if (await relayBlocks.has(cid)) kept += 1;
  return { kept, of: all.length };
}

const codes = (r: PinOnRelaysReturnType): string[] => r.refusals.map((e) => e.code);
/** Today's wire form: `{ cids }`, what any peer could send. */
const rawPin = (n: TwingrainNode, body: unknown) =>
  requestJson<{ pinned?: string[]; refused?: { code: string; message: string } }>(n.libp2p, peerIdFromString(relay.peerId), PIN_PROTOCOL, body, {
    signal: AbortSignal.timeout(60_000),
  }).catch((e: unknown) => ({ error: String(e) }));

beforeAll(async () => {
  prover = createProver(fileArtifactSource());
  anvil = await startAnvil();
  ({ contracts } = await deployContracts({
    rpcUrl: anvil.rpcUrl,
    deployerPrivateKey: anvil.privateKeys[0]!,
    openEnrolment: true,
    compiled: compileContracts(),
  }));
  publicClient = createPublicClient({ chain: chainOf(), transport: http(anvil.rpcUrl), pollingInterval: 50 }) as PublicClient;
  relayDir = await mkdtemp(join(tmpdir(), 'tg-pin-limits-'));
  dirs.push(relayDir);
  relay = await startRelay({
    port: await freePort(),
    dataDir: relayDir,
    development: true,
    pin: { chain: { rpcUrl: anvil.rpcUrl, registry: contracts.GranuleRegistry! }, memberQuota: QUOTA, timeoutMs: 30_000 },
    onLimit: (e) => events.push(e),
    log: () => undefined,
  });
  relayBlocks = new FsBlockstore(join(relayDir, 'blocks'));
  await relayBlocks.open();
}, 180_000);

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  await relay?.stop().catch(() => undefined);
  await relayBlocks?.close().catch(() => undefined);
  await anvil?.stop();
  await terminateProver();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe("the pinning relay keeps only what the chain records, or a member's content within its quota", () => {
  it('attack: random DAGs and a CID not recorded on chain are refused, reported, and nothing of them is kept', async () => {
    const attacker = await node();
    const dags = [await randomDag(attacker, 600_000), await randomDag(attacker, 600_000)];
    // Today's request: "keep these CIDs".
    const plain = await rawPin(attacker, { cids: dags.map(String) });
    expect(plain).toMatchObject({ refused: { code: 'PIN_NOT_RECORDED' } });
    // Named as a granule: α is not registered.
    const named = await pinOnRelays(attacker.libp2p, { alpha: randomAlpha(), manifestCid: dags[0]! });
    expect(named.pinnedBy).toEqual([]);
    expect(codes(named)).toEqual(['PIN_NOT_RECORDED']);
    expect(named.errors[0]).toMatch(/is not registered on chain: a relay pins a granule only once its registration is mined/);
    for (const dag of dags) expect((await keptByRelay(attacker, dag)).kept).toBe(0);
    expect(events.filter((e) => e.peer === attacker.peerId.toString() && e.code === 'PIN_NOT_RECORDED')).toHaveLength(2);
  }, 60_000);

  it('attack: an 8 MB "manifest" per random α is refused without being fetched', async () => {
    const attacker = await node();
    for (let i = 0; i < 3; i++) {
      const manifest = await randomDag(attacker, 8 * MiB);
      expect(await rawPin(attacker, { cids: [manifest.toString()] })).toMatchObject({ refused: { code: 'PIN_NOT_RECORDED' } });
      const r = await pinOnRelays(attacker.libp2p, { alpha: randomAlpha(), manifestCid: manifest });
      expect(codes(r)).toEqual(['PIN_NOT_RECORDED']);
      expect((await keptByRelay(attacker, manifest)).kept).toBe(0);
    }
  }, 120_000);

  it('attack: a member pins random DAGs past its quota (roots and bytes); forged and non-member signatures are refused', async () => {
    const attacker = await node();
    const memberWallet = wallet(3);
    await enrol(memberWallet);
    const member = privateKeyToAccount(anvil.privateKeys[3]!);
    const dags = [await randomDag(attacker, MiB), await randomDag(attacker, MiB)];
    for (const dag of dags) expect((await pinOnRelays(attacker.libp2p, { cids: [dag], member })).pinnedBy).toEqual([relay.peerId]);
    for (const dag of dags) {
      const { kept, of } = await keptByRelay(attacker, dag);
      expect(kept).toBe(of);
    }
    // Bytes: a third MiB passes the quota of 3 MiB (block overheads count).
    const big = await randomDag(attacker, MiB + 200_000);
    const overBytes = await pinOnRelays(attacker.libp2p, { cids: [big], member });
    expect(codes(overBytes)).toEqual(['PIN_MEMBER_QUOTA']);
    expect(overBytes.errors[0]).toMatch(/A member may pin 3145728 bytes on this relay besides registered granules/);
    expect((await keptByRelay(attacker, big)).kept).toBe(0);
    // Roots: a tiny third root fits in bytes, a fourth does not fit the count.
    expect((await pinOnRelays(attacker.libp2p, { cids: [await randomDag(attacker, 1_000)], member })).pinnedBy).toEqual([relay.peerId]);
    const overCount = await pinOnRelays(attacker.libp2p, { cids: [await randomDag(attacker, 1_000)], member });
    expect(codes(overCount)).toEqual(['PIN_MEMBER_QUOTA']);
    expect(overCount.errors[0]).toMatch(/A member may pin 3 roots on this relay/);

    // Someone else's key signing for the member's account; a wallet that is not a member.
    const forger = privateKeyToAccount(generatePrivateKey());
    const forged = await pinOnRelays(attacker.libp2p, {
      cids: [await randomDag(attacker, 1_000)],
      member: { address: member.address, signMessage: (m) => forger.signMessage(m) },
    });
    expect(codes(forged)).toEqual(['PIN_BAD_SIGNATURE']);
    const stranger = await pinOnRelays(attacker.libp2p, { cids: [await randomDag(attacker, 1_000)], member: forger });
    expect(codes(stranger)).toEqual(['PIN_NOT_A_MEMBER']);
    // Today's wire form with a member field that is not signed at all.
    expect(
      await rawPin(attacker, { cids: [(await randomDag(attacker, 1_000)).toString()], member: { account: member.address, signature: '0x00' } }),
    ).toMatchObject({ refused: { code: 'PIN_BAD_SIGNATURE' } });
    expect(
      events
        .filter((e) => e.peer === attacker.peerId.toString())
        .map((e) => e.code)
        .sort(),
    ).toEqual(['PIN_BAD_SIGNATURE', 'PIN_BAD_SIGNATURE', 'PIN_MEMBER_QUOTA', 'PIN_MEMBER_QUOTA', 'PIN_NOT_A_MEMBER']);
  }, 120_000);

  it('attack: pinning a granule before its registration is revealed and mined is refused; once mined, its registered manifest and shards are pinned from the owner', async () => {
    const ownerWallet = wallet(1);
    const identity = await enrol(ownerWallet);
    const owner = await node();
    const archive = new Uint8Array(randomBytes(700 * 1024));
    const alpha = alphaOf(archive);
    const prepared = await prepareGranulePublication({
      helia: owner.helia,
      archive,
      alpha: alphaHex(alpha),
      granule: GRANULE,
      k: 2,
      n: 3,
      custody: { threshold: 1, custodians: [x25519.getPublicKey(x25519.utils.randomSecretKey())] },
    });
    const reveal = await commitToRegister({ walletClient: ownerWallet, identity, alpha, manifestCid: prepared.manifestCid });
    // Preparing sent nothing: the relay holds no block of the granule, and with only the commitment mined (α still
    // hidden) it cannot be made to pin it.
    const all = [prepared.manifestCid, ...prepared.manifest.shards.map((s) => CID.parse(s.cid))];
    for (const cid of all) expect((await keptByRelay(owner, cid)).kept).toBe(0);
    expect(await rawPin(owner, { cids: all.map(String) })).toMatchObject({ refused: { code: 'PIN_NOT_RECORDED' } });
    const early = await pinOnRelays(owner.libp2p, { alpha: alphaHex(alpha), manifestCid: prepared.manifestCid });
    expect(codes(early)).toEqual(['PIN_NOT_RECORDED']);
    await expect(pinPublication({ helia: owner.helia, alpha: alphaHex(alpha), manifestCid: prepared.manifestCid })).rejects.toThrow(
      /Only 0 pinning node\(s\) kept the granule .*not registered on chain/,
    );

    await reveal();
    // Another manifest for the registered α is still refused.
    const other = await randomDag(owner, 10_000);
    expect(codes(await pinOnRelays(owner.libp2p, { alpha: alphaHex(alpha), manifestCid: other }))).toEqual(['PIN_NOT_RECORDED']);
    expect((await keptByRelay(owner, other)).kept).toBe(0);

    const pinned = await pinPublication({ helia: owner.helia, alpha: alphaHex(alpha), manifestCid: prepared.manifestCid });
    expect(pinned.pinnedBy).toEqual([relay.peerId]);
    for (const cid of all) {
      const { kept, of } = await keptByRelay(owner, cid);
      expect(kept).toBe(of);
    }
    // Registered granules do not count against anyone's member quota, and a repeat is idempotent.
    expect((await pinPublication({ helia: owner.helia, alpha: alphaHex(alpha), manifestCid: prepared.manifestCid })).pinnedBy).toEqual([relay.peerId]);
    expect(new Set(((await rawPin(owner, { alpha: alphaHex(alpha), manifestCid: prepared.manifestCid.toString() })) as { pinned: string[] }).pinned)).toEqual(
      new Set(all.map(String)),
    );
  }, 180_000);

  it('attack: requests for blocks nobody serves cannot occupy the relay — one at a time per peer, a few in all, and the honest pin gets through after', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-pin-busy-'));
    dirs.push(dir);
    const busy = await startRelay({
      port: await freePort(),
      dataDir: dir,
      development: true,
      pin: { timeoutMs: 4_000, maxConcurrent: 2 },
      onLimit: (e) => events.push(e),
      log: () => undefined,
    });
    try {
      const join2 = async (): Promise<TwingrainNode> => {
        const n = await createNodeNode({ multiaddrs: busy.multiaddrs, development: true });
        nodes.push(n);
        await n.supervisor.relayConnected();
        await expect.poll(async () => (await peersWithProtocol(n.libp2p, PIN_PROTOCOL)).length, { timeout: 15_000 }).toBe(1);
        return n;
      };
      const [a, b, c, owner] = [await join2(), await join2(), await join2(), await join2()];
      const member = privateKeyToAccount(generatePrivateKey());
      busy.pinning!.records.addMember(member.address); // as if enrolled on chain
      // A CID whose block nobody has: the relay can only wait for it until its timeout.
      const nowhere = async (): Promise<CID> => CID.createV1(raw.code, await sha256.digest(new Uint8Array(randomBytes(32))));
      const hang = async (n: TwingrainNode) => pinOnRelays(n.libp2p, { cids: [await nowhere()], member });
      const [a1, a2] = [hang(a), hang(a)];
      const b1 = hang(b);
      await new Promise((r) => setTimeout(r, 1_000));
      const c1 = await hang(c);
      expect(codes(c1)).toEqual(['PIN_BUSY']);
      expect(c1.errors[0]).toMatch(/already working on 2 pin requests/);
      const [ra1, ra2, rb1] = await Promise.all([a1, a2, b1]);
      expect([...codes(ra1), ...codes(ra2)].sort()).toEqual(['PIN_BUSY', 'PIN_FETCH_FAILED']);
      expect(codes(rb1)).toEqual(['PIN_FETCH_FAILED']);

      // Slots free again: a registered granule is pinned.
      const archive = new Uint8Array(randomBytes(200 * 1024));
      const alpha = alphaHex(archive);
      const prepared = await prepareGranulePublication({
        helia: owner.helia,
        archive,
        alpha,
        granule: GRANULE,
        k: 2,
        n: 3,
        custody: { threshold: 1, custodians: [x25519.getPublicKey(x25519.utils.randomSecretKey())] },
      });
      busy.pinning!.records.record(BigInt(alpha), prepared.manifestCid); // as if registered on chain
      expect((await pinPublication({ helia: owner.helia, alpha, manifestCid: prepared.manifestCid })).pinnedBy).toEqual([busy.peerId]);
    } finally {
      await busy.stop();
    }
  }, 90_000);
});
