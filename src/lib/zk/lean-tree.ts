// A lean incremental Merkle tree (dynamic depth) with Poseidon, mirroring contracts/zk/LeanTree.sol leaf for leaf:
// a parent is H(left, right); a node without a right sibling moves up unchanged; the depth is ⌈log2 size⌉.
// The app rebuilds it from the contract's events to make Merkle paths locally.
//
// Nodes are kept as 32-byte big-endian words in one byte array per level, and leaves are found through a small
// open-addressing table of indexes: a 100,000-leaf tree is its 6 MiB of nodes plus 1 MiB, where arrays of bigints and a
// Map took about three times that, and a saved or published tree (the same bytes) loads without converting a node.
import { poseidonHash, BN254_FIELD_ORDER } from '../identity/index';
import { TREE_MAX_DEPTH } from './constants';
import { MerkleTreeError } from './errors';

export interface MerkleProof {
  leaf: bigint;
  root: bigint;
  /** Leaf position in the tree. */
  index: number;
  /** Number of siblings actually used (levels without a sibling are skipped). */
  depth: number;
  /** Padded to TREE_MAX_DEPTH with zeros, as the circuits take them. */
  pathIndices: number[];
  siblings: bigint[];
}

const NODE = 32;
const MASK64 = 0xffffffffffffffffn;
const FIELD_BYTES = wordBytes(BN254_FIELD_ORDER);

function wordBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(NODE);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, value >> 192n);
  view.setBigUint64(8, (value >> 128n) & MASK64);
  view.setBigUint64(16, (value >> 64n) & MASK64);
  view.setBigUint64(24, value & MASK64);
  return out;
}

/** A leaf is a non-zero field element: compared byte by byte, so loading a stored tree converts no leaf. */
function validLeafAt(bytes: Uint8Array, offset: number): boolean {
  let zero = true;
  let below: boolean | undefined;
  for (let k = 0; k < NODE; k++) {
    const b = bytes[offset + k]!;
    if (b !== 0) zero = false;
    if (below === undefined && b !== FIELD_BYTES[k]) below = b < FIELD_BYTES[k]!;
    if (!zero && below !== undefined) return below;
  }
  return !zero && below === true;
}

export class LeanTree {
  /** levels[d] holds node i at height d in bytes [32i, 32i + 32); level 0 are the leaves. Sized by capacity. */
  private levels: Uint8Array[] = [new Uint8Array(0)];
  private views: DataView[] = [new DataView(new ArrayBuffer(0))];
  private count = 0;
  /** Open addressing: leaf index + 1 by the leaf's low 32 bits (leaves are hashes: evenly spread); 0 is empty. */
  private slots = new Int32Array(16);

  constructor(readonly maxDepth: number = TREE_MAX_DEPTH) {}

  /**
   * A tree from its stored nodes (a snapshot or a node's saved state), without hashing: O(size) instead of one
   * Poseidon per node. Only the shape and the leaves are checked here; whoever loads the nodes checks the root against
   * the chain, and proof() checks every path it hands out against the root, so a forged inner node cannot yield a
   * wrong proof. The byte arrays are taken over, not copied: the caller must not reuse them.
   */
  static fromLevelBytes(size: number, levels: Uint8Array[], maxDepth: number = TREE_MAX_DEPTH): LeanTree {
    const tree = new LeanTree(maxDepth);
    const depth = size <= 1 ? 0 : Math.ceil(Math.log2(size));
    if (!Number.isSafeInteger(size) || size < 0 || levels.length !== depth + 1 || size > 2 ** maxDepth)
      throw new MerkleTreeError('The stored tree has the wrong number of levels for its size.');
    let expected = size;
    for (let d = 0; d <= depth; d++) {
      if (levels[d]!.length !== expected * NODE)
        throw new MerkleTreeError(`The stored tree's level ${d} has ${levels[d]!.length / NODE} nodes, not ${expected}.`);
      expected = Math.ceil(expected / 2);
    }
    tree.levels = levels;
    tree.views = levels.map((level) => new DataView(level.buffer, level.byteOffset, level.byteLength));
    tree.count = size;
    const leaves = levels[0]!;
    for (let i = 0; i < size; i++) if (!validLeafAt(leaves, i * NODE)) throw new MerkleTreeError('The stored tree has an invalid or repeated leaf.');
    if (!tree.reindex()) throw new MerkleTreeError('The stored tree has an invalid or repeated leaf.');
    return tree;
  }

  /** fromLevelBytes for nodes as numbers (tests and tools). */
  static fromLevels(levels: bigint[][], maxDepth: number = TREE_MAX_DEPTH): LeanTree {
    const size = levels[0]?.length ?? 0;
    const bytes = levels.map((level) => {
      const out = new Uint8Array(level.length * NODE);
      for (let i = 0; i < level.length; i++) {
        const node = level[i]!;
        if (node < 0n || node >> 256n !== 0n) throw new MerkleTreeError('The stored tree has a node that is not a 256-bit word.');
        out.set(wordBytes(node), i * NODE);
      }
      return out;
    });
    return LeanTree.fromLevelBytes(size, bytes, maxDepth);
  }

  /** The stored nodes, level by level (leaves first), as the bytes fromLevelBytes takes back (views, not copies). */
  levelBytes(): Uint8Array[] {
    return this.levels.map((level, d) => level.subarray(0, this.levelSize(d) * NODE));
  }

  /** The stored nodes as numbers, level by level (leaves first): what fromLevels takes back. Converts every node. */
  get nodeLevels(): readonly (readonly bigint[])[] {
    return this.levels.map((_, d) => Array.from({ length: this.levelSize(d) }, (_, i) => this.node(d, i)));
  }

  get size(): number {
    return this.count;
  }

  get depth(): number {
    return this.levels.length - 1;
  }

  /** The root, or 0 for an empty tree (as on chain). */
  get root(): bigint {
    return this.count === 0 ? 0n : this.node(this.depth, 0);
  }

  /** Every leaf as a number (converts them all). */
  get leaves(): readonly bigint[] {
    return Array.from({ length: this.count }, (_, i) => this.node(0, i));
  }

  has(leaf: bigint): boolean {
    return this.indexOf(leaf) >= 0;
  }

  indexOf(leaf: bigint): number {
    if (leaf <= 0n || leaf >= BN254_FIELD_ORDER) return -1;
    return this.find(wordBytes(leaf), Number(leaf & 0xffffffffn));
  }

  insert(leaf: bigint): number {
    if (leaf <= 0n || leaf >= BN254_FIELD_ORDER) throw new MerkleTreeError('A tree leaf must be a non-zero BN254 field element.');
    if (this.has(leaf)) throw new MerkleTreeError('This leaf is already in the tree.');
    this.insertMany([leaf]);
    return this.count - 1;
  }

  /**
   * Appends leaves in order, then recomputes each level once from the first changed node: about k + depth hashes for
   * k leaves, where k single inserts cost about k·depth/2 (a 100,000-leaf history: 100,000 hashes, not 850,000).
   */
  insertMany(leaves: readonly bigint[]): void {
    if (this.count + leaves.length > 2 ** this.maxDepth) throw new MerkleTreeError(`The tree is full (${2 ** this.maxDepth} leaves).`);
    const start = this.count;
    for (const leaf of leaves) {
      if (leaf <= 0n || leaf >= BN254_FIELD_ORDER) {
        this.truncate(start);
        throw new MerkleTreeError('A tree leaf must be a non-zero BN254 field element.');
      }
      const bytes = wordBytes(leaf);
      const low = Number(leaf & 0xffffffffn);
      if (this.find(bytes, low) >= 0) {
        this.truncate(start);
        throw new MerkleTreeError('This leaf is already in the tree.');
      }
      this.reserve(0, this.count + 1);
      this.levels[0]!.set(bytes, this.count * NODE);
      this.count++;
      this.addSlot(this.count - 1, low);
    }
    while (2 ** this.depth < this.count) {
      this.levels.push(new Uint8Array(0));
      this.views.push(new DataView(new ArrayBuffer(0)));
    }
    let from = start;
    let count = this.count;
    for (let level = 0; level < this.depth; level++) {
      const parents = Math.ceil(count / 2);
      this.reserve(level + 1, parents);
      for (let position = from >> 1; position < parents; position++) {
        const left = this.node(level, 2 * position);
        const value = 2 * position + 1 < count ? poseidonHash([left, this.node(level, 2 * position + 1)]) : left;
        this.setNode(level + 1, position, value);
      }
      from >>= 1;
      count = parents;
    }
  }

  proof(index: number): MerkleProof {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new MerkleTreeError(`No leaf at index ${index}: the tree has ${this.size} leaves.`);
    }
    const pathIndices: number[] = [];
    const siblings: bigint[] = [];
    let position = index;
    for (let level = 0; level < this.depth; level++) {
      const isRight = position & 1;
      const siblingPosition = isRight ? position - 1 : position + 1;
      // A left node without a right sibling moves up unhashed: the compact proof skips that level.
      if (siblingPosition < this.levelSize(level)) {
        siblings.push(this.node(level, siblingPosition));
        pathIndices.push(isRight);
      }
      position >>= 1;
    }
    const depth = siblings.length;
    while (siblings.length < this.maxDepth) {
      siblings.push(0n);
      pathIndices.push(0);
    }
    const proof = { leaf: this.node(0, index), root: this.root, index, depth, pathIndices, siblings };
    // A tree loaded from stored nodes is checked against the chain by its root only: its path must lead there too.
    if (LeanTree.rootOf(proof) !== proof.root)
      throw new MerkleTreeError(`The stored tree's nodes do not lead from leaf ${index} to its root: the tree data is corrupt or forged.`);
    return proof;
  }

  /** Recomputes the root a proof claims, exactly as the circuits do. */
  static rootOf(proof: Pick<MerkleProof, 'leaf' | 'depth' | 'pathIndices' | 'siblings'>): bigint {
    let node = proof.leaf;
    for (let i = 0; i < proof.depth; i++) {
      const sibling = proof.siblings[i]!;
      node = proof.pathIndices[i] ? poseidonHash([sibling, node]) : poseidonHash([node, sibling]);
    }
    return node;
  }

  private levelSize(d: number): number {
    return Math.ceil(this.count / 2 ** d);
  }

  private node(d: number, i: number): bigint {
    const view = this.views[d]!;
    const at = i * NODE;
    return (view.getBigUint64(at) << 192n) | (view.getBigUint64(at + 8) << 128n) | (view.getBigUint64(at + 16) << 64n) | view.getBigUint64(at + 24);
  }

  private setNode(d: number, i: number, value: bigint): void {
    const view = this.views[d]!;
    const at = i * NODE;
    view.setBigUint64(at, value >> 192n);
    view.setBigUint64(at + 8, (value >> 128n) & MASK64);
    view.setBigUint64(at + 16, (value >> 64n) & MASK64);
    view.setBigUint64(at + 24, value & MASK64);
  }

  /** Room for `nodes` nodes at level d, doubling (amortised O(1) appends). */
  private reserve(d: number, nodes: number): void {
    const level = this.levels[d]!;
    if (level.length >= nodes * NODE) return;
    const grown = new Uint8Array(Math.max(nodes * NODE, level.length * 2, 64 * NODE));
    grown.set(level);
    this.levels[d] = grown;
    this.views[d] = new DataView(grown.buffer, grown.byteOffset, grown.byteLength);
  }

  private lowWord(i: number): number {
    return this.views[0]!.getUint32(i * NODE + 28);
  }

  private find(bytes: Uint8Array, low: number): number {
    const mask = this.slots.length - 1;
    const leaves = this.levels[0]!;
    for (let s = low & mask; ; s = (s + 1) & mask) {
      const entry = this.slots[s]!;
      if (entry === 0) return -1;
      const at = (entry - 1) * NODE;
      let k = 0;
      while (k < NODE && leaves[at + k] === bytes[k]) k++;
      if (k === NODE) return entry - 1;
    }
  }

  private addSlot(index: number, low: number): void {
    if ((this.count + 1) * 2 > this.slots.length) {
      this.reindex();
      return;
    }
    const mask = this.slots.length - 1;
    let s = low & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = index + 1;
  }

  /** Rebuilds the leaf table for the current leaves; false if a leaf repeats. */
  private reindex(): boolean {
    let capacity = 16;
    while (capacity < (this.count + 1) * 2) capacity *= 2;
    this.slots = new Int32Array(capacity);
    const leaves = this.levels[0]!;
    const mask = capacity - 1;
    for (let i = 0; i < this.count; i++) {
      const at = i * NODE;
      let s = this.lowWord(i) & mask;
      for (;;) {
        const entry = this.slots[s]!;
        if (entry === 0) break;
        const other = (entry - 1) * NODE;
        let k = 0;
        while (k < NODE && leaves[at + k] === leaves[other + k]) k++;
        if (k === NODE) return false;
        s = (s + 1) & mask;
      }
      this.slots[s] = i + 1;
    }
    return true;
  }

  /** Undoes a partly applied insertMany (leaves only: no level above was touched yet). */
  private truncate(size: number): void {
    this.count = size;
    this.reindex();
  }
}
