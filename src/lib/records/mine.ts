// One identity's own records, asked of the chain by the event fields it indexes (owner key, user key, granule),
// so a member's lists cost what the member did, not what the community did since deployment. The chain's node
// answers these filters from its own index; nothing here comes from a community node, so nothing needs checking
// beyond what the chain says. Incremental from a cursor per chain and key; a reset chain clears the chain's records.
import { getAbiItem, type Address, type Log, type PublicClient } from 'viem';
import { granuleRegistryAbi } from '../chain/abi.generated';
import type { TwingrainDb } from '../store/index';
import { mineKey, type SyncCursor } from './cursor';
import { RegistryNotDeployedError } from './errors';
import { fieldHex, type Hex, type MirroredRecord } from './rows';
import { inLogRanges } from '../chain/index';
import { ask, chainUnreachable } from './ask';
import { clearChainRecords, serialised, toRows } from './sync';

export interface SyncMyRecordsParameters {
  db: TwingrainDb;
  publicClient: PublicClient;
  registry: Address;
  /** The identity whose lists these are. */
  publicKey: bigint;
  /** The registry's deployment block (runtime config `chain.deployBlock`). */
  fromBlock?: number;
  /** Blocks per eth_getLogs request (halved when the node refuses a range as too large). */
  batchSize?: number;
}

export interface SyncMyRecordsReturnType {
  chainId: number;
  blockNumber: number;
  /** This chain's records were cleared on the way (reset chain or another registry). */
  reset: boolean;
  /** Records this call stored. */
  added: number;
}

interface MineCursor extends SyncCursor {
  /** Granules this identity registered or took over (their grants and instantiations are its records too). */
  owned: Hex[];
  /** Granules made out to this identity (their registrations are the pointers its list shows). */
  usable: Hex[];
}

const DEFAULT_BATCH = 50_000;
// Topic lists are OR-ed by the node; a few hundred values keep a request small.
const TOPIC_CHUNK = 200;
const PARALLEL = 8;

const EVENT = {
  Registered: getAbiItem({ abi: granuleRegistryAbi, name: 'Registered' }),
  OwnershipClaimed: getAbiItem({ abi: granuleRegistryAbi, name: 'OwnershipClaimed' }),
  Authorized: getAbiItem({ abi: granuleRegistryAbi, name: 'Authorized' }),
  Instantiated: getAbiItem({ abi: granuleRegistryAbi, name: 'Instantiated' }),
};
type EventName = keyof typeof EVENT;
type Filter = { alpha: bigint[] } | { ownerPk: bigint } | { userPk: bigint };

/** The logs of one event matching `args` in [from, to], in ranges the node accepts. */
async function logsOf(p: SyncMyRecordsParameters, name: EventName, args: Filter, from: number, to: number): Promise<Log[]> {
  const out: Log[] = [];
  await inLogRanges({
    fromBlock: from,
    toBlock: to,
    span: p.batchSize ?? DEFAULT_BATCH,
    read: async (start, end) =>
      (await p.publicClient.getLogs({
        address: p.registry,
        event: EVENT[name],
        args,
        fromBlock: BigInt(start),
        toBlock: BigInt(end),
      } as Parameters<PublicClient['getLogs']>[0])) as Log[],
    take: (logs) => out.push(...logs),
    failed: (cause) => chainUnreachable(p.publicClient, cause),
  });
  return out;
}

async function logsForGranules(p: SyncMyRecordsParameters, name: EventName, alphas: Hex[], from: number, to: number): Promise<Log[]> {
  const chunks: Hex[][] = [];
  for (let i = 0; i < alphas.length; i += TOPIC_CHUNK) chunks.push(alphas.slice(i, i + TOPIC_CHUNK));
  // The node filters each request over the whole range: requests at once, a few at a time, not one after another.
  const out: Log[] = [];
  for (let i = 0; i < chunks.length; i += PARALLEL) {
    const answers = await Promise.all(chunks.slice(i, i + PARALLEL).map((c) => logsOf(p, name, { alpha: c.map((a) => BigInt(a)) }, from, to)));
    for (const logs of answers) out.push(...logs);
  }
  return out;
}

const alphaOf = (log: Log): Hex => fieldHex(BigInt(log.topics[1] ?? '0x0'));

export function syncMyRecords(p: SyncMyRecordsParameters): Promise<SyncMyRecordsReturnType> {
  return (async () => {
    const chainId = await ask(p.publicClient, () => p.publicClient.getChainId());
    return serialised(p.db, chainId, () => syncMine(p, chainId));
  })();
}

async function syncMine(p: SyncMyRecordsParameters, chainId: number): Promise<SyncMyRecordsReturnType> {
  const [genesis, head] = await ask(p.publicClient, () =>
    Promise.all([p.publicClient.getBlock({ blockNumber: 0n }), p.publicClient.getBlockNumber({ cacheTime: 0 })]),
  );
  const genesisHash = genesis.hash as Hex;
  const registry = p.registry.toLowerCase() as Hex;
  const pk = fieldHex(p.publicKey);
  const key = mineKey(chainId, pk);
  const saved = (await p.db.settings.get(key))?.value as MineCursor | undefined;
  const reset = saved !== undefined && (saved.genesisHash !== genesisHash || saved.registry !== registry || saved.lastBlock > Number(head));
  if (reset) await clearChainRecords(p.db, chainId);
  const cursor = reset ? undefined : saved;

  const code = await ask(p.publicClient, () => p.publicClient.getCode({ address: p.registry }));
  if (!code || code === '0x') throw new RegistryNotDeployedError(p.registry, chainId);

  const deployBlock = p.fromBlock ?? 0;
  const from = cursor ? cursor.lastBlock + 1 : deployBlock;
  const to = Number(head);
  const logs: Log[] = [];
  const owned = new Set(cursor?.owned ?? []);
  const usable = new Set(cursor?.usable ?? []);
  if (from <= to) {
    // What names this key in an indexed field: its registrations and take-overs, grants to it, its instantiations.
    const [registered, claimed, granted, instantiatedByMe] = await Promise.all([
      logsOf(p, 'Registered', { ownerPk: p.publicKey }, from, to),
      logsOf(p, 'OwnershipClaimed', { ownerPk: p.publicKey }, from, to),
      logsOf(p, 'Authorized', { userPk: p.publicKey }, from, to),
      logsOf(p, 'Instantiated', { userPk: p.publicKey }, from, to),
    ]);
    logs.push(...registered, ...granted, ...instantiatedByMe);
    for (const log of [...registered, ...claimed]) owned.add(alphaOf(log));
    const newlyUsable = granted.map(alphaOf).filter((a) => !usable.has(a));
    for (const a of newlyUsable) usable.add(a);
    // Grants and instantiations of this key's granules name the granule, not the owner, in their indexed fields;
    // a granule's events all follow its registration, so the new range covers every granule known by now.
    const ownedList = [...owned];
    const [grantsOfMine, instantiationsOfMine, pointers] = await Promise.all([
      logsForGranules(p, 'Authorized', ownedList, from, to),
      logsForGranules(p, 'Instantiated', ownedList, from, to),
      // A granule newly made out to this key may have been registered long before: its pointer, from deployment.
      logsForGranules(p, 'Registered', [...new Set(newlyUsable)], deployBlock, to),
    ]);
    logs.push(...grantsOfMine, ...instantiationsOfMine, ...pointers);
  }
  const rows: MirroredRecord[] = toRows(logs, chainId, registry);
  const next: MineCursor = { genesisHash, registry, lastBlock: to, owned: [...owned], usable: [...usable] };
  await p.db.transaction('rw', p.db.records, p.db.settings, async () => {
    if (rows.length > 0) await p.db.records.bulkPut(rows);
    await p.db.settings.put({ key, value: next });
  });
  return { chainId, blockNumber: to, reset, added: rows.length };
}
