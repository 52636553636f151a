// The app's one IndexedDB database. Every schema version ever shipped stays listed here, oldest first, so a browser
// holding any older version upgrades step by step (Dexie runs each upgrade in order).
export const DB_NAME = 'twingrain';

export interface SchemaVersion {
  version: number;
  stores: Record<string, string | null>;
  /** Data migration run when upgrading into this version. */
  upgrade?: (tx: import('dexie').Transaction) => Promise<void>;
}

export const schemaVersions: SchemaVersion[] = [
  {
    version: 1,
    stores: {
      identities: 'publicKey, label, createdAt',
      twins: 'id, name, printerModel',
      granules: 'alpha, name, domain, context, owner, *printerModels, *tags',
      records: 'id, kind, alpha, chainId, leafIndex, txHash',
      peers: 'peerId, lastSeen',
      printers: 'id, model',
      jobs: 'id, printerId, state, createdAt',
      settings: 'key',
    },
  },
  {
    // v2: records are looked up per chain and kind (chain resets must clear only that chain's records), jobs per
    // printer in queue order, and identities keep an `active` flag instead of a separate setting.
    version: 2,
    stores: {
      records: 'id, kind, alpha, chainId, leafIndex, txHash, [chainId+kind]',
      jobs: 'id, printerId, state, createdAt, [printerId+position]',
      identities: 'publicKey, label, createdAt, active',
    },
    upgrade: async (tx) => {
      const active = (await tx.table('settings').get('activeIdentity')) as { value?: string } | undefined;
      await tx
        .table('identities')
        .toCollection()
        .modify((identity: { publicKey: string; active?: number }) => {
          identity.active = identity.publicKey === active?.value ? 1 : 0;
        });
      await tx.table('settings').delete('activeIdentity');
      let position = 0;
      await tx
        .table('jobs')
        .orderBy('createdAt')
        .modify((job: { position?: number }) => {
          job.position = position++;
        });
    },
  },
  {
    // v3: a print farm's records. `jobs` (v2) holds each printer's queue, with the file itself as a Blob so a queue
    // and an interrupted print survive a reload; the print history, per-printer macros and the resume journal (one
    // per printer: where its last print stopped) are new.
    version: 3,
    stores: {
      printHistory: '++id, printerId, model, fileName, startedAt',
      macros: 'id, printerId',
      printJournals: 'printerId, updatedAt',
    },
  },
  {
    // v4 (issue 15): composed twins are kept (the Twins page lists them again after a reload), newest first.
    version: 4,
    stores: {
      twins: 'id, name, printerModel, createdAt',
    },
  },
  {
    // v5 (issue 17): the Discover catalog and the access requests move in from their own database
    // ("twingrain-discover"): one database for the app. openDb() copies the old database's rows over, then deletes it.
    version: 5,
    stores: {
      catalog: 'alpha, state, domain, context, *printers, *tags, blockNumber',
      requests: 'id, direction, state, alpha, createdAt',
    },
  },
  {
    // v6 (issue 18): a member's lists are looked up by key and granule, not by reading every record of the chain.
    version: 6,
    stores: {
      records: 'id, kind, alpha, chainId, leafIndex, txHash, [chainId+kind], [chainId+ownerPk], [chainId+userPk], [chainId+alpha]',
    },
  },
];

export const CURRENT_SCHEMA_VERSION = schemaVersions[schemaVersions.length - 1]!.version;
