// Until schema v5 the Discover catalog and the access requests lived in a database of their own
// ("twingrain-discover"). On open, its rows move into the app database and the old database is deleted. A row the app
// database already holds is kept as it is (it is newer: the copy may have run before, then been interrupted before the
// delete), so running this twice loses nothing.
import Dexie from 'dexie';

const OLD_DISCOVER_DB = 'twingrain-discover';
const TABLES = ['catalog', 'requests'] as const;

export async function adoptDiscoverDb(db: Dexie, options: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange } = {}): Promise<void> {
  const deps = { ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}), ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}) };
  // No version declared: Dexie opens the old database with whatever schema it has, and refuses one that does not exist.
  const old = new Dexie(OLD_DISCOVER_DB, deps);
  try {
    await old.open();
  } catch (error) {
    if ((error as Error).name === Dexie.errnames.NoSuchDatabase) return;
    throw error;
  }
  try {
    for (const name of TABLES) {
      if (!old.tables.some((t) => t.name === name)) continue;
      const rows = (await old.table(name).toArray()) as Array<Record<string, unknown>>;
      const table = db.table(name);
      const key = table.schema.primKey.keyPath as string;
      const present = new Set((await table.bulkGet(rows.map((r) => r[key] as string))).map((r) => (r ? String((r as Record<string, unknown>)[key]) : '')));
      await table.bulkAdd(rows.filter((r) => !present.has(String(r[key]))));
    }
  } finally {
    old.close();
  }
  await old.delete();
}
