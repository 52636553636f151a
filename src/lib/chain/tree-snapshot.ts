// The registry's two trees as bytes: what a node saves between syncs (its cursor) and what a community node publishes
// so a new member need not hash the whole history. Every node is stored (about 2 × 32 bytes per leaf) in the tree's
// own layout, so loading takes the bytes over as they are: no Poseidon hash, no node converted. Nothing here is
// trusted: syncTrees checks the root against the contract.
import type { Hex } from 'viem';
import { LeanTree } from '../zk/index';
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
 * A community node's published snapshot over HTTP, as a syncTrees `snapshot` source. An unreachable node or a
 * missing snapshot gives undefined (the node then syncs from events: slower, never wrong); what it serves is checked
 * by syncTrees against the chain's roots.
 */
export function httpTreeSnapshot(url: string, fetcher: typeof fetch = fetch): () => Promise<Uint8Array | undefined> {
  return async () => {
    try {
      const response = await fetcher(url);
      return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
    } catch {
      return undefined;
    }
  };
}
