// The app's own path as one light node in its own process: the same lib functions the browser runs (records area:
// syncedTrees, then the Share page's lists), on the app's own Dexie schema over fake-indexeddb in Node (not headless
// Chromium: IndexedDB here is an in-memory JavaScript store, so database writes cost what they cost in JavaScript, a
// browser's IndexedDB writes to disk). `tsx _scale-app.ts <json>` prints one JSON line: time until the app can prove
// (its trees checked against the chain's roots) and until the lists of one member are ready, for a new browser and
// then the same browser again. Run from this checkout ("after") or from a checkout of the commit before ("before":
// there syncedTrees first mirrored every registry event into the database, and the lists scanned every row).
import '../../src/lib/node/polyfills';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { createPublicClient, http, type Address, type PublicClient } from 'viem';

interface Args {
  rpcUrl: string;
  registry: Address;
  fromBlock: number;
  snapshotUrl: string;
  /** The member whose lists are made (decimal). */
  publicKey: string;
  /** The community node's list of all registrations (Discover's first sync; ignored by code that has none). */
  rowsSnapshotUrl: string;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const publicClient = createPublicClient({ transport: http(args.rpcUrl, { timeout: 600_000 }) }) as PublicClient;
// Modules load before the clock starts.
const records = (await import('../../src/lib/records/index')) as typeof import('../../src/lib/records/index') & {
  syncMyRecords?: (p: object) => Promise<unknown>;
};
const { openDb } = await import('../../src/lib/store/index');
const db = await openDb({ name: 'scale-app', indexedDB: new IDBFactory(), IDBKeyRange });
const publicKey = BigInt(args.publicKey);
const chainId = await publicClient.getChainId();
const base = { db, publicClient, registry: args.registry, fromBlock: args.fromBlock, snapshotUrl: args.snapshotUrl };

async function visit(): Promise<{ readyMs: number; listsMs: number; source: string; registered: number; pathMs: number }> {
  const t0 = performance.now();
  const trees = await records.syncedTrees(base);
  const readyMs = performance.now() - t0;
  const p0 = performance.now();
  if (trees.registration.size > 0) trees.registration.proof(trees.registration.size - 1);
  const pathMs = performance.now() - p0;
  // The Share page's lists (share.ts myRecords): this member's own records, then the lists from the database.
  const l0 = performance.now();
  if (records.syncMyRecords) await records.syncMyRecords({ db, publicClient, registry: args.registry, fromBlock: args.fromBlock, publicKey });
  const lists = await records.recordsOf(db, chainId, args.registry, publicKey);
  const listsMs = readyMs + (performance.now() - l0);
  return { readyMs, listsMs, source: trees.source, registered: lists.registered.length, pathMs };
}

/** Discover's list in a new browser: every registration (from the community node's list, checked, where the code has one). */
async function discover(): Promise<{ ms: number; listed: number }> {
  const other = await openDb({ name: 'scale-app-discover', indexedDB: new IDBFactory(), IDBKeyRange });
  // As the Discover page makes its client: batched, since the list's check reads the registry twice per granule.
  const batched = createPublicClient({ transport: http(args.rpcUrl, { timeout: 600_000, batch: { batchSize: 500 } }) }) as PublicClient;
  const t0 = performance.now();
  await records.syncRecords({ ...base, db: other, publicClient: batched, rowsSnapshotUrl: args.rowsSnapshotUrl });
  const listed = await other.records.where('[chainId+kind]').equals([chainId, 'registration']).count();
  return { ms: performance.now() - t0, listed };
}

const cpu0 = process.cpuUsage();
const fresh = await visit();
const returning = await visit();
const cpu = process.cpuUsage(cpu0);
let discovered: { ms: number; listed: number } | { error: string };
try {
  discovered = await discover();
} catch (error) {
  discovered = { error: (error as Error).message.split('\n')[0] ?? String(error) };
}
process.stdout.write(
  `${JSON.stringify({
    fresh,
    returning,
    discover: discovered,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rows: await db.records.count(),
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
  })}\n`,
);
process.exit(0);
