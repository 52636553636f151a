// Mirrors the GranuleRegistry's events into the app database: every registration and authorization (the leaves of
// both trees, in order) and every instantiation. Its cost is the community's whole history: only what needs every
// record (Discover's catalog of all granules) runs it; proving needs the trees (trees.ts), a member's lists only
// its own records (mine.ts). Incremental from a per-chain cursor; a changed genesis hash, a
// different registry or a chain shorter than the cursor means the chain was reset, and that chain's records go.
import { parseEventLogs, type Address, type PublicClient } from 'viem';
import { granuleRegistryAbi } from '../chain/abi.generated';
import type { TwingrainDb } from '../store/index';
import { cursorKey, mineKeyPrefix, readCursor, treesKey, type SyncCursor } from './cursor';
import { ask } from './ask';
import { checkRowsSnapshot, decodeRowsSnapshot, httpRowsSnapshot } from './rows-snapshot';
import { syncedTrees } from './trees';
import { RegistryNotDeployedError } from './errors';
import { fieldHex, recordId, type Hex, type MirroredRecord } from './rows';

export interface SyncRecordsParameters {
  db: TwingrainDb;
  publicClient: PublicClient;
  registry: Address;
  /** The registry's deployment block (runtime config `chain.deployBlock`): nothing before it is read. */
  fromBlock?: number;
  /** Blocks per eth_getLogs request; public RPC nodes cap the range. */
  batchSize?: number;
  /**
   * A community node's tree snapshot (its address), which a first sync checks a rows snapshot against. With
   * `rowsSnapshotUrl`, a first sync takes every registration from the node's list (records/rows-snapshot.ts, checked
   * against the chain) and reads only the events after it.
   */
  snapshotUrl?: string;
  rowsSnapshotUrl?: string;
  /** The same sources as functions (tests, the bench). */
  snapshot?: () => Promise<Uint8Array | undefined>;
  rowsSnapshot?: () => Promise<Uint8Array | undefined>;
}

export interface SyncRecordsReturnType {
  chainId: number;
  /** The block up to which the mirror is complete. */
  blockNumber: number;
  /** True when this chain's earlier records were cleared (reset chain or another registry). */
  reset: boolean;
  /** How many records this call added. */
  added: number;
}

const DEFAULT_BATCH = 5_000;

// Two syncs of one chain at once would each read from the same cursor; they are queued instead.
const queues = new WeakMap<TwingrainDb, Map<number, Promise<unknown>>>();
export function serialised<T>(db: TwingrainDb, chainId: number, job: () => Promise<T>): Promise<T> {
  let perDb = queues.get(db);
  if (!perDb) queues.set(db, (perDb = new Map()));
  const previous = perDb.get(chainId) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(job);
  perDb.set(chainId, next);
  return next;
}

/** Removes everything mirrored for one chain (records, cursor and saved trees). */
export async function clearChainRecords(db: TwingrainDb, chainId: number): Promise<number> {
  return db.transaction('rw', db.records, db.settings, async () => {
    const removed = await db.records.where('chainId').equals(chainId).delete();
    await db.settings.delete(cursorKey(chainId));
    await db.settings.delete(treesKey(chainId));
    await db.settings.where('key').startsWith(mineKeyPrefix(chainId)).delete();
    return removed;
  });
}

export function syncRecords(p: SyncRecordsParameters): Promise<SyncRecordsReturnType> {
  return (async () => {
    const chainId = await ask(p.publicClient, () => p.publicClient.getChainId());
    return serialised(p.db, chainId, () => syncChain(p, chainId));
  })();
}

async function syncChain(p: SyncRecordsParameters, chainId: number): Promise<SyncRecordsReturnType> {
  // viem caches the block number for seconds; a mirror synced right after a transaction must see its block.
  const [genesis, head] = await ask(p.publicClient, () =>
    Promise.all([p.publicClient.getBlock({ blockNumber: 0n }), p.publicClient.getBlockNumber({ cacheTime: 0 })]),
  );
  const genesisHash = genesis.hash as Hex;
  const registry = p.registry.toLowerCase() as Hex;
  const cursor = await readCursor(p.db, chainId);
  const reset = cursor !== undefined && (cursor.genesisHash !== genesisHash || cursor.registry !== registry || cursor.lastBlock > Number(head));
  if (reset) await clearChainRecords(p.db, chainId);

  const code = await ask(p.publicClient, () => p.publicClient.getCode({ address: p.registry }));
  if (!code || code === '0x') throw new RegistryNotDeployedError(p.registry, chainId);

  let start = cursor && !reset ? cursor.lastBlock + 1 : (p.fromBlock ?? 0);
  const batch = Math.max(1, p.batchSize ?? DEFAULT_BATCH);
  const rows: MirroredRecord[] = [];
  const rowsSource = p.rowsSnapshot ?? (p.rowsSnapshotUrl ? httpRowsSnapshot(p.rowsSnapshotUrl) : undefined);
  const offered = !cursor || reset ? await rowsSource?.() : undefined;
  if (offered) {
    const snapshot = decodeRowsSnapshot(offered);
    // The one tree rebuilder, with this browser's saved trees: the rows are checked against trees the chain confirmed.
    const trees = await syncedTrees({
      db: p.db,
      publicClient: p.publicClient,
      registry: p.registry,
      ...(p.fromBlock !== undefined ? { fromBlock: p.fromBlock } : {}),
      ...(p.batchSize !== undefined ? { batchSize: p.batchSize } : {}),
      ...(p.snapshot ? { snapshot: p.snapshot } : p.snapshotUrl ? { snapshotUrl: p.snapshotUrl } : {}),
    });
    await checkRowsSnapshot({
      publicClient: p.publicClient,
      registry: p.registry,
      snapshot,
      at: { chainId, genesisHash: genesisHash.toLowerCase() as Hex, blockNumber: trees.blockNumber, registration: trees.registration },
    });
    rows.push(...snapshot.registrations);
    start = Math.max(start, snapshot.blockNumber + 1);
  }
  for (let from = start; from <= Number(head); from += batch) {
    const to = Math.min(Number(head), from + batch - 1);
    const logs = await ask(p.publicClient, () => p.publicClient.getLogs({ address: p.registry, fromBlock: BigInt(from), toBlock: BigInt(to) }));
    rows.push(...toRows(logs, chainId, registry));
  }
  const next: SyncCursor = { genesisHash, registry, lastBlock: Number(head) };
  await p.db.transaction('rw', p.db.records, p.db.settings, async () => {
    if (rows.length > 0) await p.db.records.bulkPut(rows);
    await p.db.settings.put({ key: cursorKey(chainId), value: next });
  });
  return { chainId, blockNumber: Number(head), reset, added: rows.length };
}

export function toRows(logs: Parameters<typeof parseEventLogs>[0]['logs'], chainId: number, registry: Hex): MirroredRecord[] {
  const rows: MirroredRecord[] = [];
  for (const log of parseEventLogs({ abi: granuleRegistryAbi, logs })) {
    const common = { chainId, registry, txHash: log.transactionHash as string, blockNumber: Number(log.blockNumber) };
    if (log.eventName === 'Registered') {
      const a = log.args;
      const leafIndex = Number(a.leafIndex);
      rows.push({
        ...common,
        id: recordId(chainId, registry, 'registration', leafIndex),
        kind: 'registration',
        leafIndex,
        alpha: fieldHex(a.alpha),
        ownerPk: fieldHex(a.ownerPk),
        commitment: fieldHex(a.commitment),
        root: fieldHex(a.root),
        manifestCid: a.manifestCid,
      });
    } else if (log.eventName === 'Authorized') {
      const a = log.args;
      const leafIndex = Number(a.leafIndex);
      rows.push({
        ...common,
        id: recordId(chainId, registry, 'authorization', leafIndex),
        kind: 'authorization',
        leafIndex,
        alpha: fieldHex(a.alpha),
        ownerPk: fieldHex(a.ownerPk),
        userPk: fieldHex(a.userPk),
        commitment: fieldHex(a.commitment),
        root: fieldHex(a.root),
      });
    } else if (log.eventName === 'Instantiated') {
      const a = log.args;
      // No tree: the record address of an instantiation is its transaction and the event's log index.
      const leafIndex = Number(log.logIndex);
      rows.push({
        ...common,
        id: recordId(chainId, registry, 'instantiation', `${log.transactionHash}/${leafIndex}`),
        kind: 'instantiation',
        leafIndex,
        alpha: fieldHex(a.alpha),
        ownerPk: fieldHex(a.ownerPk),
        userPk: fieldHex(a.userPk),
        account: a.account.toLowerCase() as Hex,
        x25519PublicKey: a.x25519PublicKey,
      });
    }
  }
  return rows;
}
