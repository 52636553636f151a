import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { poseidonHash } from '../identity/index';
import { LeanTree } from './lean-tree';
import { MerkleTreeError } from './errors';
import { TREE_MAX_DEPTH } from './constants';

// Reference: the lean tree defined level by level (pair up, an odd last node moves up unhashed).
function referenceRoot(leaves: bigint[]): bigint {
  if (leaves.length === 0) return 0n;
  let level = leaves;
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? poseidonHash([level[i]!, level[i + 1]!]) : level[i]!);
    level = next;
  }
  return level[0]!;
}

const leafArb = fc.bigInt({ min: 1n, max: (1n << 253n) - 1n });

describe('LeanTree', () => {
  it('is empty with root 0, and a single leaf is its own root', () => {
    const tree = new LeanTree();
    expect(tree.root).toBe(0n);
    tree.insert(7n);
    expect(tree.root).toBe(7n);
    expect(tree.depth).toBe(0);
    expect(tree.proof(0)).toMatchObject({ depth: 0, leaf: 7n, root: 7n });
  });

  it('builds the same tree from batches (insertMany) as leaf by leaf, and round-trips through its stored levels', () => {
    fc.assert(
      fc.property(fc.uniqueArray(leafArb, { minLength: 0, maxLength: 40 }), fc.array(fc.nat(40), { maxLength: 4 }), (leaves, cuts) => {
        const batched = new LeanTree();
        let at = 0;
        for (const cut of [...cuts.map((c) => Math.min(c, leaves.length)).sort((a, b) => a - b), leaves.length]) {
          batched.insertMany(leaves.slice(at, Math.max(at, cut)));
          at = Math.max(at, cut);
        }
        expect(batched.root).toBe(referenceRoot(leaves));
        expect(batched.size).toBe(leaves.length);
        const copy = LeanTree.fromLevels(batched.nodeLevels.map((level) => [...level]));
        expect(copy.root).toBe(batched.root);
        for (let i = 0; i < leaves.length; i++) expect(copy.proof(i).leaf).toBe(leaves[i]);
      }),
      { numRuns: 30 },
    );
  });

  it('refuses a batch with a repeated leaf and keeps the tree as it was', () => {
    const tree = new LeanTree();
    tree.insertMany([1n, 2n, 3n]);
    const root = tree.root;
    expect(() => tree.insertMany([4n, 2n])).toThrow(MerkleTreeError);
    expect(tree.size).toBe(3);
    expect(tree.root).toBe(root);
    expect(tree.has(4n)).toBe(false);
  });

  it('refuses stored levels of the wrong shape, and a path through a forged inner node', () => {
    const tree = new LeanTree();
    tree.insertMany([1n, 2n, 3n, 4n, 5n]);
    expect(() => LeanTree.fromLevels([[1n, 2n, 3n], [9n]])).toThrow(MerkleTreeError);
    const levels = tree.nodeLevels.map((level) => [...level]);
    levels[1]![0] = 77n; // H(1, 2) replaced; the root kept
    const forged = LeanTree.fromLevels(levels);
    expect(forged.root).toBe(tree.root);
    expect(forged.proof(0).leaf).toBe(1n); // its path recomputes H(1, 2) from the leaves
    expect(() => forged.proof(2)).toThrow(/do not lead from leaf 2/); // its path takes the forged node as a sibling
    expect(forged.proof(4).leaf).toBe(5n); // a path that does not pass the forged node is still good
  });

  it('matches the level-by-level definition and every proof recomputes the root', () => {
    fc.assert(
      fc.property(fc.uniqueArray(leafArb, { minLength: 1, maxLength: 40 }), (leaves) => {
        const tree = new LeanTree();
        for (const leaf of leaves) tree.insert(leaf);
        expect(tree.root).toBe(referenceRoot(leaves));
        expect(tree.depth).toBe(Math.ceil(Math.log2(leaves.length)));
        for (let i = 0; i < leaves.length; i++) {
          const proof = tree.proof(i);
          expect(proof.siblings).toHaveLength(TREE_MAX_DEPTH);
          expect(LeanTree.rootOf(proof)).toBe(tree.root);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a proof with a wrong sibling or index gives another root', () => {
    const tree = new LeanTree();
    for (let i = 1n; i <= 5n; i++) tree.insert(i * 1000n);
    const proof = tree.proof(2);
    const badSibling = { ...proof, siblings: proof.siblings.map((s, i) => (i === 0 ? s + 1n : s)) };
    expect(LeanTree.rootOf(badSibling)).not.toBe(tree.root);
    const badIndex = { ...proof, pathIndices: proof.pathIndices.map((b, i) => (i === 0 ? 1 - b : b)) };
    expect(LeanTree.rootOf(badIndex)).not.toBe(tree.root);
  });

  it('refuses zero, out-of-field and duplicate leaves, a full tree, and unknown indexes', () => {
    const tree = new LeanTree(2);
    expect(() => tree.insert(0n)).toThrow(MerkleTreeError);
    expect(() => tree.insert(1n << 254n)).toThrow(MerkleTreeError);
    for (const leaf of [1n, 2n, 3n, 4n]) tree.insert(leaf);
    expect(() => tree.insert(2n)).toThrow(/already/);
    expect(() => tree.insert(5n)).toThrow(/full/);
    expect(() => tree.proof(4)).toThrow(MerkleTreeError);
    expect(tree.indexOf(3n)).toBe(2);
  });

  it('finds every leaf among leaves that share their low 32 bits, before and after loading its stored bytes', () => {
    // The leaf table is keyed by the low word: these all collide, and must still be told apart by their full value.
    const leaves = Array.from({ length: 300 }, (_, k) => (BigInt(k + 1) << 32n) | 0xabcdn);
    const tree = new LeanTree();
    tree.insertMany(leaves.slice(0, 100));
    for (const leaf of leaves.slice(100)) tree.insert(leaf);
    const loaded = LeanTree.fromLevelBytes(
      tree.size,
      tree.levelBytes().map((level) => level.slice()),
    );
    for (const t of [tree, loaded]) {
      expect(t.root).toBe(referenceRoot(leaves));
      for (const [i, leaf] of leaves.entries()) expect(t.indexOf(leaf)).toBe(i);
      expect(t.indexOf((301n << 32n) | 0xabcdn)).toBe(-1);
      expect(() => t.insert(leaves[7]!)).toThrow(/already/);
    }
    loaded.insert(5n);
    expect(loaded.root).toBe(referenceRoot([...leaves, 5n]));
  });

  it('refuses stored bytes with a leaf outside the field, a zero or repeated leaf, or a level of the wrong length', () => {
    const tree = new LeanTree();
    tree.insertMany([1n, 2n, 3n]);
    const stored = () => tree.levelBytes().map((level) => level.slice());
    const outside = stored();
    outside[0]!.fill(0xff, 32, 64);
    expect(() => LeanTree.fromLevelBytes(3, outside)).toThrow(/invalid or repeated leaf/);
    const zero = stored();
    zero[0]!.fill(0, 0, 32);
    expect(() => LeanTree.fromLevelBytes(3, zero)).toThrow(/invalid or repeated leaf/);
    const repeated = stored();
    repeated[0]!.copyWithin(64, 32, 64);
    expect(() => LeanTree.fromLevelBytes(3, repeated)).toThrow(/invalid or repeated leaf/);
    const short = stored();
    short[1] = short[1]!.subarray(0, 32);
    expect(() => LeanTree.fromLevelBytes(3, short)).toThrow(/level 1/);
    expect(LeanTree.fromLevelBytes(3, stored()).root).toBe(tree.root);
  });
});
