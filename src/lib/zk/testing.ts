// What the zk area's tests share: scalars and points in wasmcurves' byte layout (for the MSM kernels' tests) and a
// valid authorization statement (for the prover's). Tests only; nothing in the app imports this file.
import { poseidonHash } from '../identity/index';
import type { Bn254Engine } from './groth16';
import { authorizationInput, type CircuitInput, registrationCommitment } from './inputs';
import { LeanTree } from './lean-tree';
import { deriveAuthorizationSalt, deriveRegistrationSalt } from './salts';

/** BN254's scalar field order r and base field order q. */
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
export const TEST_SENDER = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;
export const TEST_REGISTRY = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;

/** v as 32 little-endian bytes. */
function le32(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function randomScalar(): bigint {
  return crypto.getRandomValues(new Uint8Array(32)).reduce((acc, x) => (acc << 8n) | BigInt(x), 0n) % R;
}

/** Scalars packed as the MSMs take them: 32 little-endian bytes each. */
export function scalarsOf(values: bigint[]): Uint8Array {
  const out = new Uint8Array(values.length * 32);
  values.forEach((v, i) => out.set(le32(v), i * 32));
  return out;
}

/** A point as comparable text (affine coordinates), so two kernels' results can be compared with toBe. */
export function affineText(curve: Bn254Engine, group: 'G1' | 'G2', p: unknown): string {
  return JSON.stringify(curve[group].toObject(curve[group].toAffine(p)), (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

/** −P of an affine point in wasmcurves' Montgomery encoding: y ↦ q − y, coordinate by coordinate (Montgomery form is linear). */
export function negatePoint(point: Uint8Array, n8: number): Uint8Array {
  const out = point.slice();
  for (let o = n8; o < 2 * n8; o += 32) {
    let y = 0n;
    for (let i = 31; i >= 0; i--) y = (y << 8n) | BigInt(point[o + i] ?? 0);
    out.set(le32(y === 0n ? 0n : Q - y), o);
  }
  return out;
}

/** A true authorization statement: the owner's registration is leaf `at` of a tree of `leaves`. */
export function authorizationStatement(p: { secret: bigint; alpha: bigint; user: bigint; leaves: number; at: number }): CircuitInput {
  const salt = deriveRegistrationSalt(p.secret, p.alpha);
  const leaf = registrationCommitment(p.alpha, poseidonHash([p.secret]), salt);
  const tree = new LeanTree();
  for (let i = 1; i <= p.leaves; i++) tree.insert(i === p.at ? leaf : poseidonHash([BigInt(i), p.secret]));
  const userPk = poseidonHash([p.user]);
  return authorizationInput({
    secret: p.secret,
    alpha: p.alpha,
    salt,
    userPk,
    authSalt: deriveAuthorizationSalt(p.secret, p.alpha, userPk),
    proof: tree.proof(tree.indexOf(leaf)),
    root: tree.root,
    sender: TEST_SENDER,
    chainId: 31337,
    registry: TEST_REGISTRY,
  });
}
