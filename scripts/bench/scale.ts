// What joining a community costs a light node, at 1k, 10k and 100k registrations (issue 18, part 4): the time and
// memory until a node can make a Merkle path the registry accepts, before (every action rebuilt both trees from every
// event since deployment) and after (a community node's snapshot checked against the chain's roots, then the node's
// own saved trees and only the events since). Each node runs in its own process; "before" runs the previous commit's
// code from a checkout of it. Sizes: TWINGRAIN_SCALE_SIZES=1000,10000 to run fewer.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { createPublicClient, http, type Address, type PublicClient } from 'viem';
import { encodeRowsSnapshot, readRegistrationRows } from '../../src/lib/records/index';
import { decodeTreeSnapshot, encodeTreeSnapshot } from '../../src/lib/chain/index';
import { linePlot } from '../../src/lib/incentive/plot';
import { LeanTree } from '../../src/lib/zk/index';
import { machineStamp, markdownTable } from './report';
import { scaleMemberPk, startScaleChain } from './_scale-chain';
import { scaleStatePath } from './_scale-prepare';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
/** The commit whose tree code "before" measures: the last one before the one rebuilder. */
const BEFORE_COMMIT = '432bba8';
/** The commit whose app path "before" measures: syncedTrees first mirrored every registry event into the database. */
const BEFORE_APP_COMMIT = '035e8fa';
const NEW_SINCE = 100;

interface NodeResult {
  /** Set when the node could not sync at all. */
  error?: string;
  ms: number;
  cpuMs: number;
  pathMs: number;
  maxRssMiB: number;
  heapMiB: number;
  size: number;
  bytes: number;
}

function runNode(cwd: string, mode: string, args: object): Promise<NodeResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(cwd, 'scripts/bench/_scale-node.ts'), mode, JSON.stringify(args)], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolvePromise(JSON.parse(last) as NodeResult);
      else if (mode === 'before') {
        // The old code fails outright at some sizes: that is its figure.
        const why = /maxSize|too large|size/i.test(err)
          ? 'fails: its one eth_getLogs answer is over the node’s 10 MiB cap'
          : `fails: ${err.trim().split('\n').pop()}`;
        resolvePromise({ error: why, ms: Number.NaN, cpuMs: Number.NaN, pathMs: Number.NaN, maxRssMiB: Number.NaN, heapMiB: Number.NaN, size: 0, bytes: 0 });
      } else {
        // Recorded, not thrown: one failing node must not lose the other figures of a 100,000 run.
        process.stderr.write(`light node (${mode}) exited ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}\n`);
        resolvePromise({
          error: `fails: ${err.trim().split('\n').pop()}`,
          ms: Number.NaN,
          cpuMs: Number.NaN,
          pathMs: Number.NaN,
          maxRssMiB: Number.NaN,
          heapMiB: Number.NaN,
          size: 0,
          bytes: 0,
        });
      }
    });
  });
}

/** A commit's sources, beside this checkout's node_modules (no git worktree: nothing in .git changes). */
function checkout(commit: string, script: string): string {
  const dir = join(root, '.twingrain/cache/bench', `before-${commit}`);
  if (!existsSync(join(dir, 'src'))) {
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', commit, 'src', 'package.json', 'tsconfig.json'], { cwd: root, maxBuffer: 1 << 30 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  }
  mkdirSync(join(dir, 'scripts/bench'), { recursive: true });
  copyFileSync(join(here, script), join(dir, 'scripts/bench', script));
  return dir;
}

const beforeCheckout = (): string => checkout(BEFORE_COMMIT, '_scale-node.ts');

interface AppVisit {
  readyMs: number;
  listsMs: number;
  source: string;
  registered: number;
  pathMs: number;
}

/** The app's lib path in one process (scripts/bench/_scale-app.ts): a new browser, then the same one again. */
interface AppResult {
  error?: string;
  fresh?: AppVisit;
  returning?: AppVisit;
  /** Discover's list of every registration in a new browser. */
  discover?: { ms: number; listed: number } | { error: string };
  cpuMs?: number;
  rows?: number;
  maxRssMiB?: number;
  heapMiB?: number;
}

function runApp(cwd: string, args: object): Promise<AppResult> {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(cwd, 'scripts/bench/_scale-app.ts'), JSON.stringify(args)], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) return resolvePromise(JSON.parse(last) as AppResult);
      const why = /maxSize|too large|exceed|response size|size limit|max(imum)? size/i.test(err)
        ? 'fails: its eth_getLogs answer is over the node’s 10 MiB cap'
        : `fails: ${(err.match(/\w*Error: [^\n]*/)?.[0] ?? err.trim().split('\n').pop() ?? '').slice(0, 160)}`;
      process.stderr.write(`app node (${cwd}) exited ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}\n`);
      resolvePromise({ error: why });
    });
  });
}

interface AppRow {
  registrations: number;
  before: AppResult;
  after: AppResult;
  /** Records this member's lists hold (its registrations). */
  load: number[];
}

interface Row {
  registrations: number;
  createSeconds: number;
  idle: NodeResult;
  /** The chain module loaded, nothing synced (absent in rows measured before it was added). */
  loaded?: NodeResult;
  floorEvents: NodeResult;
  before: NodeResult;
  community: NodeResult;
  floorSnapshot: NodeResult;
  fresh: NodeResult;
  returning: NodeResult;
  returningNew: NodeResult;
  load: number[];
}

async function measure(
  n: number,
  before: string,
  log: (s: string) => void,
  beforeFailed?: NodeResult,
  app?: { beforeDir: string; only: boolean },
): Promise<{ row?: Row; app?: AppRow }> {
  // A saved chain (scripts/bench/_scale-prepare.ts, under nice) is loaded; a missing one is created and saved first.
  const attach = process.env[`TWINGRAIN_SCALE_RPC_${n}`];
  const chain = await startScaleChain({ registrations: n, log, statePath: scaleStatePath(n), ...(attach ? { attach } : {}) });
  const load0 = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'tg-scale-'));
  const server = createServer((req, res) => {
    // The community node publishes its own saved trees (the same bytes it syncs from) and its list of registrations.
    res.setHeader('content-type', 'application/octet-stream');
    res.end(readFileSync(join(dir, req.url === '/records' ? 'rows.json' : 'community.bin')));
  });
  try {
    const args = { rpcUrl: chain.rpcUrl, registry: chain.registry, fromBlock: chain.deployBlock };
    log(`${n}: created in ${chain.createSeconds.toFixed(0)} s; measuring`);
    if (app) await publishRows(args, join(dir, 'rows.json'));
    if (app?.only) {
      // Only the app's path: the community node's trees (its first sync), published, a little behind the chain.
      await runNode(root, 'events', { ...args, store: join(dir, 'community.bin') });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      await chain.add(NEW_SINCE);
      return { app: await measureApp(n, args, `http://127.0.0.1:${(server.address() as AddressInfo).port}/trees`, app.beforeDir, log, load0) };
    }
    const idle = await runNode(root, 'idle', args);
    const loaded = await runNode(root, 'loaded', args);
    const floorEvents = await runNode(root, 'floor-events', args);
    // Code that could not sync a smaller community cannot sync a larger one: not run again.
    const beforeResult = beforeFailed?.error
      ? { ...beforeFailed, error: `${beforeFailed.error} (as at the smaller size)` }
      : await runNode(before, 'before', args);
    log(`${n}: before ${(beforeResult.ms / 1000).toFixed(1)} s`);
    const community = await runNode(root, 'events', { ...args, store: join(dir, 'community.bin') });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const snapshotUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/trees`;
    // The snapshot is a little behind the chain, as a published one would be.
    await chain.add(NEW_SINCE);
    const floorSnapshot = await runNode(root, 'floor-snapshot', { ...args, snapshotUrl });
    const fresh = await runNode(root, 'snapshot', { ...args, snapshotUrl, store: join(dir, 'node.bin') });
    const returning = await runNode(root, 'saved', { ...args, store: join(dir, 'node.bin') });
    await chain.add(NEW_SINCE);
    const returningNew = await runNode(root, 'saved', { ...args, store: join(dir, 'node.bin') });
    log(`${n}: new node ${(fresh.ms / 1000).toFixed(2)} s, returning ${(returning.ms / 1000).toFixed(2)} s`);
    const appRow = app ? await measureApp(n, args, snapshotUrl, app.beforeDir, log, loadavg()[0]!) : undefined;
    const row: Row = {
      registrations: n,
      createSeconds: chain.createSeconds,
      idle,
      loaded,
      floorEvents,
      before: beforeResult,
      community,
      floorSnapshot,
      fresh,
      returning,
      returningNew,
      load: [load0, loadavg()[0]!],
    };
    return { row, ...(appRow ? { app: appRow } : {}) };
  } finally {
    server.close();
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a community node publishes as its list of registrations (relay/tree-snapshots.ts does the same). */
async function publishRows(args: { rpcUrl: string; registry: Address; fromBlock: number }, path: string): Promise<void> {
  const client = createPublicClient({ transport: http(args.rpcUrl, { timeout: 600_000 }) }) as PublicClient;
  const [chainId, genesis, head] = await Promise.all([client.getChainId(), client.getBlock({ blockNumber: 0n }), client.getBlockNumber({ cacheTime: 0 })]);
  const registrations = await readRegistrationRows({
    publicClient: client,
    registry: args.registry,
    chainId,
    fromBlock: args.fromBlock,
    toBlock: Number(head),
  });
  writeFileSync(
    path,
    encodeRowsSnapshot({
      chainId,
      genesisHash: genesis.hash!.toLowerCase() as `0x${string}`,
      registry: args.registry.toLowerCase() as `0x${string}`,
      blockNumber: Number(head),
      registrations,
    }),
  );
}

/** The app's path before and after, against the same chain and the same published snapshot. */
async function measureApp(
  n: number,
  args: { rpcUrl: string; registry: Address; fromBlock: number },
  snapshotUrl: string,
  beforeDir: string,
  log: (s: string) => void,
  load0: number,
): Promise<AppRow> {
  // Member 0 registered every 20th granule: its lists hold n / 20 registrations.
  const appArgs = { ...args, snapshotUrl, rowsSnapshotUrl: snapshotUrl.replace(/\/trees$/, '/records'), publicKey: scaleMemberPk(0).toString() };
  const before = await runApp(beforeDir, appArgs);
  const after = await runApp(root, appArgs);
  log(
    `${n}: app ready to prove ${after.fresh ? (after.fresh.readyMs / 1000).toFixed(2) : after.error} s, lists ${after.fresh ? (after.fresh.listsMs / 1000).toFixed(2) : '—'} s`,
  );
  return { registrations: n, before, after, load: [load0, loadavg()[0]!] };
}

// NaN is saved as null in scale.json: both mean "no figure".
const s = (ms: number | null) => (ms === null || Number.isNaN(ms) ? '—' : ms / 1000 < 10 ? (ms / 1000).toFixed(2) : (ms / 1000).toFixed(1));
/** Wall time with the node's own CPU time beside it (the machine is shared: wall time waits for other work). */
const t = (r: NodeResult) => (r.error ? r.error : `${s(r.ms)} (cpu ${s(r.cpuMs ?? Number.NaN)})`);
const mib = (v: number | null) => (v === null || Number.isNaN(v) ? '—' : v.toFixed(0));

/**
 * Reading a saved or published snapshot of n registrations, without a chain: the nodes are random field elements
 * (decoding checks the shape, not the hashes), so this is the snapshot's share of a sync at sizes not created on chain.
 */
function decodeCost(n: number): { n: number; bytes: number; encodeMs: number; decodeMs: number } {
  const levels: bigint[][] = [];
  for (let count = n; ; count = Math.ceil(count / 2)) {
    levels.push(Array.from({ length: count }, () => BigInt(`0x${randomBytes(31).toString('hex')}`) | 1n));
    if (count <= 1) break;
  }
  const tree = LeanTree.fromLevels(levels);
  const snapshot = {
    chainId: 31337,
    genesisHash: `0x${'00'.repeat(32)}` as const,
    registry: `0x${'00'.repeat(20)}` as const,
    blockNumber: 1,
    registration: tree,
    authorization: new LeanTree(),
  };
  const e0 = performance.now();
  const bytes = encodeTreeSnapshot(snapshot);
  const encodeMs = performance.now() - e0;
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    const d0 = performance.now();
    decodeTreeSnapshot(bytes);
    times.push(performance.now() - d0);
  }
  return { n, bytes: bytes.length, encodeMs, decodeMs: times.sort((a, b) => a - b)[1]! };
}

export async function run({ outDir }: { outDir: string }): Promise<void> {
  // TWINGRAIN_SCALE_REPORT_ONLY=1 rewrites scale.md and scale.svg from scale.json (no chain, no measuring).
  if (process.env.TWINGRAIN_SCALE_REPORT_ONLY === '1') {
    const saved = JSON.parse(readFileSync(join(outDir, 'scale.json'), 'utf8')) as { rows: Row[]; app?: AppRow[]; decoding?: ReturnType<typeof decodeCost>[] };
    const decoding = saved.decoding ?? [1_000, 10_000, 100_000].map(decodeCost);
    writeFileSync(join(outDir, 'scale.json'), `${JSON.stringify({ ...saved, decoding }, null, 2)}\n`);
    writeReport(outDir, saved.rows, decoding, saved.app ?? [], (saved as { measured?: string }).measured);
    return;
  }
  const sizes = (process.env.TWINGRAIN_SCALE_SIZES ?? '1000,10000,100000').split(',').map(Number);
  // TWINGRAIN_SCALE_PART=app measures only the app's path (the CLI rows are kept from the last report).
  const onlyApp = process.env.TWINGRAIN_SCALE_PART === 'app';
  const before = onlyApp ? '' : beforeCheckout();
  const beforeApp = checkout(BEFORE_APP_COMMIT, '_scale-app.ts');
  // Rows of sizes not measured in this run are kept from the last report (each row carries its own load figures).
  const saved = existsSync(join(outDir, 'scale.json'))
    ? (JSON.parse(readFileSync(join(outDir, 'scale.json'), 'utf8')) as { measured?: string; rows: Row[]; app?: AppRow[] })
    : { rows: [] as Row[], app: [] as AppRow[] };
  const previous = saved.rows;
  const measured: Row[] = [];
  const appMeasured: AppRow[] = [];
  for (const n of sizes) {
    const smaller = [...previous, ...measured].filter((r) => r.registrations < n && r.before.error).pop();
    const result = await measure(n, before, (line) => process.stdout.write(`scale: ${line}\n`), smaller?.before, { beforeDir: beforeApp, only: onlyApp });
    if (result.row) measured.push(result.row);
    if (result.app) appMeasured.push(result.app);
  }
  const measuredSizes = measured.map((r) => r.registrations);
  const rows = [...previous.filter((r) => !measuredSizes.includes(r.registrations)), ...measured].sort((a, b) => a.registrations - b.registrations);
  const app = [...(saved.app ?? []).filter((r) => !sizes.includes(r.registrations)), ...appMeasured].sort((a, b) => a.registrations - b.registrations);
  const savedDecoding = (saved as { decoding?: ReturnType<typeof decodeCost>[] }).decoding;
  const decoding = onlyApp && savedDecoding ? savedDecoding : [1_000, 10_000, 100_000].map(decodeCost);
  writeFileSync(
    join(outDir, 'scale.json'),
    `${JSON.stringify({ measured: onlyApp ? saved.measured : new Date().toISOString(), appMeasured: new Date().toISOString(), rows, app, decoding }, null, 2)}\n`,
  );
  writeReport(outDir, rows, decoding, app, onlyApp ? saved.measured : undefined);
}

/** The 100,000 row from the largest measured size and the measured decoding costs, when 100,000 was not created on chain. */
function extrapolation(rows: Row[], decoding: ReturnType<typeof decodeCost>[]): string {
  const last = rows[rows.length - 1];
  const big = decoding.find((d) => d.n === 100_000);
  const same = decoding.find((d) => d.n === last?.registrations);
  const first = rows.find((r) => !r.before.error);
  if (last && last.registrations >= 100_000) {
    if (!first) return '';
    // The old code's work is n single inserts of about log2(n)/2 hashes each: n·log n from its smallest measured size.
    const k = (100_000 * Math.log2(100_000)) / (first.registrations * Math.log2(first.registrations));
    return `## "Before" at 100,000: an estimate, not a measurement

The old code cannot sync at 10,000 or 100,000 at all (its one eth_getLogs answer is over the node's cap). Were a node
to serve that answer, its hashing alone would take about **${s(first.before.ms * k)} s** at 100,000 (estimate: the
${first.registrations.toLocaleString('en')} row's ${s(first.before.ms)} s scaled by n·log n), every action, new node or returning.`;
  }
  if (!last || !big || !same) return '';
  const k = 100_000 / last.registrations;
  // Everything but the snapshot (RPC calls, the events since, one path) stays; reading it scales with its bytes.
  const fresh = last.fresh.ms - same.decodeMs + big.decodeMs;
  const returning = last.returning.ms - same.decodeMs + big.decodeMs;
  const returningNew = last.returningNew.ms - same.decodeMs + big.decodeMs;
  return `## 100,000 registrations: extrapolated, not measured on chain

Creating 100,000 registrations did not fit this session on the shared machine (${s(last.createSeconds * 1000)} s for
${last.registrations.toLocaleString('en')} under its load). From the ${last.registrations.toLocaleString('en')} row, with the snapshot's
share replaced by its measured 100,000-leaf decoding (**estimates**): new node ≈ ${s(fresh)} s plus the transfer of
${(big.bytes / 2 ** 20).toFixed(1)} MiB from the community node (about 1 s at 50 Mbit/s; the 1,000-leaf floor above is
mostly fixed cost) (target ≤ 5 s), returning node ≈ ${s(returning)} s with nothing new and ≈ ${s(returningNew)} s
with 100 new registrations (target ≤ 0.5 s). Before: ${last.before.error ? `already ${last.before.error} at ${last.registrations.toLocaleString('en')}` : `about ${s(last.before.ms * k * 1.2)} s (n log n hashing)`}.`;
}

/** Issue 18's targets at 100,000 registrations, against the measured row. */
function targets(rows: Row[]): string {
  const big = rows.find((r) => r.registrations === 100_000);
  if (!big) return 'Targets at 100,000 (new node ≤ 5 s, returning node ≤ 0.5 s): not measured on chain here; see the estimate below.';
  const mark = (ms: number, limit: number) => `${s(ms)} s ${ms <= limit ? '(met)' : '(**missed**)'}`;
  return `Targets at 100,000: a new node ready to prove in ≤ 5 s — ${mark(big.fresh.ms, 5000)}; a returning node in ≤ 0.5 s — ${mark(big.returning.ms, 500)} with nothing new, ${mark(big.returningNew.ms, 500)} with ${NEW_SINCE} new registrations.`;
}

/** A time in seconds, or why there is none. */
const at = (r: AppResult, visit: 'fresh' | 'returning', key: 'readyMs' | 'listsMs') => (r.error ? r.error : s(r[visit]?.[key] ?? Number.NaN));

const discoverCell = (r: AppResult): string =>
  r.error
    ? r.error
    : !r.discover
      ? '—'
      : 'error' in r.discover
        ? `fails: ${r.discover.error}`
        : `${s(r.discover.ms)} (${r.discover.listed.toLocaleString('en')} listed)`;

function appSection(app: AppRow[]): string {
  if (app.length === 0) return '';
  const big = app.find((r) => r.registrations === 100_000);
  const mark = (ms: number | undefined, limit: number) => (ms === undefined ? '—' : `${s(ms)} s ${ms <= limit ? '(met)' : '(**missed**)'}`);
  return `## The app (browser) as a light node: time until it can prove, and until a member's lists are ready (s)

Load average (1 min) at the start / end of each size: ${app.map((r) => `${r.registrations}: ${r.load.map((l) => l.toFixed(1)).join(' / ')}`).join('; ')}.
The same lib functions the browser runs (src/lib/records: \`syncedTrees\`, then the Share page's lists as share.ts
\`myRecords\` makes them), on the app's own Dexie schema, in Node over **fake-indexeddb** (not headless Chromium:
its IndexedDB is an in-memory JavaScript store, so writes cost JavaScript time, not disk time). One process per
version: a new browser (empty database, the community node's tree snapshot, ${NEW_SINCE} registrations behind the chain), then the
same browser again. The member is the bench's member 0, which registered every 20th granule (its lists hold n / 20
registrations). **Before** is ${BEFORE_APP_COMMIT}: \`syncedTrees\` first mirrored every registry event since deployment into the
database (one eth_getLogs per 5,000 blocks, no splitting) and the lists scanned every row of the chain. **After**:
proving waits only for the trees (the snapshot checked against the chain's roots, then the events since); the lists
come from the chain by the member's own key (\`syncMyRecords\`: event filters on the indexed owner key, user key and
granule) and are read through the database's indexes. Discover needs every registration: before, it mirrored every
event (\`syncRecords\`); after, a new browser takes the community node's list of registrations and checks it (each
row's leaf against the checked tree, its owner and manifest pointer against the registry: two contract reads per
granule, batched 500 to a request as the page's client does), then reads the events after it. Fetching the public
descriptions over the peer-to-peer network is not included. Memory is the heap in use at the end (a child's peak RSS on Linux keeps
its parent's peak across exec, so it says nothing about this process here).${big ? `\n\nTargets at 100,000 (as for the CLI): a new browser ready to prove in ≤ 5 s — ${mark(big.after.fresh?.readyMs, 5000)}; a returning one in ≤ 0.5 s — ${mark(big.after.returning?.readyMs, 500)}.` : ''}

${markdownTable(
  [
    'registrations',
    'before: ready to prove',
    'before: lists ready',
    'after: new browser, ready to prove',
    'after: new browser, lists ready',
    'after: returning, ready to prove',
    'after: returning, lists ready',
    'member’s registrations listed',
    'Discover, new browser: before',
    'Discover, new browser: after (community list, checked)',
    'rows stored (before / after)',
    'heap in use at the end, MiB (before / after)',
  ],
  app.map((r) => [
    r.registrations.toLocaleString('en'),
    at(r.before, 'fresh', 'readyMs'),
    at(r.before, 'fresh', 'listsMs'),
    at(r.after, 'fresh', 'readyMs'),
    at(r.after, 'fresh', 'listsMs'),
    at(r.after, 'returning', 'readyMs'),
    at(r.after, 'returning', 'listsMs'),
    String(r.after.fresh?.registered ?? '—'),
    discoverCell(r.before),
    discoverCell(r.after),
    `${r.before.rows?.toLocaleString('en') ?? '—'} / ${r.after.rows?.toLocaleString('en') ?? '—'}`,
    `${mib(r.before.heapMiB ?? Number.NaN)} / ${mib(r.after.heapMiB ?? Number.NaN)}`,
  ]),
)}
`;
}

/** The hand-written notes at the end of the report (from "## Status of these figures" on) survive a rewrite. */
function keptNotes(outDir: string): string {
  const path = join(outDir, 'scale.md');
  if (!existsSync(path)) return '';
  const md = readFileSync(path, 'utf8');
  const at = md.indexOf('## Status of these figures');
  return at < 0 ? '' : `\n${md.slice(at)}`;
}

function writeReport(outDir: string, rows: Row[], decoding: ReturnType<typeof decodeCost>[], app: AppRow[], measured?: string): void {
  const series = [
    { label: 'before: every action, new or returning', key: 'before', color: '#b03030' },
    { label: 'after: new node (snapshot + events since)', key: 'fresh', color: '#2060b0' },
    { label: 'after: returning node, 100 new', key: 'returningNew', color: '#20a060' },
    { label: 'floor: read the tree events', key: 'floorEvents', color: '#888888', dashed: true },
    { label: 'floor: read the snapshot', key: 'floorSnapshot', color: '#444444', dashed: true },
  ] as const;
  const svg = linePlot({
    title: 'Light node: time until it can make a Merkle path',
    xLabel: 'registrations on chain',
    yLabel: 'seconds',
    xScale: 'log2',
    yScale: 'log10',
    series: series.map((x) => ({
      label: x.label,
      color: x.color,
      ...('dashed' in x ? { dashed: x.dashed } : {}),
      points: rows.filter((r) => !r[x.key].error).map((r) => [r.registrations, Math.max(r[x.key].ms / 1000, 0.001)] as [number, number]),
    })),
  });
  writeFileSync(join(outDir, 'scale.svg'), svg);

  const md = `# A light node at scale: 1k, 10k and 100k registrations

${machineStamp(measured ? new Date(measured) : undefined)}. Load average (1 min) at the start / end of each size: ${rows.map((r) => `${r.registrations}: ${r.load.map((l) => l.toFixed(1)).join(' / ')}`).join('; ')} — the machine is shared (2 cores), so times are upper bounds.
Generated by \`npx tsx scripts/bench/index.ts scale\` (scripts/bench/scale.ts). The chains are created once, under
\`nice -n 19\`, by \`scripts/bench/_scale-prepare.ts\` and saved with anvil's \`--dump-state\` (blocks, receipts and
logs included) under /tmp; every measuring run loads them with \`--load-state\`.

**How the registrations are made.** A fresh anvil, the real contracts (deployContracts), 20 members enrolled by the
Consortium's enroller, each granule a real \`commitRegistration\` then a real \`register\` through the real
GranuleRegistry (membership, commit–reveal, rate limit set to ⌈N/20⌉ actions a day at deployment, the contract's own
LeanTree insert with the on-chain Poseidon, its own \`Registered\` event), ${'500'} registrations per block. One thing is
not real, on this throwaway chain only: the registration verifier's code is replaced (\`anvil_setCode\`) by code that
accepts every proof, because 100,000 Groth16 proofs take about 5 h here and a light node never reads proofs, only
events and roots. The bench checks the registry's own tree size (\`registrationTree()\`), and every node below checks
its roots against \`registrationRoot()\` / \`authorizationRoot()\` at the head.

**Before** is the commit before the one rebuilder (${BEFORE_COMMIT}): \`loadRegistrationTree\` + \`loadAuthorizationTree\` read every
registry event since deployment in one request and inserted every leaf one by one into trees of bigints; every CLI
action did this (the app rebuilt the same trees from all mirrored rows before every action). **After** is
\`syncTrees\` (src/lib/chain/trees.ts) with the trees kept as bytes: a new node takes a community node's snapshot
(every node of both trees, 32 bytes each, about 64 bytes a leaf; the tree takes the downloaded bytes over as its
storage, nothing is converted or hashed), reads only the events after it (${NEW_SINCE} registrations here) and refuses
it unless both roots equal the contract's; a returning node starts from its own saved trees (a file under the CLI's
state folder; the app database in the browser). Events are read in ranges the RPC node accepts and go into the trees
range by range, so a node holds one range of logs, never the history. Each node runs in its own process; memory is
its peak RSS (\`maxRSS\`) and the heap in use at the end. Two baselines: an idle process (viem only), and the
process with the chain module loaded but no tree synced — the difference to it is what the trees and the sync cost.

## Time until a node can make a path (s)

${targets(rows)}

${markdownTable(
  [
    'registrations',
    'before (new or returning)',
    'after: new node',
    'after: returning, nothing new',
    'after: returning, 100 new',
    'floor: events bytes',
    'floor: snapshot bytes',
    'community node, first sync from events',
    'making one path',
  ],
  rows.map((r) => [
    r.registrations.toLocaleString('en'),
    t(r.before),
    t(r.fresh),
    t(r.returning),
    t(r.returningNew),
    s(r.floorEvents.ms),
    s(r.floorSnapshot.ms),
    t(r.community),
    `${r.fresh.pathMs.toFixed(1)} ms`,
  ]),
)}

## Memory (MiB): peak RSS / heap at the end

${markdownTable(
  ['registrations', 'idle process', 'chain module loaded', 'before', 'after: new node', 'after: returning', 'community node', 'events bytes', 'snapshot bytes'],
  rows.map((r) => [
    r.registrations.toLocaleString('en'),
    `${mib(r.idle.maxRssMiB)} / ${mib(r.idle.heapMiB)}`,
    r.loaded ? `${mib(r.loaded.maxRssMiB)} / ${mib(r.loaded.heapMiB)}` : '—',
    `${mib(r.before.maxRssMiB)} / ${mib(r.before.heapMiB)}`,
    `${mib(r.fresh.maxRssMiB)} / ${mib(r.fresh.heapMiB)}`,
    `${mib(r.returningNew.maxRssMiB)} / ${mib(r.returningNew.heapMiB)}`,
    `${mib(r.community.maxRssMiB)} / ${mib(r.community.heapMiB)}`,
    (r.floorEvents.bytes / 2 ** 20).toFixed(1),
    (r.floorSnapshot.bytes / 2 ** 20).toFixed(1),
  ]),
)}

## A snapshot's own cost, up to 100,000 registrations (no chain)

Encoding and decoding one tree of n leaves (all 2n − 1 nodes; random nodes, since decoding checks the shape and the
leaves, not the hashes: the chain's roots and the path check do that). This is a snapshot's or a saved tree's share of
a sync; the rest is a handful of RPC calls and the events since.

${markdownTable(
  ['leaves', 'bytes (MiB)', 'encode (ms)', 'decode (ms)'],
  decoding.map((d) => [d.n.toLocaleString('en'), (d.bytes / 2 ** 20).toFixed(1), d.encodeMs.toFixed(0), d.decodeMs.toFixed(0)]),
)}

${extrapolation(rows, decoding)}

Creating the registrations (under \`nice -n 19\` on the shared machine, so these say little about speed) took ${rows.map((r) => `${s(r.createSeconds * 1000)} s (${r.registrations.toLocaleString('en')})`).join(', ')}.

![time until a path can be made](scale.svg)

${appSection(app)}${keptNotes(outDir)}`;
  writeFileSync(join(outDir, 'scale.md'), md);
}
