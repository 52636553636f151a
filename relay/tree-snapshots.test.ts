// A community node's tree snapshots against a real anvil with the real registry and real proofs: a new node starts
// from one, a returning node from its own saved trees, a forged snapshot is refused, an unreachable node is no harm.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  decodeTreeSnapshot,
  encodeTreeSnapshot,
  granuleRegistryAbi,
  httpTreeSnapshot,
  MAX_TREE_SNAPSHOT_BYTES,
  syncTrees,
  TreeSnapshotError,
  TreeSnapshotRejectedError,
  type TreeStore,
} from '../src/lib/chain/index';
import { LeanTree } from '../src/lib/zk/index';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { fieldHex, RowsSnapshotRejectedError, syncRecords, type RegistrationRow } from '../src/lib/records/index';
import { openDb } from '../src/lib/store/index';
import { startCustodyChain, type CustodyChain, type Member } from './testing/custody-chain';
import { serveTreeSnapshots, type TreeSnapshotServer } from './tree-snapshots';

const CID = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Array(32).fill(9)]);
let chain: CustodyChain;
let owner: Member;
let server: TreeSnapshotServer;
let dataDir: string;

const memoryStore = (): TreeStore & { bytes?: Uint8Array } => {
  const store: TreeStore & { bytes?: Uint8Array } = {
    load: async () => store.bytes,
    save: async (bytes) => {
      store.bytes = bytes;
    },
  };
  return store;
};
const base = () => ({ publicClient: chain.publicClient, registry: chain.registry, fromBlock: BigInt(chain.deployBlock) });
const chainRoot = () => chain.publicClient.readContract({ address: chain.registry, abi: granuleRegistryAbi, functionName: 'registrationRoot' });

beforeAll(async () => {
  chain = await startCustodyChain();
  owner = await chain.member();
  await chain.register(owner, '101', CID);
  await chain.register(owner, '102', CID);
  dataDir = await mkdtemp(join(tmpdir(), 'tg-tree-snapshots-'));
  server = await serveTreeSnapshots({ publicClient: chain.publicClient, registry: chain.registry, fromBlock: chain.deployBlock, dataDir, intervalMs: 60_000 });
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await chain?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('tree snapshots published by a community node', () => {
  it('start a new node, which then follows the chain from its own saved trees', async () => {
    const store = memoryStore();
    const fresh = await syncTrees({ ...base(), store, snapshot: httpTreeSnapshot(server.url) });
    expect(fresh.source).toBe('snapshot');
    expect(fresh.registration.size).toBe(2);
    expect(fresh.registration.root).toBe(await chainRoot());

    await chain.register(owner, '103', CID);
    // The published snapshot is now one registration behind: a second new node reads that one from events.
    const behind = await syncTrees({ ...base(), snapshot: httpTreeSnapshot(server.url) });
    expect([behind.source, behind.added, behind.registration.size]).toEqual(['snapshot', 1, 3]);
    await server.refresh();
    const current = await syncTrees({ ...base(), snapshot: httpTreeSnapshot(server.url) });
    expect([current.source, current.added, current.registration.size]).toEqual(['snapshot', 0, 3]);

    const returning = await syncTrees({ ...base(), store, snapshot: httpTreeSnapshot(server.url) });
    expect([returning.source, returning.added]).toEqual(['saved', 1]);
    expect(returning.registration.root).toBe(await chainRoot());
    expect(returning.registration.proof(2).root).toBe(await chainRoot());
  }, 120_000);

  it('refuses a forged snapshot from a dishonest node, and syncs from events when the node is unreachable', async () => {
    const honest = await syncTrees(base());
    // The dishonest node adds a leaf of its choosing to the registrations.
    const forgedTree = LeanTree.fromLevels(honest.registration.nodeLevels.map((level) => [...level]));
    forgedTree.insert(424242n);
    const forged = encodeTreeSnapshot({ ...honest, registration: forgedTree });
    const dishonest = createServer((_req, res) => res.end(forged));
    await new Promise<void>((r) => dishonest.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(dishonest.address() as AddressInfo).port}/trees/snapshot`;
      const store = memoryStore();
      await expect(syncTrees({ ...base(), store, snapshot: httpTreeSnapshot(url) })).rejects.toThrow(TreeSnapshotRejectedError);
      await expect(syncTrees({ ...base(), store, snapshot: httpTreeSnapshot(url) })).rejects.toThrow(/does not lead to the registry's roots/);
      expect(store.bytes).toBeUndefined();
    } finally {
      await new Promise<void>((r) => dishonest.close(() => r()));
    }
    const gone = await syncTrees({ ...base(), snapshot: httpTreeSnapshot('http://127.0.0.1:1/trees/snapshot') });
    expect(gone.source).toBe('events');
    expect(gone.registration.root).toBe(await chainRoot());
  }, 120_000);

  it('cuts off a snapshot source that sends more than any registry could hold, declared or not', async () => {
    // A hostile or mistaken address (a video, an endless stream): refused while it streams, not read into memory.
    const chunk = new Uint8Array(1 << 20).fill(0x54);
    let sent = 0;
    const endless = createServer((req, res) => {
      if (req.url === '/declared') {
        res.writeHead(200, { 'content-length': String(MAX_TREE_SNAPSHOT_BYTES + 1) });
        res.end();
        return;
      }
      const more = (): void => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', more);
      };
      res.on('close', () => undefined);
      more();
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    const at = `http://127.0.0.1:${(endless.address() as AddressInfo).port}`;
    try {
      await expect(httpTreeSnapshot(`${at}/declared`)()).rejects.toThrow(TreeSnapshotError);
      await expect(httpTreeSnapshot(`${at}/endless`)()).rejects.toThrow(/larger than any registry's trees/);
      expect(sent).toBeLessThan(MAX_TREE_SNAPSHOT_BYTES + 16 * chunk.length);
      await expect(syncTrees({ ...base(), snapshot: httpTreeSnapshot(`${at}/endless`) })).rejects.toThrow(TreeSnapshotError);
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((r) => endless.close(() => r()));
    }
  }, 120_000);

  it('are published by `twingrain relay`, which says where on stderr', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tg-relay-trees-'));
    const bin = resolve(import.meta.dirname, '../bin/twingrain.js');
    const child = spawn(
      process.execPath,
      [
        bin,
        'relay',
        '--port',
        '0',
        '--data-dir',
        dir,
        '--rpc',
        chain.rpcUrl,
        '--registry',
        chain.registry,
        '--from-block',
        String(chain.deployBlock),
        '--trees-port',
        '0',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let stderr = '';
      const url = await new Promise<string>((resolveUrl, reject) => {
        child.stderr.on('data', (c: Buffer) => {
          stderr += c.toString();
          const m = /tree snapshots: (http:\/\/\S+)/.exec(stderr);
          if (m) resolveUrl(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`twingrain relay exited ${code}: ${stderr}`)));
      });
      const served = decodeTreeSnapshot(new Uint8Array(await (await fetch(url)).arrayBuffer()));
      expect(served.registry).toBe(chain.registry.toLowerCase());
      expect(served.registration.root).toBe(await chainRoot());
      // A new node takes it, and it passes the root check.
      const fresh = await syncTrees({ ...base(), snapshot: httpTreeSnapshot(url) });
      expect(fresh.source).toBe('snapshot');
      expect(fresh.registration.root).toBe(await chainRoot());
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('lists of registrations published by a community node', () => {
  let dbs = 0;
  const newDb = () => openDb({ name: `rows-${dbs++}`, indexedDB: new IDBFactory(), IDBKeyRange });
  const rowsUrl = () => server.url.replace('/trees/snapshot', '/records/snapshot');
  const mirror = () => ({ publicClient: chain.publicClient, registry: chain.registry, fromBlock: chain.deployBlock });
  const registrations = async (db: Awaited<ReturnType<typeof newDb>>) =>
    ((await db.records.where('[chainId+kind]').equals([chain.chainId, 'registration']).sortBy('leafIndex')) as unknown as RegistrationRow[]).map((r) => [
      r.leafIndex,
      r.alpha,
      r.ownerPk,
      r.commitment,
      r.manifestCid,
      r.blockNumber,
      r.txHash,
    ]);

  it("start a new browser's list of all registrations, checked against the chain, then only the events after it", async () => {
    await server.refresh();
    const served = JSON.parse(await (await fetch(rowsUrl())).text()) as { registrations: unknown[] };
    expect(served.registrations.length).toBeGreaterThan(1);
    await chain.register(owner, '104', CID); // published list now one behind
    const db = await newDb();
    await syncRecords({ ...mirror(), db, snapshotUrl: server.url, rowsSnapshotUrl: rowsUrl() });
    const fromEvents = await newDb();
    await syncRecords({ ...mirror(), db: fromEvents });
    expect(await registrations(db)).toEqual(await registrations(fromEvents));
    expect((await registrations(db)).length).toBe(served.registrations.length + 1);
  }, 120_000);

  it('refuses a list in which a registration claims another owner or another granule, and keeps none of it', async () => {
    await server.refresh();
    const honest = await (await fetch(rowsUrl())).text();
    const attacker = await chain.member();
    const forgeries: [string, (row: unknown[]) => void][] = [
      // The attacker names itself the owner of someone else's granule (its requests for access would go to it).
      ['another owner', (row) => (row[2] = fieldHex(attacker.identity.publicKey))],
      // A granule nobody registered, under a real registration's leaf.
      ['another granule', (row) => (row[1] = fieldHex(999_999n))],
    ];
    for (const [what, forge] of forgeries) {
      const list = JSON.parse(honest) as { registrations: unknown[][] };
      forge(list.registrations[0]!);
      const body = JSON.stringify(list);
      const dishonest = createServer((req, res) => res.end(req.url === '/records/snapshot' ? body : undefined));
      await new Promise<void>((r) => dishonest.listen(0, '127.0.0.1', r));
      try {
        const db = await newDb();
        const attempt = syncRecords({
          ...mirror(),
          db,
          snapshotUrl: server.url,
          rowsSnapshotUrl: `http://127.0.0.1:${(dishonest.address() as AddressInfo).port}/records/snapshot`,
        });
        await expect(attempt, what).rejects.toThrow(RowsSnapshotRejectedError);
        await expect(attempt, what).rejects.toThrow(/does not match the chain/);
        expect(await db.records.count(), what).toBe(0);
      } finally {
        await new Promise<void>((r) => dishonest.close(() => r()));
      }
    }
    // A list larger than any registry's is cut off before it is read into memory.
    const huge = createServer((_req, res) => {
      res.writeHead(200, { 'content-length': String(600 * 2 ** 20) });
      res.end();
    });
    await new Promise<void>((r) => huge.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(huge.address() as AddressInfo).port}/records/snapshot`;
      await expect(syncRecords({ ...mirror(), db: await newDb(), snapshotUrl: server.url, rowsSnapshotUrl: url })).rejects.toThrow(
        /larger than any registry's/,
      );
    } finally {
      huge.closeAllConnections();
      await new Promise<void>((r) => huge.close(() => r()));
    }
  }, 120_000);
});
