// A prepared proof: a Groth16 proof with the exact transaction arguments it was made for, as one JSON text. It lets a
// proof be made in one place (the CLI, another device) and sent later, and it is how the app shows what a proof
// binds: the sender and chain are public inputs, so a prepared proof is only good from the account it names.
import { getAddress, type Address, type Hash, type PublicClient, type TransactionReceipt, type WalletClient } from 'viem';
import { sendRegistryTransaction, type RegistryFunction } from '../chain/send';
import { PUBLIC_SIGNALS, toSolidityProof, type CircuitName, type ProveResult, type SolidityProof } from '../zk/index';
import { PreparedProofError } from './errors';

export const PREPARED_PROOF_SCHEMA = 'twingrain/prepared-proof@1';

const ACTION_OF: Partial<Record<CircuitName, RegistryFunction>> = { registration: 'register', authorization: 'authorize', instantiation: 'instantiate' };

export interface PreparedProof {
  schema: typeof PREPARED_PROOF_SCHEMA;
  action: RegistryFunction;
  chainId: number;
  registry: Address;
  /** The account the proof is bound to: only it can send the proof. */
  sender: Address;
  proof: SolidityProof;
  /** The registry call's arguments after the proof, in order. */
  args: (bigint | `0x${string}`)[];
}

export interface PreparedProofFromParameters {
  result: ProveResult;
  registry: Address;
  /** register: the manifest CID (hex); instantiate: the X25519 key (bytes32 hex). */
  extra?: `0x${string}`;
  /** register: the salt of the registration commitment (bytes32 hex), which must be mined before the proof is sent. */
  salt?: `0x${string}`;
  /** authorize: the licence terms (unix seconds, 0 = never; credit base units); free and unlimited by default. */
  terms?: { expiresAt: bigint; price: bigint };
}

/** Builds the prepared proof for the registry call that `result` was made for. */
export function preparedProofFrom({ result, registry, extra, salt, terms }: PreparedProofFromParameters): PreparedProof {
  const action = ACTION_OF[result.circuit];
  if (!action) throw new PreparedProofError(`A ${result.circuit} proof is not a registry transaction.`);
  const names = PUBLIC_SIGNALS[result.circuit];
  const signal = (name: string): bigint => {
    const value = result.publicSignals[names.indexOf(name)];
    if (value === undefined) throw new PreparedProofError(`The ${result.circuit} proof has no public signal "${name}".`);
    return value;
  };
  const needsExtra = result.circuit !== 'authorization';
  if (needsExtra && !extra)
    throw new PreparedProofError(
      `A ${result.circuit} proof needs its ${result.circuit === 'registration' ? 'manifest CID' : 'X25519 key'} to become a transaction.`,
    );
  if (result.circuit === 'registration' && !salt)
    throw new PreparedProofError('A registration proof needs the salt of its registration commitment to become a transaction.');
  if (getAddress(`0x${signal('registry').toString(16).padStart(40, '0')}`) !== getAddress(registry)) {
    throw new PreparedProofError('This proof was made for another registry: it can only be sent to the registry it names.');
  }
  const args: PreparedProof['args'] =
    result.circuit === 'registration'
      ? [signal('alpha'), signal('pk'), signal('commitment'), extra!, salt!]
      : result.circuit === 'authorization'
        ? [signal('alpha'), signal('ownerPk'), signal('userPk'), signal('root'), signal('commitment'), terms?.expiresAt ?? 0n, terms?.price ?? 0n]
        : [signal('alpha'), signal('userPk'), signal('root'), extra!];
  return {
    schema: PREPARED_PROOF_SCHEMA,
    action,
    chainId: Number(signal('chainId')),
    registry: getAddress(registry),
    sender: getAddress(`0x${signal('sender').toString(16).padStart(40, '0')}`),
    proof: toSolidityProof(result.proof),
    args,
  };
}

const hex = (v: bigint | string): string => (typeof v === 'bigint' ? `0x${v.toString(16)}` : v);

export function encodePreparedProof(p: PreparedProof): string {
  return JSON.stringify(
    {
      ...p,
      proof: { a: p.proof.a.map(hex), b: p.proof.b.map((row) => row.map(hex)), c: p.proof.c.map(hex) },
      // Field elements as 0x-hex; byte strings (CID, X25519 key) are marked with a "bytes:" prefix so they stay bytes.
      args: p.args.map((a) => (typeof a === 'bigint' ? hex(a) : `bytes:${a}`)),
    },
    null,
    1,
  );
}

const ARG_COUNT: Partial<Record<RegistryFunction, number>> = { register: 5, authorize: 7, instantiate: 4 };

export function decodePreparedProof(text: string): PreparedProof {
  const bad = (what: string): never => {
    throw new PreparedProofError(`This is not a usable prepared proof: ${what}. Paste the whole JSON exactly as it was exported.`);
  };
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return bad('it is not JSON');
  }
  if (!v || typeof v !== 'object' || v.schema !== PREPARED_PROOF_SCHEMA) bad(`"schema" must be "${PREPARED_PROOF_SCHEMA}"`);
  const action = v.action as RegistryFunction;
  if (!ARG_COUNT[action]) bad('"action" must be register, authorize or instantiate');
  if (!Number.isInteger(v.chainId)) bad('"chainId" is missing');
  const address = (name: string): Address => {
    const a = v[name];
    if (typeof a !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(a)) bad(`"${name}" is not an address`);
    return getAddress(a as string);
  };
  const num = (x: unknown, where: string): bigint => {
    if (typeof x !== 'string' || !/^0x[0-9a-fA-F]{1,64}$/.test(x)) bad(`${where} is not a 0x number`);
    return BigInt(x as string);
  };
  const proof = v.proof as { a?: unknown[]; b?: unknown[][]; c?: unknown[] } | undefined;
  if (
    !proof ||
    !Array.isArray(proof.a) ||
    proof.a.length !== 2 ||
    !Array.isArray(proof.c) ||
    proof.c.length !== 2 ||
    !Array.isArray(proof.b) ||
    proof.b.length !== 2 ||
    !proof.b.every((r) => Array.isArray(r) && r.length === 2)
  ) {
    bad('"proof" must hold a (2), b (2×2) and c (2)');
  }
  const args = v.args;
  if (!Array.isArray(args) || args.length !== ARG_COUNT[action]) bad(`"args" must hold ${ARG_COUNT[action]} values for ${action}`);
  return {
    schema: PREPARED_PROOF_SCHEMA,
    action,
    chainId: v.chainId as number,
    registry: address('registry'),
    sender: address('sender'),
    proof: {
      a: [num(proof!.a![0], 'proof.a'), num(proof!.a![1], 'proof.a')],
      b: [
        [num(proof!.b![0]![0], 'proof.b'), num(proof!.b![0]![1], 'proof.b')],
        [num(proof!.b![1]![0], 'proof.b'), num(proof!.b![1]![1], 'proof.b')],
      ],
      c: [num(proof!.c![0], 'proof.c'), num(proof!.c![1], 'proof.c')],
    },
    args: (args as unknown[]).map((a, i) => {
      if (typeof a === 'string' && a.startsWith('bytes:0x') && /^[0-9a-fA-F]*$/.test(a.slice(8))) return a.slice(6) as `0x${string}`;
      return num(a, `args[${i}]`);
    }),
  };
}

export interface SubmitPreparedProofParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  prepared: PreparedProof;
  onSent?: (hash: Hash) => void;
}

/**
 * Sends a prepared proof from the connected account. Nothing is checked here that the contract checks: a proof
 * for another sender, a replay or an unknown root is refused on chain, and the revert comes back as its sentence.
 */
export async function submitPreparedProof(p: SubmitPreparedProofParameters): Promise<{ hash: Hash; receipt: TransactionReceipt }> {
  return sendRegistryTransaction({
    publicClient: p.publicClient,
    walletClient: p.walletClient,
    registry: p.prepared.registry,
    functionName: p.prepared.action,
    args: [p.prepared.proof, ...p.prepared.args],
    ...(p.onSent ? { onSent: p.onSent } : {}),
    simulatePending: p.prepared.action === 'register',
  });
}
