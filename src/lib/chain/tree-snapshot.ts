// The registry's two trees as bytes: what a node saves between syncs (its cursor) and what a community node publishes
// so a new member need not hash the whole history. Every node is stored (about 2 × 32 bytes per leaf) in the tree's
// own layout, so loading takes the bytes over as they are: no Poseidon hash, no node converted. Nothing here is
// trusted: syncTrees checks the root against the contract.
import type { Hex } from 'viem';
import { LeanTree, TREE_MAX_DEPTH } from '../zk/index';
import { TreeSnapshotError } from './errors';

const MAGIC = [0x54, 0x47, 0x54, 0x53]; // "TGTS"
const VERSION = 1;

export interface TreeSnapshot {
  chainId: number;
  /** Hash of block 0: another value means another (or a reset) chain. */
  genesisHash: Hex;
  /** Lower-case registry address. */
  registry: Hex;
  /** The block whose state the trees are: events after it are still to be read. */
  blockNumber: number;
  registration: LeanTree;
  authorization: LeanTree;
}

interface Header {
  v: number;
  chainId: number;
  genesisHash: Hex;
  registry: Hex;
  blockNumber: number;
  sizes: [number, number];
}

export function encodeTreeSnapshot(s: TreeSnapshot): Uint8Array {
  const header: Header = {
    v: VERSION,
    chainId: s.chainId,
    genesisHash: s.genesisHash,
    registry: s.registry.toLowerCase() as Hex,
    blockNumber: s.blockNumber,
    sizes: [s.registration.size, s.authorization.size],
  };
  const head = new TextEncoder().encode(JSON.stringify(header));
  const trees = [s.registration.levelBytes(), s.authorization.levelBytes()];
  const nodeBytes = trees.reduce((sum, levels) => sum + levels.reduce((n, level) => n + level.length, 0), 0);
  const out = new Uint8Array(8 + head.length + nodeBytes);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(4, head.length);
  out.set(head, 8);
  let offset = 8 + head.length;
  // Nodes are 32-byte big-endian words in the tree and in the file alike: a copy, level by level.
  for (const levels of trees) {
    for (const level of levels) {
      out.set(level, offset);
      offset += level.length;
    }
  }
  return out;
}

function levelSizes(size: number): number[] {
  const sizes = [size];
  while (sizes[sizes.length - 1]! > 1) sizes.push(Math.ceil(sizes[sizes.length - 1]! / 2));
  return sizes;
}

/** Reads a snapshot; the trees keep the given bytes as their storage (do not reuse them). */
export function decodeTreeSnapshot(bytes: Uint8Array): TreeSnapshot {
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) throw new TreeSnapshotError('This is not a twingrain tree snapshot.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headLength = view.getUint32(4);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headLength))) as Header;
  } catch {
    throw new TreeSnapshotError('The tree snapshot header is unreadable.');
  }
  if (
    header.v !== VERSION ||
    !Number.isSafeInteger(header.chainId) ||
    !Number.isSafeInteger(header.blockNumber) ||
    header.blockNumber < 0 ||
    !/^0x[0-9a-f]{64}$/i.test(String(header.genesisHash)) ||
    !/^0x[0-9a-f]{40}$/.test(String(header.registry)) ||
    !Array.isArray(header.sizes) ||
    header.sizes.length !== 2 ||
    !header.sizes.every((n) => Number.isSafeInteger(n) && n >= 0)
  ) {
    throw new TreeSnapshotError('The tree snapshot header is invalid or from a newer version of twingrain.');
  }
  let offset = 8 + headLength;
  const readTree = (size: number): LeanTree => {
    const levels: Uint8Array[] = [];
    for (const count of size === 0 ? [0] : levelSizes(size)) {
      if (offset + count * 32 > bytes.length) throw new TreeSnapshotError('The tree snapshot is truncated.');
      // A view, not a copy: the tree takes the snapshot's bytes over.
      levels.push(bytes.subarray(offset, offset + count * 32));
      offset += count * 32;
    }
    try {
      return LeanTree.fromLevelBytes(size, levels);
    } catch (cause) {
      throw new TreeSnapshotError(`The tree snapshot is malformed: ${(cause as Error).message}`);
    }
  };
  const registration = readTree(header.sizes[0]);
  const authorization = readTree(header.sizes[1]);
  if (offset !== bytes.length) throw new TreeSnapshotError('The tree snapshot has trailing bytes.');
  return {
    chainId: header.chainId,
    genesisHash: header.genesisHash.toLowerCase() as Hex,
    registry: header.registry,
    blockNumber: header.blockNumber,
    registration,
    authorization,
  };
}

/**
 * The largest snapshot a registry can have: both trees full (2^TREE_MAX_DEPTH leaves, 2n − 1 nodes of 32 bytes each)
 * and a header. A source that sends more is not a snapshot, and is cut off before it fills the memory.
 */
export const MAX_TREE_SNAPSHOT_BYTES = 8 + 64 * 1024 + 2 * (2 * 2 ** TREE_MAX_DEPTH - 1) * 32;

const tooLarge = (url: string, limit: number) =>
  new TreeSnapshotError(
    `The tree snapshot at ${url} is larger than any registry's trees (over ${Math.round(limit / 2 ** 20)} MiB): it was not used. Check the address of the community node.`,
  );

/**
 * A community node's published snapshot over HTTP, as a syncTrees `snapshot` source. An unreachable node or a
 * missing snapshot gives undefined (the node then syncs from events: slower, never wrong); an answer larger than any
 * registry's trees is refused while it streams; what it serves is checked by syncTrees against the chain's roots.
 */
export function httpTreeSnapshot(
  url: string,
  fetcher: typeof fetch = fetch,
  maxBytes: number = MAX_TREE_SNAPSHOT_BYTES,
): () => Promise<Uint8Array | undefined> {
  return async () => {
    let response: Response;
    try {
      response = await fetcher(url);
    } catch {
      return undefined;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      return undefined;
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      await response.body.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes);
    }
    // Read into one buffer of the declared size (grown when undeclared), never past the limit.
    let out = new Uint8Array(Number.isSafeInteger(declared) && declared > 0 ? declared : 1 << 20);
    let length = 0;
    const reader = response.body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (length + value.length > maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw tooLarge(url, maxBytes);
        }
        if (length + value.length > out.length) {
          const grown = new Uint8Array(Math.min(maxBytes, Math.max(out.length * 2, length + value.length)));
          grown.set(out.subarray(0, length));
          out = grown;
        }
        out.set(value, length);
        length += value.length;
      }
    } catch (error) {
      if (error instanceof TreeSnapshotError) throw error;
      return undefined; // the connection broke off: as if unreachable
    }
    return out.subarray(0, length);
  };
}
