// A prepared proof: a Groth16 proof with the exact transaction arguments it was made for, as one JSON text. It lets a
// proof be made in one place (the CLI, another device) and sent later, and it is how the app shows what a proof
// binds: the sender and chain are public inputs, so a prepared proof is only good from the account it names.
import { getAddress, type Address, type Hash, type PublicClient, type TransactionReceipt, type WalletClient } from 'viem';
import { sendRegistryTransaction, type RegistryFunction } from '../chain/index';
import { PUBLIC_SIGNALS, toSolidityProof, type CircuitName, type ProveResult, type SolidityProof } from '../zk/index';
import { PreparedProofError } from './errors';
import * as v from 'valibot';
import { issuePath } from '../schema/index';

const PREPARED_PROOF_SCHEMA = 'twingrain/prepared-proof@1';

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

const PROOF_SHAPE = '"proof" must hold a (2), b (2×2) and c (2)';
const num = (where: string) =>
  v.pipe(
    v.string(`${where} is not a 0x number`),
    v.regex(/^0x[0-9a-fA-F]{1,64}$/, `${where} is not a 0x number`),
    v.transform((x: string) => BigInt(x)),
  );
const pair = (where: string) => v.strictTuple([num(where), num(where)], PROOF_SHAPE);
const address = (name: string) =>
  v.pipe(
    v.string(`"${name}" is not an address`),
    v.regex(/^0x[0-9a-fA-F]{40}$/, `"${name}" is not an address`),
    v.transform((a) => getAddress(a)),
  );
/** Field elements as 0x-hex; byte strings (CID, X25519 key) as "bytes:0x…" with whole bytes. */
const ArgSchema = v.union([
  v.pipe(
    v.string(),
    v.regex(/^bytes:0x([0-9a-fA-F]{2})*$/),
    v.transform((a) => a.slice(6) as `0x${string}`),
  ),
  num('an argument'),
]);
const PreparedProofSchema = v.object(
  {
    schema: v.literal(PREPARED_PROOF_SCHEMA, `"schema" must be "${PREPARED_PROOF_SCHEMA}"`),
    action: v.picklist(['register', 'authorize', 'instantiate'], '"action" must be register, authorize or instantiate'),
    chainId: v.pipe(v.number('"chainId" is missing'), v.integer('"chainId" is missing'), v.minValue(1, '"chainId" must be a positive integer')),
    registry: address('registry'),
    sender: address('sender'),
    proof: v.object({ a: pair('proof.a'), b: v.strictTuple([pair('proof.b'), pair('proof.b')], PROOF_SHAPE), c: pair('proof.c') }, PROOF_SHAPE),
    args: v.array(ArgSchema, '"args" must be a list'),
  },
  (issue) =>
    issue.expected === 'Object'
      ? `"schema" must be "${PREPARED_PROOF_SCHEMA}"`
      : ((
          {
            '"schema"': `"schema" must be "${PREPARED_PROOF_SCHEMA}"`,
            '"action"': '"action" must be register, authorize or instantiate',
            '"chainId"': '"chainId" is missing',
            '"registry"': '"registry" is not an address',
            '"sender"': '"sender" is not an address',
            '"proof"': PROOF_SHAPE,
            '"args"': '"args" must be a list',
          } as Record<string, string>
        )[issue.expected ?? ''] ?? 'a field is missing'),
);

export function decodePreparedProof(text: string): PreparedProof {
  const bad = (what: string): never => {
    throw new PreparedProofError(`This is not a usable prepared proof: ${what}. Paste the whole JSON exactly as it was exported.`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return bad('it is not JSON');
  }
  const checked = v.safeParse(PreparedProofSchema, json);
  if (!checked.success) {
    const issue = checked.issues[0];
    const at = issuePath(issue);
    // A union's issue says which argument is wrong; the others carry their own sentence.
    return bad(at.startsWith('args[') ? `${at} is not a 0x number or bytes:0x… value` : issue.message);
  }
  const p = checked.output;
  if (p.args.length !== ARG_COUNT[p.action]) bad(`"args" must hold ${ARG_COUNT[p.action]} values for ${p.action}`);
  return { ...p, proof: { a: p.proof.a, b: [p.proof.b[0], p.proof.b[1]], c: p.proof.c } };
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
