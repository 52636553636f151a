// Every registration of a community (what Discover lists) as one download from a community node, beside its tree
// snapshot, so a new browser need not read every registry event since deployment. A community node is trusted for
// nothing: each row's leaf must be the leaf at its index in trees already checked against the registry's roots, and
// each row's granule, owner and manifest pointer must be what the registry holds for that granule. A snapshot with one
// row that does not check out is refused whole, and nothing of it is stored.
import * as v from 'valibot';
import { parseEventLogs, type Address, type PublicClient } from 'viem';
import { granuleRegistryAbi } from '../chain/abi.generated';
import { httpTreeSnapshot, TreeSnapshotError } from '../chain/index';
import type { LeanTree } from '../zk/index';
import { RowsSnapshotRejectedError } from './errors';
import { fieldHex, recordId, type Hex, type RegistrationRow } from './rows';

const SCHEMA = 'twingrain/records-snapshot@1';
/** More rows than a registry's tree can hold is not a snapshot (2^20 leaves). */
const MAX_ROWS = 2 ** 20;
/** 2^20 rows of about 400 bytes: an answer past this is cut off before it fills the memory. */
const MAX_ROWS_SNAPSHOT_BYTES = 512 * 2 ** 20;

export interface RowsSnapshot {
  chainId: number;
  genesisHash: Hex;
  registry: Hex;
  /** The block whose registrations the snapshot holds: events after it are still to be read. */
  blockNumber: number;
  registrations: RegistrationRow[];
}

const field = v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/));
const count = v.pipe(v.number(), v.integer(), v.minValue(0));
// [leafIndex, alpha, ownerPk, commitment, manifestCid, blockNumber, txHash]: about 330 bytes a row.
const RowTuple = v.strictTuple([count, field, field, field, v.pipe(v.string(), v.regex(/^0x([0-9a-f]{2}){1,128}$/)), count, field]);
const SnapshotSchema = v.object({
  schema: v.literal(SCHEMA),
  chainId: v.pipe(v.number(), v.integer(), v.minValue(1)),
  genesisHash: field,
  registry: v.pipe(v.string(), v.regex(/^0x[0-9a-f]{40}$/)),
  blockNumber: count,
  registrations: v.pipe(v.array(RowTuple), v.maxLength(MAX_ROWS)),
});

export function encodeRowsSnapshot(s: RowsSnapshot): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      schema: SCHEMA,
      chainId: s.chainId,
      genesisHash: s.genesisHash.toLowerCase(),
      registry: s.registry.toLowerCase(),
      blockNumber: s.blockNumber,
      registrations: s.registrations.map((r) => [
        r.leafIndex,
        r.alpha,
        r.ownerPk,
        r.commitment,
        r.manifestCid.toLowerCase(),
        r.blockNumber,
        r.txHash.toLowerCase(),
      ]),
    }),
  );
}

/** Reads a community node's rows; a shape that is not a records snapshot is refused. */
export function decodeRowsSnapshot(bytes: Uint8Array): RowsSnapshot {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new RowsSnapshotRejectedError("The community node's list of registrations is not readable: it was not used. Check the node it came from.");
  }
  const parsed = v.safeParse(SnapshotSchema, json);
  if (!parsed.success)
    throw new RowsSnapshotRejectedError("The community node's list of registrations is malformed: it was not used. Check the node it came from.");
  const s = parsed.output;
  const registry = s.registry as Hex;
  return {
    chainId: s.chainId,
    genesisHash: s.genesisHash as Hex,
    registry,
    blockNumber: s.blockNumber,
    registrations: s.registrations.map(([leafIndex, alpha, ownerPk, commitment, manifestCid, blockNumber, txHash]) => ({
      id: recordId(s.chainId, registry, 'registration', leafIndex),
      kind: 'registration',
      chainId: s.chainId,
      registry,
      leafIndex,
      alpha: alpha as Hex,
      ownerPk: ownerPk as Hex,
      commitment: commitment as Hex,
      manifestCid: manifestCid as Hex,
      blockNumber,
      txHash,
    })),
  };
}

export interface CheckRowsSnapshotParameters {
  publicClient: PublicClient;
  registry: Address;
  snapshot: RowsSnapshot;
  /** The chain this browser is on, and its registration tree checked against the registry's root. */
  at: { chainId: number; genesisHash: Hex; blockNumber: number; registration: LeanTree };
  /** Contract reads at once (a client that batches JSON-RPC sends them as few requests). */
  concurrency?: number;
}

const forged = (what: string): never => {
  throw new RowsSnapshotRejectedError(
    `The community node's list of registrations does not match the chain (${what}): it is forged or damaged, and none of it was kept. Start from another community node, or from none.`,
  );
};

/** Throws RowsSnapshotRejectedError unless every row is what the chain recorded. */
export async function checkRowsSnapshot(p: CheckRowsSnapshotParameters): Promise<void> {
  const { snapshot: s, at } = p;
  if (s.chainId !== at.chainId || s.genesisHash !== at.genesisHash || s.registry !== p.registry.toLowerCase() || s.blockNumber > at.blockNumber)
    throw new RowsSnapshotRejectedError(
      `The community node's list of registrations is for another chain, registry or a block this chain has not reached (chain ${s.chainId}, block ${s.blockNumber}): it was not used. Check the node it came from.`,
    );
  const seen = new Set<string>();
  for (const row of s.registrations) {
    // The leaf at its index binds the row's commitment and position to the checked tree.
    if (at.registration.indexOf(BigInt(row.commitment)) !== row.leafIndex) forged(`registration ${row.leafIndex} is not the registry's leaf there`);
    if (seen.has(row.alpha)) forged(`granule ${row.alpha.slice(0, 10)}… is listed twice`);
    seen.add(row.alpha);
    if (row.blockNumber > s.blockNumber) forged(`registration ${row.leafIndex} is from after the list's own block`);
  }
  // The commitment hides granule and owner: those, and the manifest pointer, are checked against the registry's
  // state at the trees' block (a registration is never undone, and a pointer never changes; an old block's state
  // is gone from RPC nodes that are not archives). A granule handed on since has another owner: its own event decides.
  const blockNumber = BigInt(at.blockNumber);
  const read = <T>(functionName: 'ownerOf' | 'manifestOf', alpha: string) =>
    p.publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName, args: [BigInt(alpha)], blockNumber }) as Promise<T>;
  const transferred: RegistrationRow[] = [];
  const step = Math.max(1, p.concurrency ?? 256);
  for (let i = 0; i < s.registrations.length; i += step) {
    const rows = s.registrations.slice(i, i + step);
    const answers = await Promise.all(rows.map((r) => Promise.all([read<bigint>('ownerOf', r.alpha), read<Hex>('manifestOf', r.alpha)])));
    rows.forEach((row, k) => {
      const [owner, manifest] = answers[k]!;
      if (owner === 0n || manifest.toLowerCase() !== row.manifestCid) forged(`granule ${row.alpha.slice(0, 10)}… is not registered with that pointer`);
      if (fieldHex(owner) !== row.ownerPk) transferred.push(row);
    });
  }
  for (const row of transferred) {
    const logs = await p.publicClient.getLogs({
      address: p.registry,
      event: granuleRegistryAbi.find((x) => x.type === 'event' && x.name === 'Registered') as Extract<
        (typeof granuleRegistryAbi)[number],
        { type: 'event'; name: 'Registered' }
      >,
      args: { alpha: BigInt(row.alpha) },
      fromBlock: BigInt(row.blockNumber),
      toBlock: BigInt(row.blockNumber),
    });
    const event = parseEventLogs({ abi: granuleRegistryAbi, logs, eventName: 'Registered' })[0];
    if (!event || fieldHex(event.args.ownerPk) !== row.ownerPk || Number(event.args.leafIndex) !== row.leafIndex)
      forged(`granule ${row.alpha.slice(0, 10)}… was not registered by that owner`);
  }
}

/**
 * A community node's rows over HTTP: undefined when the node is unreachable or has none (the mirror then reads the
 * events: slower, never wrong); an answer larger than any registry's rows is cut off while it streams (the tree
 * snapshot's bounded reader, with this list's own limit).
 */
export function httpRowsSnapshot(url: string, fetcher: typeof fetch = fetch): () => Promise<Uint8Array | undefined> {
  const read = httpTreeSnapshot(url, fetcher, MAX_ROWS_SNAPSHOT_BYTES);
  return async () => {
    try {
      return await read();
    } catch (error) {
      if (!(error instanceof TreeSnapshotError)) throw error;
      throw new RowsSnapshotRejectedError(
        `The list of registrations at ${url} is larger than any registry's: it was not used. Check the address of the community node.`,
      );
    }
  };
}

/** The rows snapshot's address beside a tree snapshot's (…/trees/snapshot → …/records/snapshot). */
export function rowsSnapshotUrlBeside(treesSnapshotUrl: string): string {
  const url = new URL(treesSnapshotUrl);
  url.pathname = url.pathname.replace(/trees\/snapshot$/, 'records/snapshot');
  return url.href;
}
