// A lean incremental Merkle tree (dynamic depth) with Poseidon, mirroring contracts/zk/LeanTree.sol leaf for leaf:
// a parent is H(left, right); a node without a right sibling moves up unchanged; the depth is ⌈log2 size⌉.
// The app rebuilds it from the contract's events to make Merkle paths locally.
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

export class LeanTree {
  /** levels[0] are the leaves; levels[d][i] is the node i at height d. */
  private readonly levels: bigint[][] = [[]];
  private readonly indexOfLeaf = new Map<bigint, number>();

  constructor(readonly maxDepth: number = TREE_MAX_DEPTH) {}

  /**
   * A tree from its stored nodes (a snapshot or a node's saved state), without hashing: O(size) instead of one
   * Poseidon per node. Only the shape is checked here; whoever loads the nodes checks the root against the chain, and
   * proof() checks every path it hands out against the root, so a forged inner node cannot yield a wrong proof.
   */
  static fromLevels(levels: bigint[][], maxDepth: number = TREE_MAX_DEPTH): LeanTree {
    const tree = new LeanTree(maxDepth);
    const size = levels[0]?.length ?? 0;
    let expected = size;
    const depth = size <= 1 ? 0 : Math.ceil(Math.log2(size));
    if (levels.length !== depth + 1 || size > 2 ** maxDepth) throw new MerkleTreeError('The stored tree has the wrong number of levels for its size.');
    for (let d = 0; d <= depth; d++) {
      if (levels[d]!.length !== expected) throw new MerkleTreeError(`The stored tree's level ${d} has ${levels[d]!.length} nodes, not ${expected}.`);
      expected = Math.ceil(expected / 2);
    }
    tree.levels.length = 0;
    tree.levels.push(...levels);
    const leaves = levels[0]!;
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i]!;
      if (leaf <= 0n || leaf >= BN254_FIELD_ORDER || tree.indexOfLeaf.has(leaf)) throw new MerkleTreeError('The stored tree has an invalid or repeated leaf.');
      tree.indexOfLeaf.set(leaf, i);
    }
    return tree;
  }

  /** The stored nodes, level by level (leaves first): what fromLevels takes back. */
  get nodeLevels(): readonly (readonly bigint[])[] {
    return this.levels;
  }

  get size(): number {
    return this.levels[0]!.length;
  }

  get depth(): number {
    return this.levels.length - 1;
  }

  /** The root, or 0 for an empty tree (as on chain). */
  get root(): bigint {
    return this.levels[this.depth]![0] ?? 0n;
  }

  get leaves(): readonly bigint[] {
    return this.levels[0]!;
  }

  has(leaf: bigint): boolean {
    return this.indexOfLeaf.has(leaf);
  }

  indexOf(leaf: bigint): number {
    return this.indexOfLeaf.get(leaf) ?? -1;
  }

  insert(leaf: bigint): number {
    if (leaf <= 0n || leaf >= BN254_FIELD_ORDER) throw new MerkleTreeError('A tree leaf must be a non-zero BN254 field element.');
    if (this.indexOfLeaf.has(leaf)) throw new MerkleTreeError('This leaf is already in the tree.');
    if (this.size >= 2 ** this.maxDepth) throw new MerkleTreeError(`The tree is full (${2 ** this.maxDepth} leaves).`);
    const index = this.size;
    if (2 ** this.depth < index + 1) this.levels.push([]);
    this.levels[0]!.push(leaf);
    this.indexOfLeaf.set(leaf, index);
    let node = leaf;
    let position = index;
    for (let level = 0; level < this.depth; level++) {
      if (position & 1) node = poseidonHash([this.levels[level]![position - 1]!, node]);
      position >>= 1;
      this.levels[level + 1]![position] = node;
    }
    return index;
  }

  /**
   * Appends leaves in order, then recomputes each level once from the first changed node: about k + depth hashes for
   * k leaves, where k single inserts cost about k·depth/2 (a 100,000-leaf history: 100,000 hashes, not 850,000).
   */
  insertMany(leaves: readonly bigint[]): void {
    if (this.size + leaves.length > 2 ** this.maxDepth) throw new MerkleTreeError(`The tree is full (${2 ** this.maxDepth} leaves).`);
    const start = this.size;
    for (const [k, leaf] of leaves.entries()) {
      if (leaf <= 0n || leaf >= BN254_FIELD_ORDER) throw new MerkleTreeError('A tree leaf must be a non-zero BN254 field element.');
      if (this.indexOfLeaf.has(leaf)) {
        this.truncate(start);
        throw new MerkleTreeError('This leaf is already in the tree.');
      }
      this.indexOfLeaf.set(leaf, start + k);
      this.levels[0]!.push(leaf);
    }
    const size = this.size;
    while (2 ** this.depth < size) this.levels.push([]);
    let from = start;
    let count = size;
    for (let level = 0; level < this.depth; level++) {
      const below = this.levels[level]!;
      const above = this.levels[level + 1]!;
      const parents = Math.ceil(count / 2);
      for (let position = from >> 1; position < parents; position++) {
        const right = below[2 * position + 1];
        above[position] = right === undefined ? below[2 * position]! : poseidonHash([below[2 * position]!, right]);
      }
      from >>= 1;
      count = parents;
    }
  }

  /** Undoes a partly applied insertMany (leaves only: no level above was touched yet). */
  private truncate(size: number): void {
    for (const leaf of this.levels[0]!.splice(size)) this.indexOfLeaf.delete(leaf);
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
      const sibling = this.levels[level]![siblingPosition];
      // A left node without a right sibling moves up unhashed: the compact proof skips that level.
      if (sibling !== undefined) {
        siblings.push(sibling);
        pathIndices.push(isRight);
      }
      position >>= 1;
    }
    const depth = siblings.length;
    while (siblings.length < this.maxDepth) {
      siblings.push(0n);
      pathIndices.push(0);
    }
    const proof = { leaf: this.levels[0]![index]!, root: this.root, index, depth, pathIndices, siblings };
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
}
