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
import { MemoryBlockstore } from 'blockstore-core';
import { FsBlockstore } from 'blockstore-fs';
import { unixfs } from '@helia/unixfs';
import { CarBlockIterator } from '@ipld/car/iterator';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { CarWriter } from '@ipld/car/writer';
import * as dagPb from '@ipld/dag-pb';
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../scripts/stack/ports';
import { alphaHex } from '../src/lib/granule/index';
import { sourcedBlocks, type SourceFailure } from '../src/lib/p2p/block-sources';
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

async function node(gateways?: string[], options: { gatewayBlocksOnly?: boolean } = {}): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: relay.multiaddrs, development: true, ...(gateways ? { gateways } : {}) }, options);
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
        // A response the server cut short (a CAR it could not finish) is an error, not a hang.
        res.on('aborted', () => reject(new Error('the response was cut short')));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const RAW = 'application/vnd.ipld.raw';
const CAR = 'application/vnd.ipld.car';
const gateway = (): string => relay.pinning!.gatewayUrl!;

/** The user's side of a retrieve after the key release: shards from wherever sourcedBlocks finds them. */
async function retrieve(user: TwingrainNode): Promise<{ archive: Uint8Array; sources: Array<[string, string]>; failures: SourceFailure[] }> {
  const sourced = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds });
  const out = await fetchGranule({ helia: sourced.helia, prefetch: sourced.prefetch, manifest: stored.manifest, key: stored.key, shardTimeoutMs: 20_000 });
  return { archive: out, sources: sourced.sources().map((s) => [s.peerId, s.via]), failures: sourced.failures() };
}

/** The blocks of a CAR, in order, and its header's roots. */
async function readCar(body: Uint8Array): Promise<{ roots: CID[]; blocks: Array<{ cid: CID; bytes: Uint8Array }> }> {
  const it = await CarBlockIterator.fromBytes(body);
  const blocks: Array<{ cid: CID; bytes: Uint8Array }> = [];
  for await (const b of it) blocks.push({ cid: b.cid, bytes: b.bytes });
  return { roots: await it.getRoots(), blocks };
}

/** A CAR of these blocks under these roots. */
async function writeCar(roots: CID[], blocks: Array<{ cid: CID; bytes: Uint8Array }>): Promise<Buffer> {
  const { writer, out } = CarWriter.create(roots);
  const parts: Uint8Array[] = [];
  const collecting = (async () => {
    for await (const p of out) parts.push(p);
  })();
  for (const b of blocks) await writer.put(b);
  await writer.close();
  await collecting;
  return Buffer.concat(parts);
}

/**
 * An HTTP server in front of the real gateway that passes raw blocks through and lets a test rewrite CAR responses
 * (`car` gets the CAR's bytes and the shard root; what it returns is sent with the gateway's headers). Every request
 * path is recorded.
 */
async function carRewritingGateway(car: (body: Buffer, root: string) => Buffer | Promise<Buffer>): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const root = /^\/ipfs\/([A-Za-z0-9]+)/.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1] ?? '';
    get(`${gateway()}${req.url}`, { ...(req.headers.accept ? { accept: req.headers.accept } : {}) })
      .then(async (r) => {
        const type = String(r.headers['content-type'] ?? '');
        const body = r.status === 200 && type.startsWith(CAR) ? await car(Buffer.from(r.body), root) : Buffer.from(r.body);
        res.writeHead(r.status, { 'content-type': type, 'content-length': String(body.length), 'access-control-allow-origin': '*' }).end(body);
      })
      .catch(() => res.writeHead(502).end());
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

/** Whether the block was asked for alone (a raw-block request, with or without ?format=raw). */
function askedAlone(requests: string[], cid: CID | string): boolean {
  return requests.some((r) => {
    const url = new URL(r, 'http://x');
    return url.pathname === `/ipfs/${cid.toString()}` && url.searchParams.get('format') !== 'car';
  });
}

/** The block's bytes in this node's own store, or undefined. */
async function storedBytes(n: TwingrainNode, cid: CID): Promise<Uint8Array | undefined> {
  if (!(await n.helia.blockstore.has(cid))) return undefined;
  const parts: Uint8Array[] = [];
  for await (const p of n.helia.blockstore.get(cid, { offline: true })) parts.push(p);
  return Buffer.concat(parts);
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
const member = privateKeyToAccount(generatePrivateKey());

/** Pins these roots on `on` as the member's content (the owner serves the blocks). */
async function pinAsMember(on: RunningRelay, cids: CID[]): Promise<void> {
  for (let tries = 0; ; tries++) {
    const pinned = await pinOnRelays(owner.libp2p, { cids, member });
    if (pinned.pinnedBy.includes(on.peerId)) return;
    if (tries > 100 || pinned.errors.length + pinned.refusals.length > 0) throw new Error(`not pinned: ${JSON.stringify(pinned)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

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
  // A member's content, pinned by the relay (as if enrolled on chain). The relay's protocols are known once
  // identify has run.
  relay.pinning!.records.addMember(member.address);
  await pinAsMember(relay, stored.cids);
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
    expect((await get(`${gateway()}/ipfs/${shard}?format=dag-json`)).status).toBe(406);
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

  it('serves a pinned DAG as one CAR (version 1, depth first, each block once), every block hashing to its ID, and refuses what it does not send', async () => {
    const shard = CID.parse(stored.manifest.shards[0]!.cid);
    const leaves = await leavesOf(owner, shard);
    const car = await get(`${gateway()}/ipfs/${shard}?format=car&dag-scope=all`, { accept: CAR });
    expect(car.status).toBe(200);
    expect(car.headers['content-type']).toBe('application/vnd.ipld.car; version=1; order=dfs; dups=n');
    expect(car.headers['content-disposition']).toBe(`attachment; filename="${shard}.car"`);
    expect(car.headers.etag).toBe(`"${shard}.car.v1.dfs.n.all"`);
    expect(car.headers['access-control-allow-origin']).toBe('*');
    const { roots, blocks } = await readCar(car.body);
    expect(roots.map(String)).toEqual([shard.toString()]);
    expect(blocks.map((b) => b.cid.toString())).toEqual([shard, ...leaves].map(String));
    for (const b of blocks) expect((await sha256.digest(b.bytes)).digest).toEqual(b.cid.multihash.digest);
    // The Accept header alone asks for the same CAR, and is told its URL.
    const byAccept = await get(`${gateway()}/ipfs/${shard}`, { accept: `${CAR}; version=1; order=dfs; dups=n` });
    expect([byAccept.status, Buffer.compare(byAccept.body, car.body)]).toEqual([200, 0]);
    expect(byAccept.headers['content-location']).toBe(`/ipfs/${shard}?format=car&dag-scope=all`);
    // The root alone; HEAD gives the headers only.
    const root = await readCar((await get(`${gateway()}/ipfs/${shard}?format=car&dag-scope=block`)).body);
    expect(root.blocks.map((b) => b.cid.toString())).toEqual([shard.toString()]);
    const head = await get(`${gateway()}/ipfs/${shard}?format=car`, { method: 'HEAD' });
    expect([head.status, head.headers['content-type'], head.body.length]).toEqual([200, car.headers['content-type'], 0]);
    // Variants it does not send: duplicates, other versions, entities, byte ranges, paths.
    expect((await get(`${gateway()}/ipfs/${shard}?format=car&car-dups=y`)).status).toBe(400);
    expect((await get(`${gateway()}/ipfs/${shard}?format=car&car-version=2`)).status).toBe(400);
    expect((await get(`${gateway()}/ipfs/${shard}`, { accept: `${CAR}; dups=y` })).status).toBe(406);
    expect((await get(`${gateway()}/ipfs/${shard}?format=car&dag-scope=entity`)).status).toBe(400);
    expect((await get(`${gateway()}/ipfs/${shard}?format=car&entity-bytes=0:10`)).status).toBe(400);
    expect((await get(`${gateway()}/ipfs/${shard}/0?format=car`)).status).toBe(400);
    // A client that prefers raw blocks still gets one.
    const rawFirst = await get(`${gateway()}/ipfs/${shard}`, { accept: `${RAW}, ${CAR};q=0.5` });
    expect([rawFirst.status, rawFirst.headers['content-type']]).toEqual([200, RAW]);
  });

  it('attack: a CAR is served only for a root the node pins and holds whole — an unpinned DAG on its disk, and a pinned one missing a block, get 404', async () => {
    // A DAG stored but not pinned (as a pin request the relay later refuses leaves it for a moment).
    const leaf = randomPayload(1000);
    const leafCid = CID.createV1(raw.code, await sha256.digest(leaf));
    const node = dagPb.encode(dagPb.prepare({ Data: new Uint8Array([8, 2]), Links: [{ Hash: leafCid, Tsize: leaf.length }] }));
    const nodeCid = CID.createV1(dagPb.code, await sha256.digest(node));
    const disk = new FsBlockstore(join(dir, 'relay', 'blocks'));
    await disk.open();
    await disk.put(leafCid, leaf);
    await disk.put(nodeCid, node);
    const unpinned = await get(`${gateway()}/ipfs/${nodeCid}?format=car`, { accept: CAR });
    expect(unpinned.status).toBe(404);
    expect(new TextDecoder().decode(unpinned.body)).toMatch(/does not keep/);
    // A pinned DAG with a leaf gone from the disk: the node would have to fetch it for the caller, so it serves none
    // of it as a CAR (its blocks are still served one by one).
    const dag = await unixfs(owner.helia).addBytes(randomPayload(700_000), { rawLeaves: true, chunker: fixedSize({ chunkSize: 256 * 1024 }) });
    await pinAsMember(relay, [dag]);
    const [, gone] = await leavesOf(owner, dag);
    expect((await get(`${gateway()}/ipfs/${dag}?format=car`)).status).toBe(200);
    await disk.delete(gone!);
    await disk.close();
    const partial = await get(`${gateway()}/ipfs/${dag}?format=car`, { accept: CAR });
    expect(partial.status).toBe(404);
    expect(new TextDecoder().decode(partial.body)).toMatch(/does not keep every block/);
    expect((await get(`${gateway()}/ipfs/${dag}`, { accept: RAW })).status).toBe(200);
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
  it('attack: a CAR counts each of its blocks against the address quota, so CARs flood no further than single blocks; another address is still served', async () => {
    const tight = await startRelay({
      port: await freePort(),
      dataDir: join(dir, 'tight'),
      development: true,
      log: () => undefined,
      pin: { gateway: { port: 0, limits: { perClientRequests: 10, windowMs: 60_000 } } },
    });
    try {
      tight.pinning!.records.addMember(member.address);
      await owner.libp2p.dial(multiaddr(tight.multiaddrs[0]!));
      const shard = CID.parse(stored.manifest.shards[0]!.cid);
      await pinAsMember(tight, [shard]);
      const blocks = 1 + (await leavesOf(owner, shard)).length;
      expect(blocks).toBe(4);
      const url = `${tight.pinning!.gatewayUrl!}/ipfs/${shard}?format=car`;
      // 4 + 4 blocks fit in the quota of 10, the third CAR would take it to 12.
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await get(url, { accept: CAR })).status);
      expect(statuses).toEqual([200, 200, 429]);
      const refused = await get(url, { accept: CAR });
      expect([refused.status, refused.headers['retry-after']]).toEqual([429, '1']);
      expect(new TextDecoder().decode(refused.body)).toMatch(/Too many block requests/);
      // Single blocks from the same address are refused too: it is one quota.
      expect((await get(`${tight.pinning!.gatewayUrl!}/ipfs/${shard}`, { accept: RAW })).status).toBe(429);
      // Another client (another loopback address) has its own.
      const other = await get(url, { accept: CAR, localAddress: '127.0.0.2' });
      expect(other.status).toBe(200);
      expect((await readCar(other.body)).blocks).toHaveLength(blocks);
    } finally {
      await tight.stop();
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
  it('takes each shard as one CAR from the gateway, every block checked, and the granule decrypts', async () => {
    const proxy = await carRewritingGateway((body) => body);
    const user = await node([proxy.url]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    expect(got.sources).toEqual([[proxy.url, 'gateway']]);
    expect(got.failures).toEqual([]);
    // One request per shard read (the data shards), each a CAR of the whole shard; not one block alone.
    const data = stored.manifest.shards.slice(0, stored.manifest.erasure.k).map((x) => x.cid);
    expect([...proxy.requests].sort()).toEqual(data.map((cid) => `/ipfs/${cid}?format=car&dag-scope=all`).sort());
  });

  it('asks block by block when told to (the path before CARs, kept for comparison)', async () => {
    const proxy = await carRewritingGateway((body) => body);
    const user = await node([proxy.url], { gatewayBlocksOnly: true });
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    expect(got.sources).toEqual([[proxy.url, 'gateway']]);
    expect(proxy.requests.length).toBeGreaterThan(stored.manifest.erasure.k);
    expect(proxy.requests.filter((r) => r.includes('format=car'))).toEqual([]);
  });

  it('attack: a gateway altering one byte of a block in its CAR cannot get that block stored; what came before it is kept and the granule arrives intact through the block path', async () => {
    // In each shard's CAR, the middle leaf's bytes are altered (its CID kept).
    const victims = new Map<string, { cid: CID; before: CID[] }>();
    for (const shard of stored.manifest.shards) {
      const leaves = await leavesOf(owner, CID.parse(shard.cid));
      const at = Math.floor(leaves.length / 2);
      victims.set(shard.cid, { cid: leaves[at]!, before: [CID.parse(shard.cid), ...leaves.slice(0, at)] });
    }
    const proxy = await carRewritingGateway(async (body, root) => {
      const car = await readCar(body);
      const victim = victims.get(root)!.cid.toString();
      return writeCar(
        car.roots,
        car.blocks.map((b) => {
          if (b.cid.toString() !== victim) return b;
          const bytes = Uint8Array.from(b.bytes);
          bytes[bytes.length >> 1]! ^= 0xff;
          return { cid: b.cid, bytes };
        }),
      );
    });
    const user = await node([proxy.url]);
    // Everything any node's own store receives during the fetch (the user's is the only one written to).
    const puts: Array<[string, Uint8Array]> = [];
    const put = MemoryBlockstore.prototype.put;
    MemoryBlockstore.prototype.put = function (this: MemoryBlockstore, cid, bytes, o) {
      if (bytes instanceof Uint8Array) puts.push([cid.toString(), Uint8Array.from(bytes)]);
      return put.call(this, cid, bytes, o);
    };
    const got = await retrieve(user).finally(() => {
      MemoryBlockstore.prototype.put = put;
    });
    expect(puts.length).toBeGreaterThan(0);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    expect(got.sources).toEqual([[proxy.url, 'gateway']]);
    const carFailures = got.failures.filter((f) => f.via === 'gateway-car');
    expect(carFailures.length).toBeGreaterThan(0);
    expect(carFailures.map((f) => f.code)).toEqual(carFailures.map(() => 'CAR_BLOCK_MISMATCH'));
    // Nothing but true bytes was ever stored, for the altered blocks or any other.
    for (const [key, bytes] of puts) expect((await sha256.digest(bytes)).digest).toEqual(CID.parse(key).multihash.digest);
    // The blocks verified before the altered one were kept: the block path asked only for the rest of that shard.
    for (const f of carFailures) {
      const { cid, before } = victims.get(f.root)!;
      expect(askedAlone(proxy.requests, cid)).toBe(true);
      for (const kept of before) expect(askedAlone(proxy.requests, kept)).toBe(false);
    }
  });

  it('attack: a CAR carrying a valid block that is not part of the DAG asked for is refused, that block is not stored, and the granule arrives intact', async () => {
    const extraBytes = randomPayload(4096);
    const extra = CID.createV1(raw.code, await sha256.digest(extraBytes));
    // Appended after the shard's own blocks: a well-formed, correctly hashed block of another DAG.
    const proxy = await carRewritingGateway(async (body) => {
      const car = await readCar(body);
      return writeCar(car.roots, [...car.blocks, { cid: extra, bytes: extraBytes }]);
    });
    const user = await node([proxy.url]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    expect(await storedBytes(user, extra)).toBeUndefined();
    const carFailures = got.failures.filter((f) => f.via === 'gateway-car');
    expect(carFailures.length).toBeGreaterThan(0);
    expect(carFailures.map((f) => f.code)).toEqual(carFailures.map(() => 'CAR_UNEXPECTED_BLOCK'));
    expect(got.sources).toEqual([[proxy.url, 'gateway']]);
  });

  it('attack: a CAR that goes on past what the DAG can hold is cut at the bound, whatever length its next block claims', async () => {
    // After the shard's true blocks: a section that claims 1 GiB for a block, then more of it than the shard can
    // hold with every allowance (its size, its UnixFS nodes, 64 bytes for each of 16,384 blocks).
    const claimed = CID.createV1(raw.code, await sha256.digest(randomPayload(64)));
    const proxy = await carRewritingGateway((body) =>
      Buffer.concat([body, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x04]), claimed.bytes, Buffer.alloc(stored.manifest.erasure.shardSize + 2 * 1024 * 1024)]),
    );
    const user = await node([proxy.url]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    const carFailures = got.failures.filter((f) => f.via === 'gateway-car');
    expect(carFailures.length).toBeGreaterThan(0);
    expect(carFailures.map((f) => f.code)).toEqual(carFailures.map(() => 'TOO_MUCH_DATA'));
  });

  it('attack: a truncated CAR (cut between blocks or inside one) fails as incomplete, keeps what was verified, and the rest comes from the gateway block by block', async () => {
    // Shard 0: its last block left out (a clean cut between blocks); shard 1: cut in the middle of a block.
    const [first, second] = stored.manifest.shards.map((x) => x.cid);
    const proxy = await carRewritingGateway(async (body, root) => {
      if (root === second) return body.subarray(0, Math.floor(body.length * 0.6));
      const car = await readCar(body);
      return writeCar(car.roots, car.blocks.slice(0, -1));
    });
    const user = await node([proxy.url]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    // Every missing block came from the gateway's block path (not from bitswap or the relay).
    expect(got.sources).toEqual([[proxy.url, 'gateway']]);
    const carFailures = got.failures.filter((f) => f.via === 'gateway-car');
    expect(carFailures.map((f) => [f.root, f.code]).sort()).toEqual(
      [
        [first, 'CAR_INCOMPLETE'],
        [second, 'CAR_INCOMPLETE'],
      ].sort(),
    );
    // The first shard's root was verified from the CAR and kept: it was not asked for again.
    expect(askedAlone(proxy.requests, first!)).toBe(false);
    expect(askedAlone(proxy.requests, (await leavesOf(owner, CID.parse(first!))).at(-1)!)).toBe(true);
  });

  it('falls back to the relay over libp2p when the gateway is unreachable or absent', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const user = await node([dead]);
    const got = await retrieve(user);
    expect(Buffer.compare(got.archive, archive)).toBe(0);
    expect(got.sources).toEqual([[relay.peerId, 'relay']]);
    // Each way of asking the gateway failed once, with its code, before the relay was asked.
    expect([...new Set(got.failures.map((f) => `${f.source} ${f.via} ${f.code}`))].sort()).toEqual(
      [`${dead} gateway-car CAR_NOT_SERVED`, `${dead} gateway GATEWAY_BLOCK_FAILED`].sort(),
    );
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
    // Block by block: this gateway alters single blocks (its CARs are refused for their content type alone).
    const user = await node([hostile], { gatewayBlocksOnly: true });
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
