// Circuit inputs, checked up front: a bad value fails here with a sentence instead of deep inside witness generation.
import { BN254_FIELD_ORDER, poseidonHash } from '../identity/index';
import { TREE_MAX_DEPTH, type CircuitName } from './constants';
import { ZkInputError } from './errors';
import type { MerkleProof } from './lean-tree';

function field(name: string, value: bigint, { nonZero = false } = {}): bigint {
  if (typeof value !== 'bigint') throw new ZkInputError(`${name} must be a number in the BN254 field, got ${typeof value}.`);
  if (value < 0n || value >= BN254_FIELD_ORDER) throw new ZkInputError(`${name} is outside the BN254 field; it cannot enter a proof.`);
  if (nonZero && value === 0n) throw new ZkInputError(`${name} must not be zero.`);
  return value;
}

function address(name: string, value: `0x${string}`): bigint {
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new ZkInputError(`${name} must be a 20-byte 0x address, got ${JSON.stringify(value)}.`);
  return BigInt(value);
}

function chainIdOf(value: number | bigint): bigint {
  const id = BigInt(value);
  if (id <= 0n || id >= 1n << 64n) throw new ZkInputError(`The chain id ${value} is not valid.`);
  return id;
}

function path(name: string, proof: MerkleProof, root: bigint): Record<string, unknown> {
  if (!Number.isInteger(proof.depth) || proof.depth < 0 || proof.depth > TREE_MAX_DEPTH) {
    throw new ZkInputError(`The ${name} Merkle proof has ${proof.depth} levels; at most ${TREE_MAX_DEPTH} fit in the circuit.`);
  }
  if (proof.siblings.length !== TREE_MAX_DEPTH || proof.pathIndices.length !== TREE_MAX_DEPTH) {
    throw new ZkInputError(`The ${name} Merkle proof must be padded to ${TREE_MAX_DEPTH} levels.`);
  }
  if (proof.root !== root) throw new ZkInputError(`The ${name} Merkle proof is for another root: refresh the tree from the chain.`);
  return {
    depth: proof.depth,
    pathIndices: proof.pathIndices.map((b) => {
      if (b !== 0 && b !== 1) throw new ZkInputError(`A Merkle path index must be 0 or 1, got ${b}.`);
      return b;
    }),
    siblings: proof.siblings.map((s, i) => field(`sibling ${i}`, s).toString()),
  };
}

export interface Binding {
  /** The account that will send the transaction carrying the proof. */
  sender: `0x${string}`;
  chainId: number | bigint;
  /** The GranuleRegistry that will verify the proof: a proof made for one registry fails at any other. */
  registry: `0x${string}`;
}

export interface CircuitInput {
  circuit: CircuitName;
  /** Signals as snarkjs takes them (decimal strings). */
  signals: Record<string, unknown>;
  /** The public signals the proof will expose, in circuit order. */
  publicSignals: bigint[];
}

const str = (v: bigint): string => v.toString();

/** R_α = H(α, Pk_S, σ). */
export function registrationCommitment(alpha: bigint, ownerPk: bigint, salt: bigint): bigint {
  return poseidonHash([alpha, ownerPk, salt]);
}

/** R_α.U = H(α, Pk_S, Pk_U, σ'). */
export function authorizationCommitment(alpha: bigint, ownerPk: bigint, userPk: bigint, authSalt: bigint): bigint {
  return poseidonHash([alpha, ownerPk, userPk, authSalt]);
}

export interface RegistrationInputParameters extends Binding {
  secret: bigint;
  alpha: bigint;
  salt: bigint;
}

/** Mechanism 1. */
export function registrationInput(p: RegistrationInputParameters): CircuitInput {
  const secret = field('The secret key', p.secret, { nonZero: true });
  const alpha = field('α', p.alpha, { nonZero: true });
  const salt = field('The salt σ', p.salt, { nonZero: true });
  const pk = poseidonHash([secret]);
  const commitment = registrationCommitment(alpha, pk, salt);
  const sender = address('The sender', p.sender);
  const chainId = chainIdOf(p.chainId);
  const registry = address('The registry', p.registry);
  return {
    circuit: 'registration',
    signals: {
      pk: str(pk),
      commitment: str(commitment),
      alpha: str(alpha),
      sender: str(sender),
      chainId: str(chainId),
      registry: str(registry),
      secret: str(secret),
      salt: str(salt),
    },
    publicSignals: [pk, commitment, alpha, sender, chainId, registry],
  };
}

export interface AuthorizationInputParameters extends Binding {
  secret: bigint;
  alpha: bigint;
  salt: bigint;
  userPk: bigint;
  authSalt: bigint;
  /** Path of R_α in the registration tree. */
  proof: MerkleProof;
  root: bigint;
}

/** Mechanism 3. */
export function authorizationInput(p: AuthorizationInputParameters): CircuitInput {
  const secret = field('The secret key', p.secret, { nonZero: true });
  const alpha = field('α', p.alpha, { nonZero: true });
  const salt = field('The registration salt σ', p.salt, { nonZero: true });
  const userPk = field("The user's public key", p.userPk, { nonZero: true });
  const authSalt = field("The authorization salt σ'", p.authSalt, { nonZero: true });
  const root = field('The registration root', p.root, { nonZero: true });
  const ownerPk = poseidonHash([secret]);
  const leaf = registrationCommitment(alpha, ownerPk, salt);
  if (p.proof.leaf !== leaf) {
    throw new ZkInputError('This identity and salt do not match the registration record of α: only the owner who registered it can authorize it.');
  }
  const commitment = authorizationCommitment(alpha, ownerPk, userPk, authSalt);
  const sender = address('The sender', p.sender);
  const chainId = chainIdOf(p.chainId);
  const registry = address('The registry', p.registry);
  return {
    circuit: 'authorization',
    signals: {
      alpha: str(alpha),
      ownerPk: str(ownerPk),
      userPk: str(userPk),
      root: str(root),
      commitment: str(commitment),
      sender: str(sender),
      chainId: str(chainId),
      registry: str(registry),
      secret: str(secret),
      salt: str(salt),
      authSalt: str(authSalt),
      ...path('registration', p.proof, root),
    },
    publicSignals: [alpha, ownerPk, userPk, root, commitment, sender, chainId, registry],
  };
}

export interface InstantiationInputParameters extends Binding {
  secret: bigint;
  alpha: bigint;
  ownerPk: bigint;
  authSalt: bigint;
  /** Path of R_α.U in the authorization tree. */
  proof: MerkleProof;
  root: bigint;
}

/** Mechanism 5. */
export function instantiationInput(p: InstantiationInputParameters): CircuitInput {
  const secret = field('The secret key', p.secret, { nonZero: true });
  const alpha = field('α', p.alpha, { nonZero: true });
  const ownerPk = field("The owner's public key", p.ownerPk, { nonZero: true });
  const authSalt = field("The authorization salt σ'", p.authSalt, { nonZero: true });
  const root = field('The authorization root', p.root, { nonZero: true });
  const userPk = poseidonHash([secret]);
  const leaf = authorizationCommitment(alpha, ownerPk, userPk, authSalt);
  if (p.proof.leaf !== leaf) {
    throw new ZkInputError('This authorization was not made out to this identity (or the record is wrong): ask the owner for the record again.');
  }
  const sender = address('The sender', p.sender);
  const chainId = chainIdOf(p.chainId);
  const registry = address('The registry', p.registry);
  return {
    circuit: 'instantiation',
    signals: {
      alpha: str(alpha),
      userPk: str(userPk),
      root: str(root),
      sender: str(sender),
      chainId: str(chainId),
      registry: str(registry),
      secret: str(secret),
      ownerPk: str(ownerPk),
      authSalt: str(authSalt),
      ...path('authorization', p.proof, root),
    },
    publicSignals: [alpha, userPk, root, sender, chainId, registry],
  };
}

export interface EnrolmentInputParameters {
  secret: bigint;
  /** The account that will send `Consortium.enrol`. */
  sender: `0x${string}`;
  chainId: number | bigint;
  /** The Consortium that will verify the proof. */
  consortium: `0x${string}`;
}

/** Enrolment: Pk = H(Sk), bound to the enrolling account, the chain and the Consortium. */
export function enrolmentInput(p: EnrolmentInputParameters): CircuitInput {
  const secret = field('The secret key', p.secret, { nonZero: true });
  const pk = poseidonHash([secret]);
  const sender = address('The sender', p.sender);
  const chainId = chainIdOf(p.chainId);
  const consortium = address('The Consortium', p.consortium);
  return {
    circuit: 'enrolment',
    signals: { pk: str(pk), sender: str(sender), chainId: str(chainId), consortium: str(consortium), secret: str(secret) },
    publicSignals: [pk, sender, chainId, consortium],
  };
}

export interface TransferInputParameters extends Binding {
  /** Sk_S of the current owner. */
  secret: bigint;
  alpha: bigint;
  /** Pk_N of the member receiving the granule. */
  newOwnerPk: bigint;
  /** The registry's transfersOf(α): how many times α changed hands so far. */
  nonce: bigint;
}

/** Transfer of ownership: Pk_S = H(Sk_S), bound to α, the new owner, the transfer nonce and the transaction. */
export function transferInput(p: TransferInputParameters): CircuitInput {
  const secret = field('The secret key', p.secret, { nonZero: true });
  const alpha = field('α', p.alpha, { nonZero: true });
  const newOwnerPk = field("The new owner's public key", p.newOwnerPk, { nonZero: true });
  const nonce = field('The transfer nonce', p.nonce);
  const ownerPk = poseidonHash([secret]);
  const sender = address('The sender', p.sender);
  const chainId = chainIdOf(p.chainId);
  const registry = address('The registry', p.registry);
  return {
    circuit: 'transfer',
    signals: {
      alpha: str(alpha),
      ownerPk: str(ownerPk),
      newOwnerPk: str(newOwnerPk),
      nonce: str(nonce),
      sender: str(sender),
      chainId: str(chainId),
      registry: str(registry),
      secret: str(secret),
    },
    publicSignals: [alpha, ownerPk, newOwnerPk, nonce, sender, chainId, registry],
  };
}
