// One light node in its own process, so its time and memory are its own: `tsx _scale-node.ts <mode> <json>` prints
// {"ms","pathMs","maxRssMiB","heapMiB","size","bytes"} on its last line. Modes:
//   before   — the code before this change: loadRegistrationTree + loadAuthorizationTree from all events (run from a
//              checkout of the previous commit; every action did this)
//   events   — syncTrees from all events (a community node's first sync, or a node without a snapshot)
//   snapshot — syncTrees from a community node's snapshot (HTTP) plus the events after it, saved to `store`
//   saved    — syncTrees from the trees saved in `store` (a returning node)
//   floor-events / floor-snapshot — only reading the tree events' / the snapshot's bytes
//   idle     — viem only (the process's own baseline memory)
//   loaded   — the chain module loaded, nothing synced (what a node's memory is before it holds any tree)
import '../../src/lib/node/polyfills';
import { createPublicClient, http, toEventSelector, type Address, type PublicClient } from 'viem';

interface Args {
  rpcUrl: string;
  registry: Address;
  fromBlock: number;
  snapshotUrl?: string;
  store?: string;
}

const [mode, json] = process.argv.slice(2);
const args = JSON.parse(json ?? '{}') as Args;
const publicClient = createPublicClient({ transport: http(args.rpcUrl, { timeout: 600_000 }) }) as PublicClient;
const base = { publicClient, registry: args.registry, fromBlock: BigInt(args.fromBlock) };

interface Tree {
  size: number;
  proof(index: number): unknown;
}

let tree: Tree | undefined;
let bytes = 0;
// Modules load before the clock starts: the figures are the sync, not the process start.
const chain = mode === 'idle' || mode === 'floor-snapshot' ? undefined : await import('../../src/lib/chain/index');
if (mode === 'loaded') await import('../../src/lib/chain/tree-store.node.ts');
const storeModule = mode === 'events' || mode === 'snapshot' || mode === 'saved' ? await import('../../src/lib/chain/tree-store.node.ts') : undefined;
const t0 = performance.now();
const cpu0 = process.cpuUsage();
if (mode === 'before' && chain) {
  const [registration] = await Promise.all([chain.loadRegistrationTree(base), chain.loadAuthorizationTree(base)]);
  tree = registration.tree;
} else if (chain && storeModule) {
  const { syncTrees } = chain;
  const { fileTreeStore } = storeModule;
  const synced = await syncTrees({
    ...base,
    ...(args.store ? { store: fileTreeStore(args.store) } : {}),
    ...(mode === 'snapshot' && args.snapshotUrl
      ? {
          // The CLI's own source (--trees-from): streamed into one buffer of the declared size.
          snapshot: async () => {
            const body = await chain.httpTreeSnapshot(args.snapshotUrl!)();
            bytes = body?.length ?? 0;
            return body;
          },
        }
      : {}),
  });
  if (synced.source !== (mode === 'snapshot' ? 'snapshot' : mode === 'saved' ? 'saved' : 'events'))
    throw new Error(`expected ${mode}, synced from ${synced.source}`);
  tree = synced.registration;
} else if (mode === 'floor-events' && chain) {
  const topics = chain.granuleRegistryAbi
    .filter((i) => i.type === 'event' && ['Registered', 'OwnershipClaimed', 'Authorized'].includes(i.name))
    .map((i) => toEventSelector(i as Parameters<typeof toEventSelector>[0]));
  const head = Number(await publicClient.getBlockNumber({ cacheTime: 0 }));
  // Only the bytes of every tree event, in ranges the node accepts (halved when refused), nothing decoded.
  const read = async (from: number, to: number): Promise<void> => {
    const response = await fetch(args.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'eth_getLogs',
        params: [{ address: args.registry, fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}`, topics: [topics] }],
      }),
    });
    const body = await response.arrayBuffer();
    if (body.byteLength < 4096 && /"error"/.test(new TextDecoder().decode(body)) && to > from) {
      const middle = Math.floor((from + to) / 2);
      await read(from, middle);
      await read(middle + 1, to);
      return;
    }
    bytes += body.byteLength;
  };
  await read(args.fromBlock, head);
} else if (mode === 'floor-snapshot') {
  bytes = (await (await fetch(args.snapshotUrl!)).arrayBuffer()).byteLength;
} else if (mode !== 'idle' && mode !== 'loaded') {
  throw new Error(`unknown mode ${mode}`);
}
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
// One action's Merkle path (the last leaf: the longest path), once the tree is there.
let pathMs = 0;
if (tree && tree.size > 0) {
  const p0 = performance.now();
  tree.proof(tree.size - 1);
  pathMs = performance.now() - p0;
}
const memory = process.memoryUsage();
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs, pathMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, heapMiB: memory.heapUsed / 2 ** 20, size: tree?.size ?? 0, bytes })}\n`,
);
process.exit(0);
