// The IPFS Pinning Service API on community nodes, against a real chain and real nodes: what `curl` sees (statuses,
// errors, bearer tokens of members only), the member quota shared with the libp2p protocol, and the owner's
// publication pinned through three nodes with a replication factor of 3 — after which one node is lost and the user
// still gets the granule byte for byte.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { generatePrivateKey } from 'viem/accounts';
import { createIdentity } from '../src/lib/identity/index';
import { createIdentityFile } from '../src/lib/zk/identity-file';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { freePort } from '../scripts/stack/ports';
import { packGranule } from '../src/lib/granule/index';
import { sampleFiles } from '../src/lib/granule/test-fixture';
import { receiveGranule, shareGranule } from '../src/lib/sharing/index';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { KEY_RELEASE_PROTOCOL } from '../src/lib/p2p/protocols';
import { createPinningToken, parsePinningChallenge, pinWithServices, type PinningServiceChallenge } from '../src/lib/p2p/index';
import { startRelay, type RunningRelay } from './relay';
import { startCustodyChain, type CustodyChain, type Member } from './testing/custody-chain';

let chain: CustodyChain;
const relays: RunningRelay[] = [];
const nodes: TwingrainNode[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  for (const r of relays) await r.stop().catch(() => undefined);
  await chain?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

beforeAll(async () => {
  chain = await startCustodyChain();
  for (let i = 0; i < 3; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'tg-pins-api-'));
    dirs.push(dataDir);
    relays.push(
      await startRelay({
        port: await freePort(),
        dataDir,
        development: true,
        // A small member quota, to see it bite and be given back.
        pin: { api: { port: 0 }, memberQuota: { bytes: 1024 * 1024, count: 1 } },
        custodian: { waitMs: 2_000, pollMs: 100, chain: chain.chainOptions() },
      }),
    );
  }
  await chain.listCustodians(
    relays.map((r) => r.custodian!.x25519PublicKey),
    2,
  );
}, 180_000);

const api = (i: number): string => `${relays[i]!.pinning!.apiUrl!}/pins`;

async function challengeOf(i: number): Promise<PinningServiceChallenge> {
  const r = await fetch(api(i));
  expect(r.status).toBe(401);
  return parsePinningChallenge(r.headers.get('www-authenticate'))!;
}

/** A raw block only `node` has. */
async function contentOn(node: TwingrainNode, bytes = 4096): Promise<CID> {
  const block = new Uint8Array(randomBytes(bytes));
  const cid = CID.createV1(raw.code, await sha256.digest(block));
  await node.helia.blockstore.put(cid, block);
  return cid;
}

async function until(i: number, token: string, requestid: string, statuses: string[]): Promise<Record<string, unknown>> {
  for (const deadline = Date.now() + 60_000; ; ) {
    const status = (await (await fetch(`${api(i)}/${requestid}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;
    if (statuses.includes(String(status.status)) || Date.now() > deadline) return status;
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the IPFS Pinning Service API on a community node', () => {
  let member: Member;
  let token: string;
  let node: TwingrainNode;

  beforeAll(async () => {
    member = await chain.member();
    token = await createPinningToken(member.wallet, await challengeOf(0));
    node = await createNodeNode({ multiaddrs: [relays[0]!.multiaddrs[0]!], development: true });
    nodes.push(node);
    await node.supervisor.relayConnected();
  }, 60_000);

  it('answers 401 with a challenge to anyone without a member token signed for this node', async () => {
    const bare = await fetch(api(0));
    expect(bare.status).toBe(401);
    expect(((await bare.json()) as { error: { reason: string } }).error.reason).toBe('UNAUTHORIZED');
    const challenge = parsePinningChallenge(bare.headers.get('www-authenticate'))!;
    expect(challenge).toEqual({ service: relays[0]!.peerId, chainId: chain.chainId, registry: chain.registry });

    const bearer = (t: string): Promise<Response> => fetch(api(0), { headers: { authorization: `Bearer ${t}` } });
    // A funded wallet that never enrolled: its signature is valid, its membership is not.
    const stranger = await chain.wallet();
    const strangers = await bearer(await createPinningToken(stranger, challenge));
    expect(strangers.status).toBe(401);
    expect(await strangers.text()).toMatch(/is not a member of this community's Consortium/);
    // A member's token made for another node is worth nothing here.
    const elsewhere = await bearer(await createPinningToken(member.wallet, await challengeOf(1)));
    expect(elsewhere.status).toBe(401);
    expect(await elsewhere.text()).toMatch(/made for another pinning service/);
    // The claims changed after signing (another account, a later expiry): the signature no longer matches.
    const [prefix, body, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${prefix}.${Buffer.from(JSON.stringify({ ...claims, account: stranger.account.address })).toString('base64url')}.${signature}`;
    const forgedAnswer = await bearer(forged);
    expect(forgedAnswer.status).toBe(401);
    expect(await forgedAnswer.text()).toMatch(/not signed by the account it names|signature on this pinning token is not valid/);
    expect((await bearer('tgpin1.nonsense.0x12')).status).toBe(401);
    expect((await bearer(token)).status).toBe(200);

    // `twingrain pin-token` learns the challenge and signs; a node refuses an identity whose wallet is no member.
    const dir = await mkdtemp(join(tmpdir(), 'tg-pin-token-'));
    dirs.push(dir);
    const file = join(dir, 'stranger.json');
    await writeFile(file, JSON.stringify(await createIdentityFile(createIdentity(), generatePrivateKey())));
    const { command } = await import('../src/cli/commands/pin-token');
    await expect(command.run(['--identity', file, '--endpoint', relays[0]!.pinning!.apiUrl!])).rejects.toThrow(
      /The node refused the token: 0x[0-9a-f]{40} is not a member/,
    );
    await expect(command.run(['--identity', file, '--endpoint', 'http://127.0.0.1:9'])).rejects.toThrow(/cannot be reached/);
    await expect(command.run(['--identity', file])).rejects.toThrow(/--endpoint <url> is required/);
  });

  it("pins a member's CID through queued → pinned, lists and filters it, refuses bad input, and deletes it (quota given back)", async () => {
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const bad = await fetch(api(0), { method: 'POST', headers: auth, body: JSON.stringify({ cid: 'not-a-cid' }) });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { reason: string; details: string } }).error).toMatchObject({
      reason: 'BAD_REQUEST',
      details: expect.stringMatching(/is not a CID/),
    });
    expect((await fetch(api(0), { method: 'POST', headers: auth, body: '{' })).status).toBe(400);

    const first = await contentOn(node);
    const posted = await fetch(api(0), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ cid: first.toString(), name: 'Printer calibration', origins: node.libp2p.getMultiaddrs().map(String), meta: { kind: 'notes' } }),
    });
    expect(posted.status).toBe(202);
    const created = (await posted.json()) as { requestid: string; status: string; created: string; pin: { cid: string }; delegates: string[] };
    expect(created).toMatchObject({ status: 'queued', pin: { cid: first.toString(), name: 'Printer calibration' } });
    expect(created.delegates.length).toBeGreaterThan(0);
    expect(await until(0, token, created.requestid, ['pinned', 'failed'])).toMatchObject({ status: 'pinned' });

    const list = async (query: string): Promise<{ count: number; results: Array<{ requestid: string; status: string }> }> =>
      (await (await fetch(`${api(0)}${query}`, { headers: auth })).json()) as { count: number; results: Array<{ requestid: string; status: string }> };
    expect(await list('')).toMatchObject({ count: 1, results: [{ requestid: created.requestid, status: 'pinned' }] });
    expect((await list('?name=calibration&match=ipartial')).count).toBe(1);
    expect((await list('?name=calibration&match=exact')).count).toBe(0);
    expect((await list(`?cid=${first}`)).count).toBe(1);
    expect((await list('?status=failed')).count).toBe(0);
    expect((await list(`?meta=${encodeURIComponent(JSON.stringify({ kind: 'notes' }))}`)).count).toBe(1);
    expect((await fetch(`${api(0)}?status=done`, { headers: auth })).status).toBe(400);
    // A meta filter that is JSON but not an object of strings is the caller's mistake (400), not the node's (500).
    for (const meta of ['null', '[1]', '{"kind":3}']) {
      const answer = await fetch(`${api(0)}?meta=${encodeURIComponent(meta)}`, { headers: auth });
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { details: string } }).error.details).toMatch(/"meta" is an object of at most 20 string values/);
    }
    const originsBad = await fetch(api(0), { method: 'POST', headers: auth, body: JSON.stringify({ cid: first.toString(), origins: [7] }) });
    expect(((await originsBad.json()) as { error: { details: string } }).error.details).toBe('"origins" is a list of at most 20 multiaddrs.');
    const noCid = await fetch(api(0), { method: 'POST', headers: auth, body: JSON.stringify({ name: 'x' }) });
    expect(((await noCid.json()) as { error: { details: string } }).error.details).toBe('"cid" is required: the CID to pin.');
    // Another member cannot see or delete it.
    const other = await chain.member();
    const otherToken = await createPinningToken(other.wallet, await challengeOf(0));
    expect((await fetch(`${api(0)}/${created.requestid}`, { headers: { authorization: `Bearer ${otherToken}` } })).status).toBe(404);
    expect((await fetch(`${api(0)}/${created.requestid}`, { method: 'DELETE', headers: { authorization: `Bearer ${otherToken}` } })).status).toBe(404);

    // The quota (one root here) is the libp2p protocol's: a second root fails with its code, until the first goes.
    const second = await contentOn(node);
    const over = (await (await fetch(api(0), { method: 'POST', headers: auth, body: JSON.stringify({ cid: second.toString() }) })).json()) as {
      requestid: string;
    };
    expect(await until(0, token, over.requestid, ['failed', 'pinned'])).toMatchObject({ status: 'failed', info: { code: 'PIN_MEMBER_QUOTA' } });
    expect((await fetch(`${api(0)}/${created.requestid}`, { method: 'DELETE', headers: auth })).status).toBe(202);
    expect((await fetch(`${api(0)}/${created.requestid}`, { headers: auth })).status).toBe(404);
    // Replacing the failed request with the same pin now fits the quota.
    const replaced = await fetch(`${api(0)}/${over.requestid}`, { method: 'POST', headers: auth, body: JSON.stringify({ cid: second.toString() }) });
    expect(replaced.status).toBe(202);
    const again = (await replaced.json()) as { requestid: string };
    expect(again.requestid).not.toBe(over.requestid);
    expect(await until(0, token, again.requestid, ['pinned', 'failed'])).toMatchObject({ status: 'pinned' });
    expect((await fetch(`${api(0)}/${over.requestid}`, { headers: auth })).status).toBe(404);
  }, 120_000);
});

describe("an owner pins its granule through three nodes' Pinning Service APIs (replication 3); one node is lost", () => {
  it('the user still gets the granule from the two left, byte for byte', async () => {
    const owner = await chain.member();
    const user = await chain.member();
    const addrs = relays.map((r) => r.multiaddrs[0]!);
    const ownerNode = await createNodeNode({ multiaddrs: addrs, development: true });
    nodes.push(ownerNode);
    await ownerNode.supervisor.relayConnected();
    await expect.poll(async () => (await peersWithProtocol(ownerNode.libp2p, KEY_RELEASE_PROTOCOL)).length, { timeout: 15_000 }).toBe(3);

    const granule = packGranule({ files: { ...sampleFiles({ name: 'pins/mechanical' }), 'assets/blob.bin': new Uint8Array(randomBytes(200 * 1024)) } });
    const progress: string[] = [];
    const shared = await shareGranule({
      publicClient: chain.publicClient,
      walletClient: owner.wallet,
      registry: chain.registry,
      consortium: chain.consortium,
      prover: chain.prover,
      secret: owner.identity.secret,
      granule: { alpha: granule.alpha, manifest: granule.manifest, archive: granule.bytes },
      peer: async () => ownerNode,
      pinning: { services: relays.map((r) => ({ endpoint: r.pinning!.apiUrl! })), replication: 3 },
      onProgress: (l) => progress.push(l),
    });
    expect(shared.published).toMatchObject({ pinnedBy: 3, depositedWith: 3, threshold: 2 });
    expect(progress.filter((l) => l.startsWith('pinned by the pinning service at'))).toHaveLength(3);
    // Asking again is harmless (the nodes already hold it), and a service that is not there counts as a failure.
    const cid = CID.parse(shared.published!.manifestCid);
    await expect(pinWithServices({ services: [{ endpoint: 'http://127.0.0.1:9' }], replication: 1, cids: [cid] })).rejects.toThrow(
      /Only 0 of the 1 pinning services.*cannot be reached/,
    );

    const authorized = await chain.authorize(owner, granule.alphaHex, user);
    await ownerNode.stop();
    await chain.instantiate(user, authorized);
    // One of the three pinning nodes is lost for good.
    await relays[2]!.stop();

    const userNode = await createNodeNode({ multiaddrs: addrs.slice(0, 2), development: true });
    nodes.push(userNode);
    await userNode.supervisor.relayConnected();
    const result = await receiveGranule({
      publicClient: chain.publicClient,
      registry: chain.registry,
      alpha: granule.alpha,
      userPk: user.identity.publicKey,
      helia: userNode.helia,
      userSecretKey: user.identity.x25519.secretKey,
      keyTimeoutMs: 30_000,
      relayPeerIds: userNode.supervisor.relayPeerIds,
    });
    expect(result.archive).toEqual(granule.bytes);
    expect(result.sources.every((s) => s.peerId !== relays[2]!.peerId)).toBe(true);
  }, 180_000);
});
