// Shapes shared by the circuits (circuits/src), the contracts and this library. Change them together and rebuild
// with `npm run circuits`; src/lib/zk/artifacts.test.ts checks the committed artifacts agree.

/**
 * The most levels a Merkle proof may have: 2^20 = 1,048,576 registrations (and as many authorizations) per registry.
 * Both trees are lean incremental Merkle trees (dynamic depth), so the chain pays one Poseidon per level that has a
 * sibling at the tree's *current* depth (⌈log2 n⌉), never MAX levels; only the circuit pays for all MAX levels
 * (about 250 constraints each: the tree circuits have about 5,600 constraints, inside the 2^13 powers of tau). Change
 * together with the circuits' main components and LeanTree.MAX_DEPTH, then `npm run circuits`.
 */
export const TREE_MAX_DEPTH = 20;

/** How long a superseded tree root stays acceptable on chain (LeanTree.ROOT_TTL), in seconds. */
export const ROOT_TTL_SECONDS = 3600;

/** The paper's three sharing mechanisms (registration, authorization, instantiation). */
export const CIRCUIT_NAMES = ['registration', 'authorization', 'instantiation'] as const;
export type SharingCircuitName = (typeof CIRCUIT_NAMES)[number];
/** Every circuit with committed artifacts: the three mechanisms, enrolment (proof of Sk for Pk) and transfer of ownership. */
export const ALL_CIRCUIT_NAMES = [...CIRCUIT_NAMES, 'enrolment', 'transfer'] as const;
export type CircuitName = (typeof ALL_CIRCUIT_NAMES)[number];

/** Public signals in circuit order; the contracts build the same arrays. */
export const PUBLIC_SIGNALS: Record<CircuitName, readonly string[]> = {
  registration: ['pk', 'commitment', 'alpha', 'sender', 'chainId', 'registry'],
  authorization: ['alpha', 'ownerPk', 'userPk', 'root', 'commitment', 'sender', 'chainId', 'registry'],
  instantiation: ['alpha', 'userPk', 'root', 'sender', 'chainId', 'registry'],
  enrolment: ['pk', 'sender', 'chainId', 'consortium'],
  transfer: ['alpha', 'ownerPk', 'newOwnerPk', 'nonce', 'sender', 'chainId', 'registry'],
};
