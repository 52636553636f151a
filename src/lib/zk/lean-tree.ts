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
    return { leaf: this.levels[0]![index]!, root: this.root, index, depth, pathIndices, siblings };
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
