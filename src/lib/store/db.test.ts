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
