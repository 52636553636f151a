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
});
