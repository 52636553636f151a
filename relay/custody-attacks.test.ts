// Attacks on key custody against the real stack: a real anvil with the deployed contracts and real Groth16 proofs,
// three real custodian relays (t = 2) serving that registry with 2 confirmations, real libp2p peers for the owner,
// the user and the attackers. Each test is an attack that succeeded against custody before issue 12 and must fail
// now with a clear refusal, with nothing lost for the owner or the user.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { peerIdFromString } from '@libp2p/peer-id';
import { alphaHex } from '../src/lib/granule/alpha';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { storeGranule, fetchGranule, type StoreGranuleReturnType } from '../src/lib/p2p/granule-store';
import { pinOnRelays } from '../src/lib/p2p/pin-protocol';
import { depositWithCustodians, gatherGranuleKey, peersWithProtocol, type DepositResponse, type ReleaseResponse } from '../src/lib/p2p/custody-protocol';
import { CUSTODY_DEPOSIT_PROTOCOL, KEY_RELEASE_PROTOCOL } from '../src/lib/p2p/protocols';
import { handleJson, requestJson, toBase64 } from '../src/lib/p2p/rpc';
import { keyCommitment, releaseShare, splitGranuleKey, WaitingForKeyHoldersError, type GranuleKeyShare } from '../src/lib/custody';
import { freePort } from '../scripts/stack/ports';
import { createRelayNode, startRelay, type RelayNode, type RunningRelay } from './relay';
import { startCustodyChain, type CustodyChain, type Member } from './testing/custody-chain';

const GRANULE = {
  name: 'attack/mechanical',
  version: '1.0.0',
  description: 'x',
  domain: 'enabling',
  context: 'mechanical',
  printers: [],
  tags: [],
  license: 'MIT',
};
const CONFIRMATIONS = 2;
const CAPS = { depositsPerPeer: 20, depositsPerAlpha: 3, windowMs: 60 * 60_000, manifestBytes: 256 * 1024, releasesWaitingPerPeer: 4 };

let chain: CustodyChain;
const relays: RunningRelay[] = [];
const hostiles: RelayNode[] = [];
const nodes: TwingrainNode[] = [];
const dirs: string[] = [];
let addrs: string[] = [];
let owner: Member;
let ownerNode: TwingrainNode;

const tmp = async (): Promise<string> => {
  const d = await mkdtemp(join(tmpdir(), 'tg-attack-'));
  dirs.push(d);
  return d;
};

async function peer(relayAddrs = addrs, expectCustodians = relayAddrs.length): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: relayAddrs, development: true });
  nodes.push(n);
  await n.supervisor.relayConnected();
  const deadline = Date.now() + 20_000;
  while ((await peersWithProtocol(n.libp2p, KEY_RELEASE_PROTOCOL)).length < expectCustodians) {
    if (Date.now() > deadline) throw new Error(`the peer identified fewer than ${expectCustodians} custodians`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return n;
}

/** The chain moves past head − confirmations. */
const settle = (): Promise<void> => chain.mine(CONFIRMATIONS);

/** A manifest (encrypted, sharded) for `alpha` on `n`'s node; pinned on the pinning relay when `pin`. */
async function storeFor(n: TwingrainNode, alpha: string, pin = false): Promise<{ stored: StoreGranuleReturnType; archive: Uint8Array }> {
  const archive = new Uint8Array(randomBytes(48 * 1024));
  const stored = await storeGranule({
    helia: n.helia,
    archive,
    alpha,
    granule: GRANULE,
    k: 2,
    n: 3,
    custody: { threshold: 2, custodians: relays.map((r) => hexToBytes(r.custodian!.x25519PublicKey)) },
  });
  if (pin) expect((await pinOnRelays(n.libp2p, { alpha, manifestCid: stored.manifestCid })).pinnedBy).toEqual([relays[0]!.peerId]);
  return { stored, archive };
}

/** The owner's own granule: α of its archive, stored on the owner's node (pinned once registered). */
async function ownersGranule(): Promise<{ alpha: string; stored: StoreGranuleReturnType; archive: Uint8Array }> {
  const archive = new Uint8Array(randomBytes(48 * 1024));
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
  return { alpha, stored, archive };
}

async function registerAndDeposit(alpha: string, stored: StoreGranuleReturnType): Promise<void> {
  await chain.register(owner, alpha, stored.manifestCid.bytes);
  expect((await pinOnRelays(ownerNode.libp2p, { alpha, manifestCid: stored.manifestCid })).pinnedBy).toEqual([relays[0]!.peerId]);
  await settle();
  const signature = await chain.signDeposit(owner.wallet, alpha, stored.manifestCid.bytes);
  const r = await depositWithCustodians(ownerNode.libp2p, stored.manifestBytes, { signature });
  expect(r.refusals).toEqual([]);
  expect(r.custodians).toHaveLength(3);
}

async function depositTo(from: TwingrainNode, relay: RunningRelay, manifestBytes: Uint8Array, signature: string): Promise<DepositResponse> {
  return requestJson<DepositResponse>(from.libp2p, peerIdFromString(relay.peerId), CUSTODY_DEPOSIT_PROTOCOL, { manifest: toBase64(manifestBytes), signature });
}

async function releaseFrom(from: TwingrainNode, relay: RunningRelay, alpha: string, userPk: bigint, userX25519: Uint8Array): Promise<ReleaseResponse> {
  return requestJson<ReleaseResponse>(from.libp2p, peerIdFromString(relay.peerId), KEY_RELEASE_PROTOCOL, {
    alpha,
    userPk: userPk.toString(),
    user: bytesToHex(userX25519),
  });
}

beforeAll(async () => {
  chain = await startCustodyChain();
  for (let i = 0; i < 3; i++) {
    relays.push(
      await startRelay({
        port: await freePort(),
        dataDir: await tmp(),
        development: true,
        pin: i === 0,
        custodian: { waitMs: 1_500, pollMs: 100, caps: CAPS, chain: chain.chainOptions(CONFIRMATIONS) },
      }),
    );
  }
  expect(relays.map((r) => r.custodian!.confirmations)).toEqual([2, 2, 2]);
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
  for (const h of hostiles) await h.stop().catch(() => undefined);
  for (const r of relays) await r.stop().catch(() => undefined);
  await chain?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('custody attacks', () => {
  it("attack: hostile deposits before the owner's (unregistered α, another manifest, another signer) are refused by reason, and the owner's deposit then succeeds", async () => {
    const { alpha, stored } = await ownersGranule();
    const mallory = await chain.member();
    const malloryNode = await peer();
    // Mallory saw the manifest (it is pinned, hence public) and deposits it first, signed by herself.
    const early = await depositWithCustodians(malloryNode.libp2p, stored.manifestBytes, {
      signature: await chain.signDeposit(mallory.wallet, alpha, stored.manifestCid.bytes),
    });
    expect(early.custodians).toEqual([]);
    expect(early.refusals.map((r) => r.code)).toEqual(['not-registered', 'not-registered', 'not-registered']);
    expect(early.refusals[0]!.reason).toMatch(/is not registered on the registry .* with 2 confirmations.*nothing was stored/);

    await chain.register(owner, alpha, stored.manifestCid.bytes);
    await settle();
    // Her own manifest for the owner's α (her key, her shares), signed by her.
    const { stored: forged } = await storeFor(malloryNode, alpha);
    const other = await depositWithCustodians(malloryNode.libp2p, forged.manifestBytes, {
      signature: await chain.signDeposit(mallory.wallet, alpha, forged.manifestCid.bytes),
    });
    expect(other.refusals.map((r) => r.code)).toEqual(['manifest-mismatch', 'manifest-mismatch', 'manifest-mismatch']);
    // The registered manifest itself, signed by her, by nobody, or by a signature made for another α.
    const notOwner = await depositWithCustodians(malloryNode.libp2p, stored.manifestBytes, {
      signature: await chain.signDeposit(mallory.wallet, alpha, stored.manifestCid.bytes),
    });
    expect(notOwner.refusals.map((r) => r.code)).toEqual(['not-owner', 'not-owner', 'not-owner']);
    expect(notOwner.refusals[0]!.reason).toContain(mallory.address.toLowerCase());
    const unsigned = await depositWithCustodians(malloryNode.libp2p, stored.manifestBytes);
    expect(unsigned.refusals.map((r) => r.code)).toEqual(['bad-signature', 'bad-signature', 'bad-signature']);
    const replayed = await depositWithCustodians(malloryNode.libp2p, stored.manifestBytes, {
      signature: await chain.signDeposit(owner.wallet, '0x' + '00'.repeat(31) + '07', stored.manifestCid.bytes),
    });
    expect(replayed.refusals.map((r) => r.code)).toEqual(['not-owner', 'not-owner', 'not-owner']);
    // No custodian holds anything for α yet.
    for (const r of relays)
      expect(await releaseFrom(malloryNode, r, alpha, mallory.identity.publicKey, mallory.identity.x25519.publicKey)).toMatchObject({
        status: 'refused',
        code: 'unknown-granule',
      });

    const signature = await chain.signDeposit(owner.wallet, alpha, stored.manifestCid.bytes);
    const mine = await depositWithCustodians(ownerNode.libp2p, stored.manifestBytes, { signature });
    expect(mine.refusals).toEqual([]);
    expect(mine.custodians.sort()).toEqual(relays.map((r) => r.custodian!.x25519PublicKey).sort());
    // Idempotent: the same deposit again is accepted again.
    expect((await depositWithCustodians(ownerNode.libp2p, stored.manifestBytes, { signature })).custodians).toHaveLength(3);
  }, 120_000);

  it("attack: a hostile deposit after the owner's changes nothing: the user still rebuilds the owner's key", async () => {
    const { alpha, stored, archive } = await ownersGranule();
    await registerAndDeposit(alpha, stored);
    const mallory = await chain.member();
    const malloryNode = await peer();
    const { stored: forged } = await storeFor(malloryNode, alpha);
    const late = await depositWithCustodians(malloryNode.libp2p, forged.manifestBytes, {
      signature: await chain.signDeposit(mallory.wallet, alpha, forged.manifestCid.bytes),
    });
    expect(late.refusals.map((r) => r.code)).toEqual(['manifest-mismatch', 'manifest-mismatch', 'manifest-mismatch']);
    expect(late.refusals[0]!.reason).toMatch(/records another manifest/);
    // A deposit the owner really signed, for a manifest of an earlier publish of α that was never registered
    // (stopped half way, say), replayed by Mallory: the owner's signature does not make it the registered one.
    const stale = await storeGranule({
      helia: ownerNode.helia,
      archive,
      alpha,
      granule: GRANULE,
      k: 2,
      n: 3,
      custody: { threshold: 2, custodians: relays.map((r) => hexToBytes(r.custodian!.x25519PublicKey)) },
    });
    const replay = await depositWithCustodians(malloryNode.libp2p, stale.manifestBytes, {
      signature: await chain.signDeposit(owner.wallet, alpha, stale.manifestCid.bytes),
    });
    expect(replay.refusals.map((r) => r.code)).toEqual(['manifest-mismatch', 'manifest-mismatch', 'manifest-mismatch']);

    const user = await chain.member();
    await chain.instantiate(user, await chain.authorize(owner, alpha, user));
    await settle();
    const userNode = await peer();
    const key = await gatherGranuleKey({
      libp2p: userNode.libp2p,
      manifest: stored.manifest,
      userPk: user.identity.publicKey,
      userSecretKey: user.identity.x25519.secretKey,
      timeoutMs: 20_000,
    });
    expect(key).toEqual(stored.key);
    expect(await fetchGranule({ helia: userNode.helia, manifest: stored.manifest, key })).toEqual(archive);
  }, 120_000);

  it('attack: no custodian receives a key share before the registration is on chain with its confirmations', async () => {
    const { alpha, stored } = await ownersGranule();
    const signature = await chain.signDeposit(owner.wallet, alpha, stored.manifestCid.bytes);
    // Even the owner's own signed deposit, sent before registering (what publish did before issue 12).
    const before = await depositWithCustodians(ownerNode.libp2p, stored.manifestBytes, { signature });
    expect(before.custodians).toEqual([]);
    expect(before.refusals.map((r) => r.code)).toEqual(['not-registered', 'not-registered', 'not-registered']);
    for (const r of relays)
      expect(await releaseFrom(ownerNode, r, alpha, owner.identity.publicKey, owner.identity.x25519.publicKey)).toMatchObject({
        status: 'refused',
        code: 'unknown-granule',
      });
    // Mined but not yet 2 blocks deep: still nothing.
    await chain.register(owner, alpha, stored.manifestCid.bytes);
    const unsettled = await depositWithCustodians(ownerNode.libp2p, stored.manifestBytes, { signature });
    expect(unsettled.refusals.map((r) => r.code)).toEqual(['not-registered', 'not-registered', 'not-registered']);
    // The owner's flow may deposit right after its transaction and let the deposit wait for the confirmations.
    const waiting = depositWithCustodians(ownerNode.libp2p, stored.manifestBytes, { signature, retryMs: 20_000 });
    await new Promise((r) => setTimeout(r, 500));
    await settle();
    expect((await waiting).custodians).toHaveLength(3);
  }, 120_000);

  it('attack: hostile key shares beside t honest ones (claiming t = 1, a wrong y at an honest x, another granule) do not stop the fetch', async () => {
    const { alpha, stored, archive } = await ownersGranule();
    await registerAndDeposit(alpha, stored);
    const user = await chain.member();
    await chain.instantiate(user, await chain.authorize(owner, alpha, user));
    await settle();
    // The user's X25519 key is public (in the Instantiated event): anyone can seal a share to it. Hostile peers
    // announce the key release protocol and answer every user at once.
    const fake = randomBytes(32);
    // A liar's share has the length t = 2 implies, so it is not set aside on sight: only the commitment catches it.
    const liar = (x: number): GranuleKeyShare => ({ alpha, threshold: 1, total: 1, x, share: new Uint8Array([...fake, x]), commitment: keyCommitment(fake) });
    const honestX1 = (await splitGranuleKey(randomBytes(32), alpha, 2, 3))[0]!; // x = 1, a share of another key
    const foreign = (await splitGranuleKey(randomBytes(32), '0x' + 'ee'.repeat(32), 2, 3))[2]!;
    const hostileShares = [liar(3), liar(2), liar(1), honestX1, foreign];
    for (const share of hostileShares) {
      const port = await freePort();
      const h = await createRelayNode({ port, dataDir: await tmp(), development: true });
      await h.start();
      await handleJson(h.libp2p, KEY_RELEASE_PROTOCOL, async (request) => {
        const r = request as { user: string };
        return {
          status: 'released',
          custodian: bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey())),
          envelope: toBase64(releaseShare(share, hexToBytes(r.user))),
        };
      });
      hostiles.push(h);
    }
    // Exactly t = 2 honest custodians reachable (relays 0 and 1), five hostile ones.
    const reach = [addrs[0]!, addrs[1]!, ...hostiles.map((h) => h.libp2p.getMultiaddrs()[0]!.toString())];
    const userNode = await peer(reach, 7);
    const key = await gatherGranuleKey({
      libp2p: userNode.libp2p,
      manifest: stored.manifest,
      userPk: user.identity.publicKey,
      userSecretKey: user.identity.x25519.secretKey,
      timeoutMs: 20_000,
    });
    expect(bytesToHex(key)).toBe(bytesToHex(stored.key));
    expect(await fetchGranule({ helia: userNode.helia, manifest: stored.manifest, key })).toEqual(archive);
  }, 120_000);

  it('attack: a reorg that removes an instantiation before its confirmations releases nothing', async () => {
    const { alpha, stored, archive } = await ownersGranule();
    await registerAndDeposit(alpha, stored);
    const user = await chain.member();
    const authorized = await chain.authorize(owner, alpha, user);
    await settle();
    const userNode = await peer();
    const ask = (timeoutMs: number): Promise<Uint8Array> =>
      gatherGranuleKey({
        libp2p: userNode.libp2p,
        manifest: stored.manifest,
        userPk: user.identity.publicKey,
        userSecretKey: user.identity.x25519.secretKey,
        timeoutMs,
      });
    // The user asks right away (as the app does); the instantiation is mined and one more block on top of it.
    const pending = ask(8_000).catch((e: unknown) => e);
    await chain.instantiate(user, authorized);
    await chain.mine(1);
    expect(await chain.instantiatedAt(alpha, user.identity.publicKey)).not.toBe(0n);
    // While it is one block deep, every custodian is asked directly (each looks at the chain for up to 1.5 s).
    const during = await Promise.all(relays.map((r) => releaseFrom(userNode, r, alpha, user.identity.publicKey, user.identity.x25519.publicKey)));
    expect(during.map((a) => (a.status === 'refused' ? a.code : a.status))).toEqual(['not-instantiated', 'not-instantiated', 'not-instantiated']);
    // Then a reorg of depth 2 replaces both blocks: the instantiation is gone from the canonical chain.
    await chain.rpc('anvil_reorg', [2, []]);
    expect(await chain.instantiatedAt(alpha, user.identity.publicKey)).toBe(0n);
    await chain.mine(CONFIRMATIONS + 2); // the new chain grows well past the confirmations
    const outcome = await pending;
    expect(outcome).toBeInstanceOf(WaitingForKeyHoldersError);
    expect((outcome as Error).message).toMatch(/Waiting for 2 more key holders/);
    for (const r of relays)
      expect(await releaseFrom(userNode, r, alpha, user.identity.publicKey, user.identity.x25519.publicKey)).toMatchObject({
        status: 'refused',
        code: 'not-instantiated',
      });

    // Instantiated again on the canonical chain, with its confirmations: released.
    await chain.instantiate(user, authorized);
    await settle();
    const key = await ask(20_000);
    expect(await fetchGranule({ helia: userNode.helia, manifest: stored.manifest, key })).toEqual(archive);
  }, 120_000);

  it('attack: a release to an X25519 key that the chain does not record is refused', async () => {
    const { alpha, stored } = await ownersGranule();
    await registerAndDeposit(alpha, stored);
    const user = await chain.member();
    await chain.instantiate(user, await chain.authorize(owner, alpha, user));
    await settle();
    const mallory = x25519.utils.randomSecretKey();
    const malloryNode = await peer();
    for (const r of relays) {
      const wrong = await releaseFrom(malloryNode, r, alpha, user.identity.publicKey, x25519.getPublicKey(mallory));
      expect(wrong).toMatchObject({ status: 'refused', code: 'wrong-key' });
      expect((wrong as { reason: string }).reason).toMatch(/records another X25519 key/);
    }
    // Under her own (never instantiated) Pk: nothing either.
    const stranger = await chain.member();
    for (const r of relays)
      expect(await releaseFrom(malloryNode, r, alpha, stranger.identity.publicKey, stranger.identity.x25519.publicKey)).toMatchObject({
        status: 'refused',
        code: 'not-instantiated',
      });
    // The key recorded on chain gets its share.
    expect(await releaseFrom(malloryNode, relays[0]!, alpha, user.identity.publicKey, user.identity.x25519.publicKey)).toMatchObject({ status: 'released' });
  }, 120_000);

  it("attack: deposit and key-request floods hit the per-peer, per-α and size caps with a clear message, and the owner's deposit still succeeds", async () => {
    const flooder = await chain.member();
    const floodNode = await peer();
    // 25 junk deposits for made-up α from one peer to one custodian: 20 are looked at, the rest refused at once.
    const junk = await Promise.all(
      Array.from({ length: 25 }, async () => {
        const fakeAlpha = '0x' + randomBytes(32).toString('hex');
        const { stored } = await storeFor(floodNode, fakeAlpha);
        return { bytes: stored.manifestBytes, signature: await chain.signDeposit(flooder.wallet, fakeAlpha, stored.manifestCid.bytes) };
      }),
    );
    const answers = await Promise.all(junk.map((j) => depositTo(floodNode, relays[1]!, j.bytes, j.signature)));
    const codes = answers.map((a) => (a.status === 'refused' ? a.code : 'accepted'));
    expect(codes.filter((c) => c === 'peer-cap')).toHaveLength(5);
    expect(codes.filter((c) => c === 'not-registered' || c === 'alpha-cap')).toHaveLength(20);
    const capped = answers.find((a) => a.status === 'refused' && a.code === 'peer-cap') as { reason: string };
    expect(capped.reason).toMatch(/at most 20 deposits per peer in 60 minutes.*Nothing was stored; try again in \d+ minute/);

    // Many peers' deposits of the owner's α before it is registered: 3 may wait for the registration, the rest are
    // refused at once; none of it blocks the owner.
    const { alpha, stored } = await ownersGranule();
    const crowd = await peer();
    const wave = await Promise.all(Array.from({ length: 8 }, () => depositTo(crowd, relays[2]!, stored.manifestBytes, '0x' + '11'.repeat(65))));
    expect(wave.filter((a) => a.status === 'refused' && a.code === 'bad-signature')).toHaveLength(8);
    const signedWave = await Promise.all(
      Array.from({ length: 8 }, async () =>
        depositTo(crowd, relays[2]!, stored.manifestBytes, await chain.signDeposit(flooder.wallet, alpha, stored.manifestCid.bytes)),
      ),
    );
    const waveCodes = signedWave.map((a) => (a.status === 'refused' ? a.code : 'accepted'));
    expect(waveCodes.filter((c) => c === 'alpha-cap')).toHaveLength(5);
    expect(waveCodes.filter((c) => c === 'not-registered')).toHaveLength(3);
    expect((signedWave.find((a) => a.status === 'refused' && a.code === 'alpha-cap') as { reason: string }).reason).toMatch(
      /3 deposits of granule 0x[0-9a-f]+… are already waiting for its registration/,
    );

    // An oversized manifest is refused before it is parsed.
    const big = new Uint8Array(CAPS.manifestBytes + 1024);
    expect(await depositTo(crowd, relays[0]!, big, '0x')).toMatchObject({ status: 'refused', code: 'too-large' });

    await registerAndDeposit(alpha, stored);

    // Key requests held open by one peer (each would wait for an instantiation): 4 wait, the rest are refused.
    const asks = await Promise.all(
      Array.from({ length: 7 }, () => {
        const who = x25519.utils.randomSecretKey();
        return releaseFrom(crowd, relays[0]!, alpha, BigInt('0x' + randomBytes(16).toString('hex')), x25519.getPublicKey(who));
      }),
    );
    const askCodes = asks.map((a) => (a.status === 'refused' ? a.code : a.status));
    expect(askCodes.filter((c) => c === 'peer-cap')).toHaveLength(3);
    expect(askCodes.filter((c) => c === 'not-instantiated')).toHaveLength(4);
  }, 180_000);
});
