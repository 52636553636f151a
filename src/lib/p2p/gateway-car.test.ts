// A gateway's CAR against the receiver's shared block check (block-check.ts), and the one address rule both gateway
// paths keep (gateway-address.ts): a real HTTP server on loopback, the real CAR reader and fetch.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryBlockstore } from 'blockstore-core';
import { CarWriter } from '@ipld/car/writer';
import * as dagPb from '@ipld/dag-pb';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';
import { checkBlock } from './block-check';
import { gatewayRefusal } from './gateway-address';
import { blockGateways } from './gateway-blocks';
import { fetchCarInto } from './gateway-car';
import { GatewayFetchError } from './gateway-errors';
import { receiving } from './receiving';

const servers: Server[] = [];
afterAll(() => {
  for (const s of servers) s.closeAllConnections(), s.close();
});

async function carOf(roots: CID[], blocks: Array<{ cid: CID; bytes: Uint8Array }>): Promise<Buffer> {
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

/** A loopback server answering every request with this CAR; the request paths it saw. */
async function carServer(body: Buffer): Promise<{ url: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/vnd.ipld.car; version=1', 'content-length': String(body.length) }).end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests };
}

async function failure(p: Promise<unknown>): Promise<GatewayFetchError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(GatewayFetchError);
  return error as GatewayFetchError;
}

const limits = { maxBytes: 1 << 20, maxBlocks: 64 };

describe('the receiver check on a CAR', () => {
  it('attack: a directory node that hashes to its ID but cannot be decoded is refused as malformed (not incomplete) and not stored', async () => {
    // Bytes that are no dag-pb node (field 7, wire type 7), under a dag-pb CID of their true hash.
    const bytes = Uint8Array.of(0x3f, 0xff, 0xff, 0xff, 0x01, 0x02);
    const root = CID.createV1(dagPb.code, await sha256.digest(bytes));
    expect(() => dagPb.decode(bytes)).toThrow();
    const gateway = await carServer(await carOf([root], [{ cid: root, bytes }]));
    const store = new MemoryBlockstore();
    const error = await failure(fetchCarInto(store, gateway.url, root, { ...limits, development: true }));
    expect(error.code).toBe('CAR_MALFORMED');
    expect(await store.has(root)).toBe(false);
    expect(await checkBlock(root, bytes)).toEqual({ ok: false, reason: 'unreadable' });
  });

  it('keeps a well-formed DAG: the root, then the leaves it links, every block checked and stored', async () => {
    const leaves = await Promise.all(
      [1, 2, 3].map(async (n) => {
        const bytes = new Uint8Array(1000).fill(n);
        return { cid: CID.createV1(raw.code, await sha256.digest(bytes)), bytes };
      }),
    );
    const node = dagPb.encode(dagPb.prepare({ Links: leaves.map((l) => ({ Hash: l.cid, Tsize: l.bytes.length })) }));
    const root = CID.createV1(dagPb.code, await sha256.digest(node));
    const gateway = await carServer(await carOf([root], [{ cid: root, bytes: node }, ...leaves]));
    const store = new MemoryBlockstore();
    // The page counts as receiving while the CAR comes in (the browser's block cache holds its disk writes till after).
    const during: boolean[] = [];
    const got = await fetchCarInto(store, gateway.url, root, { ...limits, development: true, onBlock: () => during.push(receiving()) });
    expect(got).toEqual({ blocks: 4, bytes: node.length + 3000 });
    expect(during).toEqual([true, true, true, true]);
    expect(receiving()).toBe(false);
    for (const l of leaves) expect(await store.has(l.cid)).toBe(true);
    const checked = await checkBlock(root, node);
    expect(checked.ok && checked.links.map(String)).toEqual(leaves.map((l) => l.cid.toString()));
  });
});

describe('which block gateways are asked (one rule for CARs and single blocks)', () => {
  it('takes https addresses on the internet; http, loopback, private and link-local hosts only for the development node', () => {
    for (const url of ['https://gateway.example.org', 'https://203.0.114.9:8443/base', 'https://[2a00:1450::1]/'])
      expect(gatewayRefusal(url, false)).toBeUndefined();
    for (const url of [
      'http://gateway.example.org',
      'https://localhost:8080',
      'https://node.localhost',
      'https://localhost./',
      'https://127.0.0.1',
      'https://127.1',
      'https://10.1.2.3',
      'https://172.20.0.1',
      'https://192.168.1.10',
      'https://169.254.169.254',
      'https://100.64.0.1',
      'https://0.0.0.0',
      'https://[::1]',
      'https://[fd00::1]',
      'https://[fe80::1]',
      'https://[::ffff:127.0.0.1]',
      'ftp://gateway.example.org',
      'not a url',
    ])
      expect(gatewayRefusal(url, false), url).toMatch(/is not (an https address on the internet|an http\(s\) address|a web address); it is not asked\.$/);
    expect(gatewayRefusal('http://127.0.0.1:8080', true)).toBeUndefined();
    expect(gatewayRefusal('ftp://127.0.0.1', true)).toBeDefined();
  });

  it('attack: a configuration naming a loopback gateway gets no request from a node that is not the development node, by CAR or block by block', async () => {
    const bytes = new Uint8Array(100).fill(7);
    const cid = CID.createV1(raw.code, await sha256.digest(bytes));
    const gateway = await carServer(await carOf([cid], [{ cid, bytes }]));
    const store = new MemoryBlockstore();
    const gateways = blockGateways(store, { development: false, urls: [gateway.url] });
    expect((await failure(gateways.fetchCar(cid))).code).toBe('CAR_NOT_SERVED');
    expect((await failure(gateways.fetchDag(cid))).code).toBe('GATEWAY_BLOCK_FAILED');
    expect(gateway.requests).toEqual([]);
    expect(await store.has(cid)).toBe(false);
    // The same gateway for the development node: asked, and its block kept.
    const dev = blockGateways(store, { development: true, urls: [gateway.url] });
    await dev.fetchCar(cid);
    expect(gateway.requests.length).toBe(1);
    expect(await store.has(cid)).toBe(true);
  });
});
