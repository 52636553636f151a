// What custody and pinning peers send each other, as valibot schemas: a request or an answer from another peer is
// checked whole before any field of it is used, and a malformed one gets a plain sentence (or the refusal code the
// protocol already had) instead of a TypeError deep inside.
import * as v from 'valibot';
import type { DepositRefusalCode, ReleaseRefusalCode } from '../custody';
import { P2PFormatError } from './errors';

const ALPHA = v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/));
const BASE64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/));

/** A deposit: the public manifest (base64) and the owner's EIP-712 signature. */
const DepositRequestSchema = v.object({ manifest: BASE64, signature: v.string() });
/** A key release: α, the user's public key Pk_U (decimal) and its X25519 key (64 hex). */
const ReleaseRequestSchema = v.object({
  alpha: ALPHA,
  user: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  userPk: v.pipe(v.string(), v.regex(/^[0-9]{1,78}$/)),
});
// Codes stay open strings: a newer custodian may refuse for a reason this version does not name.
const DepositResponseSchema = v.variant('status', [
  v.object({ status: v.literal('accepted'), alpha: ALPHA, custodian: v.string(), x: v.pipe(v.number(), v.integer()), manifestCid: v.string() }),
  v.object({ status: v.literal('refused'), code: v.string(), reason: v.string(), custodian: v.string() }),
]);
const ReleaseResponseSchema = v.variant('status', [
  v.object({ status: v.literal('released'), custodian: v.string(), envelope: BASE64 }),
  v.object({ status: v.literal('refused'), code: v.string(), reason: v.string(), custodian: v.string() }),
]);

export type DepositResponse =
  | { status: 'accepted'; alpha: string; custodian: string; x: number; manifestCid: string }
  | { status: 'refused'; code: DepositRefusalCode; reason: string; custodian: string };

export type ReleaseResponse =
  | { status: 'released'; custodian: string; envelope: string }
  | { status: 'refused'; code: ReleaseRefusalCode; reason: string; custodian: string };

/** A custodian's reading of a deposit request; undefined when it is not one. */
export const readDepositRequest = (value: unknown): v.InferOutput<typeof DepositRequestSchema> | undefined => {
  const r = v.safeParse(DepositRequestSchema, value);
  return r.success ? r.output : undefined;
};

/** A custodian's reading of a key release request; undefined when it is not one. */
export const readReleaseRequest = (value: unknown): v.InferOutput<typeof ReleaseRequestSchema> | undefined => {
  const r = v.safeParse(ReleaseRequestSchema, value);
  return r.success ? r.output : undefined;
};

/** An owner's reading of a custodian's answer to a deposit. */
export function readDepositResponse(value: unknown): DepositResponse {
  const r = v.safeParse(DepositResponseSchema, value);
  if (!r.success) throw new P2PFormatError('The custodian answered a deposit with something that is not a deposit answer.');
  return r.output as DepositResponse;
}

/** A user's reading of a custodian's answer to a key release request. */
export function readReleaseResponse(value: unknown): ReleaseResponse {
  const r = v.safeParse(ReleaseResponseSchema, value);
  if (!r.success) throw new P2PFormatError('The custodian answered a key request with something that is not a key release answer.');
  return r.output as ReleaseResponse;
}

export const MAX_PIN_CIDS = 300;

/** A registered granule to pin: α and the manifest CID its registration recorded (parsed as a CID afterwards). */
const RegisteredPinSchema = v.object({ alpha: ALPHA, manifestCid: v.string() });
/** A member's own content: 1 to 300 CIDs, the member's account and its signature of the request. */
const MemberPinSchema = v.object({
  cids: v.pipe(v.array(v.string()), v.minLength(1), v.maxLength(MAX_PIN_CIDS)),
  member: v.object({
    account: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/)),
    signature: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]+$/)),
  }),
});
const PinnedSchema = v.object({ pinned: v.array(v.string()) });

export const readRegisteredPin = (value: unknown): v.InferOutput<typeof RegisteredPinSchema> | undefined => {
  const r = v.safeParse(RegisteredPinSchema, value);
  return r.success ? r.output : undefined;
};

export type MemberPin = v.InferOutput<typeof MemberPinSchema>;
/** Which part of a member's pin request is wrong: the CID list or the member's signature. */
export function readMemberPin(value: unknown): MemberPin | 'cids' | 'member' {
  const r = v.safeParse(MemberPinSchema, value);
  if (r.success) return r.output;
  return r.issues[0]?.path?.[0]?.key === 'cids' ? 'cids' : 'member';
}

/** A pinning node's answer once it pinned: the CIDs it now keeps. */
export const isPinnedAnswer = (value: unknown): value is v.InferOutput<typeof PinnedSchema> => v.is(PinnedSchema, value);
