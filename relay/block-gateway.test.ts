// The pinning relay's block gateway (an IPFS Trustless Gateway of raw blocks) and the light node fetching granules
// through it: a real relay that pins, real Helia nodes, Helia's own trustless-gateway block broker, real HTTP.
import '../src/lib/p2p/websocket-global.node.ts';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { FsBlockstore } from 'blockstore-fs';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/stack/ports';
import { alphaHex } from '../src/lib/granule/index';
import { sourcedBlocks } from '../src/lib/p2p/block-sources';
import { fetchGranule, storeGranule, type StoreGranuleReturnType } from '../src/lib/p2p/granule-store';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import { pinOnRelays } from '../src/lib/p2p/pin-protocol';
import { randomPayload } from '../src/lib/p2p/transfer-test';
import type { RelayLimitEvent } from '../src/lib/p2p/index';
import { startRelay, type RunningRelay } from './relay';

let relay: RunningRelay;
let dir: string;
let archive: Uint8Array;
let stored: StoreGranuleReturnType;
const nodes: TwingrainNode[] = [];
const servers: Server[] = [];

async function node(gateways?: string[]): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: relay.multiaddrs, development: true, ...(gateways ? { gateways } : {}) });
  nodes.push(n);
  await n.supervisor.relayConnected();
  return n;
}

/** GET (or another method) on the gateway; the body as bytes. */
function get(
  url: string,
  o: { accept?: string; method?: string; localAddress?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: o.method ?? 'GET', headers: o.accept ? { accept: o.accept } : {}, ...(o.localAddress ? { localAddress: o.localAddress } : {}) },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: new Uint8Array(Buffer.concat(parts)) }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const RAW = 'application/vnd.ipld.raw';
const gateway = (): string => relay.pinning!.gatewayUrl!;

/** The user's side of a retrieve after the key release: shards from wherever sourcedBlocks finds them. */
async function retrieve(user: TwingrainNode): Promise<{ archive: Uint8Array; sources: Array<[string, string]> }> {
  const sourced = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds });
  const out = await fetchGranule({ helia: sourced.helia, prefetch: sourced.prefetch, manifest: stored.manifest, key: stored.key, shardTimeoutMs: 20_000 });
  return { archive: out, sources: sourced.sources().map((s) => [s.peerId, s.via]) };
}

/** The leaves of a shard, read from the owner's copy. */
async function leavesOf(owner: TwingrainNode, shard: CID): Promise<CID[]> {
  const parts: Uint8Array[] = [];
  for await (const p of owner.helia.blockstore.get(shard, { offline: true })) parts.push(p);
  return dagPb.decode(Buffer.concat(parts)).Links.map((l) => l.Hash);
}

/** An HTTP server in front of the real gateway that flips a byte of each block named in `alter`. */
async function alteringGateway(alter: Set<string>): Promise<string> {
  const server = createServer((req, res) => {
    const cid = /^\/ipfs\/([A-Za-z0-9]+)/.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1];
    get(`${gateway()}${req.url}`, { accept: req.headers.accept ?? RAW }).then(
      (r) => {
        const body = Buffer.from(r.body);
        if (r.status === 200 && cid && alter.has(cid)) body.writeUInt8(body.readUInt8(body.length >> 1) ^ 0xff, body.length >> 1);
        res.writeHead(r.status, { 'content-type': RAW, 'content-length': String(body.length), 'access-control-allow-origin': '*' }).end(body);
      },
      () => res.writeHead(502).end(),
    );
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let owner: TwingrainNode;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twingrain-gateway-'));
  relay = await startRelay({ port: await freePort(), dataDir: join(dir, 'relay'), development: true, pin: { gateway: { port: 0 } } });
  owner = await node();
  archive = randomPayload(1_500_000);
  stored = await storeGranule({
    helia: owner.helia,
    archive,
    alpha: alphaHex(archive),
    granule: { name: 'gateway test', version: '1', description: '', domain: '', context: '', printers: [], tags: [], license: '' },
    k: 2,
    n: 3,
    custody: { threshold: 1, custodians: [x25519.getPublicKey(x25519.utils.randomSecretKey())] },
  });
  // A member's content, pinned by the relay (as if enrolled on chain).
  const member = privateKeyToAccount(generatePrivateKey());
  relay.pinning!.records.addMember(member.address);
  // The relay's protocols are known once identify has run.
  for (let tries = 0; ; tries++) {
    const pinned = await pinOnRelays(owner.libp2p, { cids: stored.cids, member });
    if (pinned.pinnedBy.length === 1) break;
    if (tries > 100 || pinned.errors.length + pinned.refusals.length > 0) throw new Error(`not pinned: ${JSON.stringify(pinned)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}, 60_000);

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  for (const s of servers) s.closeAllConnections(), s.close();
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the pinning relay as a block gateway', () => {
  it('serves the blocks it pins as raw blocks, each hashing to its ID, and answers anything else with a clear status', async () => {
    const shard = CID.parse(stored.manifest.shards[0]!.cid);
    const ok = await get(`${gateway()}/ipfs/${shard}`, { accept: RAW });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe(RAW);
    expect(ok.headers['access-control-allow-origin']).toBe('*');
    expect(ok.headers['cache-control']).toContain('immutable');
    expect((await sha256.digest(ok.body)).digest).toEqual(shard.multihash.digest);
    // ?format=raw stands for the Accept header; HEAD gives the size only.
    expect((await get(`${gateway()}/ipfs/${shard}?format=raw`)).body).toEqual(ok.body);
    const head = await get(`${gateway()}/ipfs/${shard}`, { accept: RAW, method: 'HEAD' });
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, String(ok.body.length), 0]);

    expect((await get(`${gateway()}/ipfs/${shard}`)).status).toBe(406);
    expect((await get(`${gateway()}/ipfs/${shard}?format=car`)).status).toBe(406);
    expect((await get(`${gateway()}/ipfs/${shard}/0`, { accept: RAW })).status).toBe(400);
    expect((await get(`${gateway()}/ipfs/not-a-cid`, { accept: RAW })).status).toBe(400);
    expect((await get(`${gateway()}/ipfs/${shard}`, { accept: RAW, method: 'POST' })).status).toBe(405);
    const unknown = CID.createV1(raw.code, await sha256.digest(randomPayload(64)));
    const missing = await get(`${gateway()}/ipfs/${unknown}`, { accept: RAW });
    expect(missing.status).toBe(404);
    expect(new TextDecoder().decode(missing.body)).toMatch(/does not keep/);
  });

  it('attack: a block the relay holds but has not pinned (a refused or unfinished pin request) is not served over HTTP', async () => {
    // As a pin request the relay later refuses leaves it for a moment: stored, not pinned. Bitswap would give it to
    // any peer; the gateway serves only what the relay keeps.
    const bytes = randomPayload(1000);
    const cid = CID.createV1(raw.code, await sha256.digest(bytes));
    const disk = new FsBlockstore(join(dir, 'relay', 'blocks'));
    await disk.open();
    await disk.put(cid, bytes);
    await disk.close();
    const answer = await get(`${gateway()}/ipfs/${cid}`, { accept: RAW });
    expect(answer.status).toBe(404);
    // A pinned one next to it is served.
    expect((await get(`${gateway()}/ipfs/${stored.manifest.shards[1]!.cid}`, { accept: RAW })).status).toBe(200);
  });

  it('attack: one address flooding the gateway is refused past its quota with 429, and another address is still served', async () => {
    const refusals: RelayLimitEvent[] = [];
    const small = await startRelay({
      port: await freePort(),
      dataDir: join(dir, 'small'),
      development: true,
      onLimit: (e) => refusals.push(e),
      log: () => undefined,
      pin: { gateway: { port: 0, limits: { perClientRequests: 20, windowMs: 60_000 } } },
    });
    try {
      const url = `${small.pinning!.gatewayUrl!}/ipfs/${stored.manifest.shards[0]!.cid}`;
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) statuses.push((await get(url, { accept: RAW })).status);
      // Nothing is pinned there: 404 for the first 20, 429 after.
      expect(statuses.filter((s) => s === 404)).toHaveLength(20);
      expect(statuses.filter((s) => s === 429)).toHaveLength(10);
      const refused = await get(url, { accept: RAW });
      expect([refused.status, refused.headers['retry-after']]).toEqual([429, '1']);
      expect(new TextDecoder().decode(refused.body)).toMatch(/Too many block requests/);
      // The operator hears of it, by code and address.
      expect(refusals).toHaveLength(11);
      expect(refusals[0]).toMatchObject({ service: 'gateway', code: 'GATEWAY_RATE', peer: '127.0.0.1' });
      // Another client (another loopback address) has its own quota.
      expect((await get(url, { accept: RAW, localAddress: '127.0.0.2' })).status).toBe(404);
    } finally {
      await small.stop();
    }
  });
});

describe('`twingrain relay --pin`', () => {
  it('serves its block gateway on --gateway-port (any free port with 0) and says where on stderr; the flag needs --pin', async () => {
    const bin = join(import.meta.dirname, '../bin/twingrain.js');
    // A pinning relay reads its chain from the runtime config; this one's chain is not running, which only delays
    // the relay's chain reads (nothing here needs them).
    const config = join(dir, 'cli-config.json');
    await writeFile(
      config,
      JSON.stringify({
        chain: { rpcUrl: `http://127.0.0.1:${await freePort()}`, chainId: 31337, contracts: { GranuleRegistry: `0x${'1'.repeat(40)}` } },
        relay: { multiaddrs: [] },
      }),
    );
    const child = spawn(process.execPath, [bin, 'relay', '--port', '0', '--data-dir', join(dir, 'cli'), '--config', config, '--pin', '--gateway-port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    try {
      let stderr = '';
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /block gateway \(IPFS Trustless Gateway\): (http:\/\/\S+)\/ipfs\/<cid>/.exec(stderr);
          if (m) resolveUrl(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`twingrain relay exited ${code}: ${stderr}`)));
      });
      const unknown = CID.createV1(raw.code, await sha256.digest(randomPayload(64)));
      expect((await get(`${url}/ipfs/${unknown}`, { accept: RAW })).status).toBe(404);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    const refused = spawnSync(process.execPath, [bin, 'relay', '--port', '0', '--data-dir', join(dir, 'cli2'), '--gateway-port', '0'], { encoding: 'utf8' });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('--gateway-port serves the blocks a pinning relay keeps: add --pin.');
  }, 60_000);
});

describe('a light node fetching granules through the block gateway', () => {
  it('takes every shard block from the gateway over HTTP, each checked, and the granule decrypts', async () => {
    const user = await node([gateway()]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    expect(got.sources).toEqual([[gateway(), 'gateway']]);
  });

  it('falls back to the relay over libp2p when the gateway is unreachable or absent', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const user = await node([dead]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    expect(got.sources).toEqual([[relay.peerId, 'relay']]);
    const plain = await node();
    expect((await retrieve(plain)).sources).toEqual([[relay.peerId, 'relay']]);
  });

  it('attack: a gateway serving altered bytes for a block cannot get them stored; the granule arrives intact from the relay', async () => {
    // One leaf in the middle of each shard is altered; everything else is the relay's true bytes.
    const victims = new Set<string>();
    for (const shard of stored.manifest.shards) {
      const leaves = await leavesOf(owner, CID.parse(shard.cid));
      victims.add(leaves[Math.floor(leaves.length / 2)]!.toString());
    }
    const hostile = await alteringGateway(victims);
    const user = await node([hostile]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    // The relay delivered what the gateway could not (at least the altered leaves), and what is stored is true.
    expect(got.sources.map(([, via]) => via)).toContain('relay');
    for (const victim of victims) {
      const cid = CID.parse(victim);
      if (!(await user.helia.blockstore.has(cid))) continue;
      const parts: Uint8Array[] = [];
      for await (const p of user.helia.blockstore.get(cid, { offline: true })) parts.push(p);
      expect((await sha256.digest(Buffer.concat(parts))).digest).toEqual(cid.multihash.digest);
    }
  });
});
