// The registry's two trees as bytes: what a node saves between syncs (its cursor) and what a community node publishes
// so a new member need not hash the whole history. Every node is stored (about 2 × 32 bytes per leaf), so loading
// is a copy, not 2n Poseidon hashes. Nothing here is trusted: syncTrees checks the root against the contract.
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

function levelsOf(tree: LeanTree): readonly (readonly bigint[])[] {
  return tree.nodeLevels;
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
  const trees = [levelsOf(s.registration), levelsOf(s.authorization)];
  const nodes = trees.reduce((sum, levels) => sum + levels.reduce((n, level) => n + level.length, 0), 0);
  const out = new Uint8Array(8 + head.length + nodes * 32);
  out.set(MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, head.length);
  out.set(head, 8);
  let offset = 8 + head.length;
  for (const levels of trees) {
    for (const level of levels) {
      for (const node of level) {
        // Four 64-bit words, big-endian: no hex strings for 200,000 nodes.
        view.setBigUint64(offset, node >> 192n);
        view.setBigUint64(offset + 8, (node >> 128n) & 0xffffffffffffffffn);
        view.setBigUint64(offset + 16, (node >> 64n) & 0xffffffffffffffffn);
        view.setBigUint64(offset + 24, node & 0xffffffffffffffffn);
        offset += 32;
      }
    }
  }
  return out;
}

function levelSizes(size: number): number[] {
  const sizes = [size];
  while (sizes[sizes.length - 1]! > 1) sizes.push(Math.ceil(sizes[sizes.length - 1]! / 2));
  return sizes;
}

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
    const levels: bigint[][] = [];
    for (const count of size === 0 ? [0] : levelSizes(size)) {
      if (offset + count * 32 > bytes.length) throw new TreeSnapshotError('The tree snapshot is truncated.');
      const level = new Array<bigint>(count);
      for (let i = 0; i < count; i++, offset += 32) {
        level[i] =
          (view.getBigUint64(offset) << 192n) |
          (view.getBigUint64(offset + 8) << 128n) |
          (view.getBigUint64(offset + 16) << 64n) |
          view.getBigUint64(offset + 24);
      }
      levels.push(level);
    }
    try {
      return LeanTree.fromLevels(levels);
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
