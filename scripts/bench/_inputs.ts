// Valid circuit inputs for the benchmarks: fresh random identities, α and salts per run, Merkle paths from real lean
// trees with filler leaves (so the paths have several levels, as in a community with a few dozen granules).
import { randomBytes } from 'node:crypto';
import { poseidonHash } from '../../src/lib/identity/index';
import {
  LeanTree,
  authorizationCommitment,
  authorizationInput,
  deriveAuthorizationSalt,
  deriveRegistrationSalt,
  enrolmentInput,
  transferInput,
  instantiationInput,
  registrationCommitment,
  registrationInput,
  type CircuitInput,
  type CircuitName,
} from '../../src/lib/zk/index';

/** A uniformly random non-zero value below 2^248, so it is always inside the BN254 field. */
export function randomField(): bigint {
  for (;;) {
    const v = BigInt(`0x${randomBytes(31).toString('hex')}`);
    if (v !== 0n) return v;
  }
}

export const BENCH_SENDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;
/** Any 20-byte address: proofs are only verified off chain here. */
export const BENCH_REGISTRY = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;

function treeWith(leaf: bigint, fillers: number): LeanTree {
  const tree = new LeanTree();
  const at = Math.floor(Math.random() * (fillers + 1));
  for (let i = 0; i <= fillers; i++) tree.insert(i === at ? leaf : randomField());
  return tree;
}

export interface InputOptions {
  sender?: `0x${string}`;
  chainId?: number;
  registry?: `0x${string}`;
  /** Other leaves in the trees the authorization and instantiation paths are taken from. */
  fillers?: number;
}

/** One valid input for `circuit`, with everything random. */
export function randomInput(circuit: CircuitName, o: InputOptions = {}): CircuitInput {
  if (circuit === 'enrolment')
    return enrolmentInput({ secret: randomField(), sender: o.sender ?? BENCH_SENDER, chainId: o.chainId ?? 31337, consortium: o.registry ?? BENCH_REGISTRY });
  const sender = o.sender ?? BENCH_SENDER;
  const chainId = o.chainId ?? 31337;
  const registry = o.registry ?? BENCH_REGISTRY;
  const fillers = o.fillers ?? 40;
  const owner = randomField();
  const ownerPk = poseidonHash([owner]);
  const alpha = randomField();
  const salt = deriveRegistrationSalt(owner, alpha);
  if (circuit === 'transfer') return transferInput({ secret: owner, alpha, newOwnerPk: poseidonHash([randomField()]), nonce: 0n, sender, chainId, registry });
  if (circuit === 'registration') return registrationInput({ secret: owner, alpha, salt, sender, chainId, registry });
  const user = randomField();
  const userPk = poseidonHash([user]);
  const authSalt = deriveAuthorizationSalt(owner, alpha, userPk);
  if (circuit === 'authorization') {
    const tree = treeWith(registrationCommitment(alpha, ownerPk, salt), fillers);
    const proof = tree.proof(tree.indexOf(registrationCommitment(alpha, ownerPk, salt)));
    return authorizationInput({ secret: owner, alpha, salt, userPk, authSalt, proof, root: tree.root, sender, chainId, registry });
  }
  const leaf = authorizationCommitment(alpha, ownerPk, userPk, authSalt);
  const tree = treeWith(leaf, fillers);
  return instantiationInput({ secret: user, alpha, ownerPk, authSalt, proof: tree.proof(tree.indexOf(leaf)), root: tree.root, sender, chainId, registry });
}
