// Licences at the custodians, on the real stack (issue 16): a real anvil with the deployed contracts and real Groth16
// proofs, three real custodian relays (t = 2) reading the registry 2 blocks deep, real libp2p peers. Expired, unpaid,
// revoked and transferred-away licences must release no key share; a paid licence releases and moves exactly its
// price; after a transfer the new owner's licensee gets the key with the old owner offline.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { peerIdFromString } from '@libp2p/peer-id';
import { alphaHex } from '../src/lib/granule/alpha';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { storeGranule, fetchGranule, type StoreGranuleReturnType } from '../src/lib/p2p/granule-store';
import { pinOnRelays } from '../src/lib/p2p/pin-protocol';
import { depositWithCustodians, gatherGranuleKey, peersWithProtocol, type ReleaseResponse } from '../src/lib/p2p/custody-protocol';
import { KEY_RELEASE_PROTOCOL } from '../src/lib/p2p/protocols';
import { requestJson } from '../src/lib/p2p/rpc';
import { contractRevertOf, LicencePriceError } from '../src/lib/chain/index';
import { freePort } from '../scripts/stack/ports';
import { startRelay, type RunningRelay } from './relay';
import { startCustodyChain, type CustodyChain, type Member } from './testing/custody-chain';

const GRANULE = {
  name: 'licence/mechanical',
  version: '1.0.0',
  description: 'x',
  domain: 'enabling',
  context: 'mechanical',
  printers: [],
  tags: [],
  license: 'MIT',
};
const CONFIRMATIONS = 2;
const CREDIT = 10n ** 18n;

let chain: CustodyChain;
const relays: RunningRelay[] = [];
const nodes: TwingrainNode[] = [];
const dirs: string[] = [];
let addrs: string[] = [];
let owner: Member;
let ownerNode: TwingrainNode;

async function peer(): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: addrs, development: true });
  nodes.push(n);
  await n.supervisor.relayConnected();
  const deadline = Date.now() + 20_000;
  while ((await peersWithProtocol(n.libp2p, KEY_RELEASE_PROTOCOL)).length < addrs.length) {
    if (Date.now() > deadline) throw new Error('the peer identified fewer custodians than expected');
    await new Promise((r) => setTimeout(r, 100));
  }
  return n;
}

const settle = (): Promise<void> => chain.mine(CONFIRMATIONS);

/** The owner's granule, registered, pinned and deposited with the three custodians. */
async function publishedGranule(): Promise<{ alpha: string; stored: StoreGranuleReturnType; archive: Uint8Array }> {
  const archive = new Uint8Array(randomBytes(32 * 1024));
  const alpha = alphaHex(archive);
  const stored = await storeGranule({
    helia: ownerNode.helia,
    archive,
    alpha,
    granule: GRANULE,
    k: 2,
    n: 3,
    custody: { threshold: 2, custodians: relays.map((r) => hexToBytes(r.custodian!.x25519PublicKey)) },
  });
  await chain.register(owner, alpha, stored.manifestCid.bytes);
  expect((await pinOnRelays(ownerNode.libp2p, { alpha, manifestCid: stored.manifestCid })).pinnedBy).toEqual([relays[0]!.peerId]);
  await settle();
  const r = await depositWithCustodians(ownerNode.libp2p, stored.manifestBytes, {
    signature: await chain.signDeposit(owner.wallet, alpha, stored.manifestCid.bytes),
  });
  expect(r.custodians).toHaveLength(3);
  return { alpha, stored, archive };
}

/** What each custodian answers the user's key request. */
async function askAll(from: TwingrainNode, alpha: string, user: Member): Promise<ReleaseResponse[]> {
  return Promise.all(
    relays.map((relay) =>
      requestJson<ReleaseResponse>(from.libp2p, peerIdFromString(relay.peerId), KEY_RELEASE_PROTOCOL, {
        alpha,
        userPk: user.identity.publicKey.toString(),
        user: bytesToHex(user.identity.x25519.publicKey),
      }),
    ),
  );
}

const codes = (answers: ReleaseResponse[]): string[] => answers.map((a) => (a.status === 'refused' ? a.code : a.status));

async function revertName(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  return contractRevertOf(error)?.errorName ?? String(error);
}

beforeAll(async () => {
  chain = await startCustodyChain();
  for (let i = 0; i < 3; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'tg-licence-'));
    dirs.push(dataDir);
    relays.push(
      await startRelay({
        port: await freePort(),
        dataDir,
        development: true,
        pin: i === 0,
        custodian: { waitMs: 1_000, pollMs: 100, chain: chain.chainOptions(CONFIRMATIONS) },
      }),
    );
  }
  await chain.listCustodians(
    relays.map((r) => r.custodian!.x25519PublicKey),
    2,
  );
  addrs = relays.map((r) => r.multiaddrs[0]!);
  owner = await chain.member();
  ownerNode = await peer();
}, 180_000);

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  for (const r of relays) await r.stop().catch(() => undefined);
  await chain?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('licences at the custodians', () => {
  it('attack: a revoked licence releases no key share once the revocation is 2 blocks deep, though it was instantiated before', async () => {
    const { alpha, stored } = await publishedGranule();
    const user = await chain.member();
    const auth = await chain.authorize(owner, alpha, user);
    await chain.instantiate(user, auth);
    await chain.revoke(owner, auth);
    await settle();
    const userNode = await peer();
    const answers = await askAll(userNode, alpha, user);
    expect(codes(answers)).toEqual(['licence-ended', 'licence-ended', 'licence-ended']);
    expect(answers[0]!.status === 'refused' && answers[0]!.reason).toMatch(/revoked/);
    await expect(
      gatherGranuleKey({
        libp2p: userNode.libp2p,
        manifest: stored.manifest,
        userPk: user.identity.publicKey,
        userSecretKey: user.identity.x25519.secretKey,
        timeoutMs: 3_000,
      }),
    ).rejects.toThrow();
  }, 120_000);

  it('attack: an expired licence is not instantiated and releases nothing; one used in time stops releasing after it expires', async () => {
    const { alpha } = await publishedGranule();
    const late = await chain.member();
    const lateAuth = await chain.authorize(owner, alpha, late, { expiresAt: (await chain.now()) + 120n });
    const early = await chain.member();
    const earlyAuth = await chain.authorize(owner, alpha, early, { expiresAt: (await chain.now()) + 120n });
    await chain.instantiate(early, earlyAuth);
    await chain.rpc('evm_increaseTime', [200]);
    await chain.mine(1);
    expect(await revertName(chain.instantiate(late, lateAuth))).toBe('LicenceExpired');
    await settle();
    const userNode = await peer();
    expect(codes(await askAll(userNode, alpha, late))).toEqual(['not-instantiated', 'not-instantiated', 'not-instantiated']);
    const answers = await askAll(userNode, alpha, early);
    expect(codes(answers)).toEqual(['licence-ended', 'licence-ended', 'licence-ended']);
    expect(answers[0]!.status === 'refused' && answers[0]!.reason).toMatch(/expired/);
  }, 120_000);

  it('attack: an unpaid licence is not instantiated and releases nothing; a paid one releases and moves exactly its price', async () => {
    const { alpha, stored, archive } = await publishedGranule();
    const user = await chain.member();
    await chain.mintCredits(user, 10n * CREDIT);
    const auth = await chain.authorize(owner, alpha, user, { price: 4n * CREDIT });
    await expect(chain.instantiate(user, auth)).rejects.toBeInstanceOf(LicencePriceError);
    await settle();
    const userNode = await peer();
    expect(codes(await askAll(userNode, alpha, user))).toEqual(['not-instantiated', 'not-instantiated', 'not-instantiated']);
    const [owner0, user0] = [await chain.credits(owner), await chain.credits(user)];
    await chain.instantiate(user, auth, undefined, 4n * CREDIT);
    expect([await chain.credits(owner), await chain.credits(user)]).toEqual([owner0 + 4n * CREDIT, user0 - 4n * CREDIT]);
    await settle();
    const key = await gatherGranuleKey({
      libp2p: userNode.libp2p,
      manifest: stored.manifest,
      userPk: user.identity.publicKey,
      userSecretKey: user.identity.x25519.secretKey,
      timeoutMs: 20_000,
    });
    expect(await fetchGranule({ helia: userNode.helia, manifest: stored.manifest, key })).toEqual(archive);
  }, 120_000);

  it("attack: after a transfer the former owner's licence releases nothing; the new owner's licensee gets the key with the old owner offline", async () => {
    const { alpha, stored, archive } = await publishedGranule();
    const before = await chain.member();
    await chain.instantiate(before, await chain.authorize(owner, alpha, before));
    const nora = await chain.member();
    await chain.transfer(owner, alpha, nora);
    // The old owner can no longer grant access.
    const other = await chain.member();
    expect(await revertName(chain.authorize(owner, alpha, other))).toBe('NotGranuleOwner');
    await settle();
    const userNode = await peer();
    const answers = await askAll(userNode, alpha, before);
    expect(codes(answers)).toEqual(['licence-ended', 'licence-ended', 'licence-ended']);
    expect(answers[0]!.status === 'refused' && answers[0]!.reason).toMatch(/former owner/);
    // The old owner goes offline; the blocks stay on the pinning relay. Nora grants a user, who gets the granule.
    await ownerNode.stop();
    const user = await chain.member();
    await chain.instantiate(user, await chain.authorize(nora, alpha, user));
    await settle();
    const key = await gatherGranuleKey({
      libp2p: userNode.libp2p,
      manifest: stored.manifest,
      userPk: user.identity.publicKey,
      userSecretKey: user.identity.x25519.secretKey,
      timeoutMs: 20_000,
    });
    expect(await fetchGranule({ helia: userNode.helia, manifest: stored.manifest, key })).toEqual(archive);
  }, 180_000);
});
