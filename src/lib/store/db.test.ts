import { describe, it, expect } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openDb, TwingrainDb, CURRENT_SCHEMA_VERSION, DatabaseBlockedError, StorageQuotaError, translateStoreError } from './index';

describe('app database', () => {
  it('upgrades a version-1 database to the current schema and keeps its data', async () => {
    const indexedDB = new IDBFactory();
    const old = new TwingrainDb({ indexedDB, IDBKeyRange, upTo: 1 });
    await old.open();
    expect(old.verno).toBe(1);
    await old.table('identities').bulkAdd([
      { publicKey: '0xaa', label: 'a', createdAt: '2026-01-01' },
      { publicKey: '0xbb', label: 'b', createdAt: '2026-01-02' },
    ]);
    await old.table('settings').put({ key: 'activeIdentity', value: '0xbb' });
    await old.table('jobs').bulkAdd([
      { id: 'j2', printerId: 'p', state: 'queued', createdAt: 2 },
      { id: 'j1', printerId: 'p', state: 'queued', createdAt: 1 },
    ]);
    old.close();

    const db = await openDb({ indexedDB, IDBKeyRange });
    expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
    expect((await db.identities.get('0xbb'))?.active).toBe(1);
    expect((await db.identities.get('0xaa'))?.active).toBe(0);
    expect(await db.settings.get('activeIdentity')).toBeUndefined();
    const queue = await db.jobs.where('[printerId+position]').between(['p', 0], ['p', Infinity]).toArray();
    expect(queue.map((j) => j.id)).toEqual(['j1', 'j2']);
    db.close();
  });

  it('upgrades a version-2 database to v3 (print history, macros, journals) and keeps the queue', async () => {
    const indexedDB = new IDBFactory();
    const old = new TwingrainDb({ indexedDB, IDBKeyRange, upTo: 2 });
    await old.open();
    await old.table('jobs').add({ id: 'q1', printerId: 'virtual:m', state: 'queued', createdAt: 1, position: 0, fileName: 'a.gcode' });
    old.close();
    const db = await openDb({ indexedDB, IDBKeyRange });
    expect(db.verno).toBeGreaterThanOrEqual(3);
    expect((await db.jobs.get('q1'))?.fileName).toBe('a.gcode');
    await db.printHistory.add({ printerId: 'virtual:m', model: 'm', startedAt: 1 });
    await db.macros.put({ id: 'm1', printerId: 'virtual:m', name: 'Home', gcode: 'G28' });
    await db.printJournals.put({ printerId: 'virtual:m', updatedAt: 1 });
    expect(await db.printHistory.where('printerId').equals('virtual:m').count()).toBe(1);
    expect(await db.macros.where('printerId').equals('virtual:m').count()).toBe(1);
    expect((await db.printJournals.get('virtual:m'))?.updatedAt).toBe(1);
    db.close();
  });

  it('reports a database blocked by another tab instead of hanging', async () => {
    const indexedDB = new IDBFactory();
    const other = new TwingrainDb({ indexedDB, IDBKeyRange, upTo: 1 });
    await other.open();
    other.on('versionchange', () => false); // the other tab does not let go
    await expect(openDb({ indexedDB, IDBKeyRange })).rejects.toBeInstanceOf(DatabaseBlockedError);
    other.close();
    const db = await openDb({ indexedDB, IDBKeyRange });
    expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
    db.close();
  });

  it('translates quota errors into a clear message', () => {
    const translated = translateStoreError(Object.assign(new Error('quota'), { name: 'QuotaExceededError' }));
    expect(translated).toBeInstanceOf(StorageQuotaError);
    expect((translated as Error).message).toMatch(/no storage left/);
    const inner = translateStoreError({ name: 'AbortError', inner: { name: 'QuotaExceededError' } });
    expect(inner).toBeInstanceOf(StorageQuotaError);
  });
});

describe('one database (issue 17)', () => {
  it('moves the old Discover database (catalog, requests) into the app database, keeps newer rows, then deletes it', async () => {
    const { default: Dexie } = await import('dexie');
    const indexedDB = new IDBFactory();
    // The app database as a v4 browser holds it, and the separate Discover database as CatalogDb wrote it.
    const app = new TwingrainDb({ indexedDB, IDBKeyRange, upTo: 4 });
    await app.open();
    await app.table('settings').put({ key: 'theme', value: 'dark' });
    app.close();
    const old = new Dexie('twingrain-discover', { indexedDB, IDBKeyRange });
    old.version(1).stores({ catalog: 'alpha, state, domain, context, *printers, *tags, blockNumber', requests: 'id, direction, state, alpha, createdAt' });
    await old.open();
    const entry = {
      alpha: '0x01',
      manifestCid: 'b',
      ownerPk: '0xaa',
      blockNumber: 7,
      state: 'ok',
      name: 'a/b',
      version: '1.0.0',
      description: '',
      domain: 'd',
      context: 'c',
      printers: ['p'],
      tags: ['t'],
      license: 'MIT',
      fetchedAt: 1,
    };
    await old.table('catalog').bulkAdd([entry, { ...entry, alpha: '0x02', blockNumber: 8 }]);
    const request = {
      id: 'r1',
      direction: 'outgoing',
      alpha: '0x01',
      granuleName: 'a/b',
      ownerPk: '0xaa',
      userPk: '0xbb',
      peerId: 'peer',
      state: 'approved',
      recordAddress: 'twingrain:authorization/x',
      createdAt: 5,
    };
    await old.table('requests').bulkAdd([request, { ...request, id: 'r2', state: 'pending' }]);
    old.close();

    // An interrupted earlier run already copied r2, and the app has since updated it: that newer row stays.
    const half = new TwingrainDb({ indexedDB, IDBKeyRange });
    await half.open();
    await half.requests.put({ ...request, id: 'r2', state: 'received' } as never);
    half.close();

    const db = await openDb({ indexedDB, IDBKeyRange });
    expect(db.verno).toBe(CURRENT_SCHEMA_VERSION);
    expect((await db.settings.get('theme'))?.value).toBe('dark');
    expect((await db.catalog.orderBy('blockNumber').reverse().toArray()).map((e) => e.alpha)).toEqual(['0x02', '0x01']);
    expect(await db.catalog.where('printers').equals('p').count()).toBe(2);
    expect((await db.requests.get('r1'))?.recordAddress).toBe('twingrain:authorization/x');
    expect((await db.requests.get('r2'))?.state).toBe('received');
    db.close();
    expect((await indexedDB.databases()).map((d) => d.name)).toEqual(['twingrain']);

    // Opening again (no old database any more) changes nothing.
    const again = await openDb({ indexedDB, IDBKeyRange });
    expect(await again.requests.count()).toBe(2);
    again.close();
  });
});
