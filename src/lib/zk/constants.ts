// Shapes shared by the circuits (circuits/src), the contracts and this library. Change them together and rebuild
// with `npm run circuits`; src/lib/zk/artifacts.test.ts checks the committed artifacts agree.

/**
 * The most levels a Merkle proof may have. Both trees are lean incremental Merkle trees (dynamic depth), so the chain
 * pays one Poseidon per level that has a sibling at the tree's *current* depth (⌈log2 n⌉), never MAX levels; only the
 * circuit pays for all MAX levels (about 250 constraints each). 13 levels hold 8,192 registrations (and as many
 * authorizations) and keep both tree circuits under 4,096 constraints, so Groth16 works on a 2^12 domain: at 16
 * levels (65,536 leaves) they cross into 2^13 and proving takes roughly twice as long. A community that outgrows
 * 8,192 granules deploys a new registry (or rebuilds with a deeper tree: change this, the circuits' main components
 * and LeanTree.MAX_DEPTH, then `npm run circuits`).
 */
export const TREE_MAX_DEPTH = 13;

export const CIRCUIT_NAMES = ['registration', 'authorization', 'instantiation'] as const;
export type CircuitName = (typeof CIRCUIT_NAMES)[number];

/** Public signals in circuit order; the contracts build the same arrays. */
export const PUBLIC_SIGNALS: Record<CircuitName, readonly string[]> = {
  registration: ['pk', 'commitment', 'alpha', 'sender', 'chainId'],
  authorization: ['alpha', 'ownerPk', 'userPk', 'root', 'commitment', 'sender', 'chainId'],
  instantiation: ['alpha', 'userPk', 'root', 'sender', 'chainId'],
};
