// Opening the app database. Works with the browser's IndexedDB and, in Node tests, with fake-indexeddb passed in.
import Dexie, { type Table } from 'dexie';
import { DB_NAME, schemaVersions } from './schema';
import { DatabaseBlockedError, translateStoreError } from './errors';
import { adoptDiscoverDb } from './adopt-discover-db';
import type { StoredIdentity } from '../identity/index';

export type IdentityRow = StoredIdentity;
export interface SettingRow {
  key: string;
  value: unknown;
}
export interface RecordRow {
  id: string;
  kind: 'registration' | 'authorization' | 'instantiation';
  alpha: string;
  chainId: number;
  leafIndex: number;
  txHash: string;
  [extra: string]: unknown;
}

/** What a published granule says about itself for search (its public manifest's `granule`, a catalog row). */
export interface GranuleSearchFields {
  name: string;
  version: string;
  description: string;
  domain: string;
  context: string;
  printers: string[];
  tags: string[];
  license: string;
  /** The owner's name as the granule gives it (claimed by the owner, not verified). */
  ownerName?: string;
}

/** A registered granule in the Discover catalog, joined with its public manifest (p2p's syncCatalog fills it). */
export interface CatalogEntry extends GranuleSearchFields {
  alpha: string;
  manifestCid: string;
  ownerPk: string;
  blockNumber: number;
  state: 'ok' | 'unavailable' | 'mismatch';
  problem?: string;
  fetchedAt: number;
}

export interface AuthRequestRow {
  id: string;
  direction: 'incoming' | 'outgoing';
  alpha: string;
  granuleName: string;
  ownerPk: string;
  userPk: string;
  /** Names the two sides give themselves (claimed, not verified). */
  userName?: string;
  ownerName?: string;
  peerId: string;
  /** For outgoing requests: the peer the owner answered from (so the app can name that peer). */
  ownerPeerId?: string;
  /** received: the requester got the granule and keeps it (set on the requester's side). */
  state: 'pending' | 'approved' | 'declined' | 'received';
  /** For approved requests: the record address the user instantiates with. */
  recordAddress?: string;
  reason?: string;
  createdAt: number;
}

export class TwingrainDb extends Dexie {
  identities!: Table<IdentityRow, string>;
  twins!: Table<Record<string, unknown> & { id: string }, string>;
  granules!: Table<Record<string, unknown> & { alpha: string }, string>;
  records!: Table<RecordRow, string>;
  peers!: Table<Record<string, unknown> & { peerId: string }, string>;
  printers!: Table<Record<string, unknown> & { id: string }, string>;
  jobs!: Table<Record<string, unknown> & { id: string }, string>;
  settings!: Table<SettingRow, string>;
  printHistory!: Table<Record<string, unknown> & { id?: number; printerId: string }, number>;
  macros!: Table<Record<string, unknown> & { id: string; printerId: string }, string>;
  printJournals!: Table<Record<string, unknown> & { printerId: string }, string>;
  catalog!: Table<CatalogEntry, string>;
  requests!: Table<AuthRequestRow, string>;

  constructor(options: { name?: string; indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange; upTo?: number } = {}) {
    super(options.name ?? DB_NAME, {
      ...(options.indexedDB ? { indexedDB: options.indexedDB } : {}),
      ...(options.IDBKeyRange ? { IDBKeyRange: options.IDBKeyRange } : {}),
    });
    for (const v of schemaVersions) {
      if (options.upTo !== undefined && v.version > options.upTo) break;
      const version = this.version(v.version).stores(v.stores);
      if (v.upgrade) version.upgrade(v.upgrade);
    }
  }
}

/** Opens the database, turning "blocked by another tab" and quota problems into clear errors. */
export async function openDb(options: ConstructorParameters<typeof TwingrainDb>[0] = {}): Promise<TwingrainDb> {
  const db = new TwingrainDb(options);
  // Another tab running an older version must let go when we upgrade; it is told to close its connection.
  db.on('versionchange', () => {
    db.close();
    return false;
  });
  // Dexie would wait silently while another tab blocks the upgrade: say so at once instead of hanging.
  const blocked = new Promise<never>((_, reject) => {
    db.on('blocked', () => {
      db.close();
      reject(new DatabaseBlockedError());
    });
  });
  try {
    await Promise.race([db.open(), blocked]);
    await adoptDiscoverDb(db, options);
  } catch (error) {
    throw translateStoreError(error);
  }
  return db;
}

/** Runs a write and translates storage errors for the user. */
export async function write<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw translateStoreError(error);
  }
}
