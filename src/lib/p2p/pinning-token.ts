// The bearer token a Consortium member shows to a community node's Pinning Service API. Nobody issues it: the
// member's wallet signs (EIP-712) "this account may use pinning service S until T" for this chain and registry, and
// the token carries that statement and its signature. The node checks the signature, the service (its own peer id:
// a token given to one node is worth nothing at another), the expiry, and that the account is an enrolled member.
// A node names its service, chain and registry in the WWW-Authenticate challenge of a 401, so a client learns what to
// sign from its first unauthenticated request.
import { recoverTypedDataAddress, type Address, type Hex, type WalletClient } from 'viem';
import * as v from 'valibot';
import { P2PError } from './errors';
import { namedError } from '../errors/index';

const PREFIX = 'tgpin1';
/** Longest lifetime a node accepts (a leaked token is then worth at most this long). */
export const MAX_TOKEN_LIFETIME_S = 30 * 24 * 3600;

export class PinningTokenError extends namedError('PinningTokenError', P2PError) {}

export interface PinningServiceChallenge {
  /** The node's peer id. */
  service: string;
  chainId: number;
  registry: Address;
}

export interface PinningTokenClaims extends PinningServiceChallenge {
  account: Address;
  /** Unix seconds. */
  expires: number;
}

const TYPES = {
  PinningAccess: [
    { name: 'service', type: 'string' },
    { name: 'account', type: 'address' },
    { name: 'expires', type: 'uint64' },
  ],
} as const;

const domainOf = (c: PinningServiceChallenge) => ({ name: 'twingrain pinning', version: '1', chainId: c.chainId, verifyingContract: c.registry });

const b64url = (text: string): string => btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const unb64url = (text: string): string => atob(text.replace(/-/g, '+').replace(/_/g, '/'));

/** The WWW-Authenticate header value of a node's 401 answer. */
export function pinningChallengeHeader(c: PinningServiceChallenge): string {
  return `Bearer realm="twingrain", service="${c.service}", chain="${c.chainId}", registry="${c.registry}"`;
}

/** The challenge in a 401's WWW-Authenticate header, or undefined when it is not a twingrain node's. */
export function parsePinningChallenge(header: string | null): PinningServiceChallenge | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const field = (name: string): string | undefined => new RegExp(`${name}="([^"]*)"`).exec(header)?.[1];
  const service = field('service');
  const chainId = Number(field('chain'));
  const registry = field('registry');
  if (!service || !Number.isInteger(chainId) || !registry || !/^0x[0-9a-fA-F]{40}$/.test(registry)) return undefined;
  return { service, chainId, registry: registry as Address };
}

/** Signs a token for `challenge` with the member's wallet, valid for `lifetimeS` seconds (default one day). */
export async function createPinningToken(walletClient: WalletClient, challenge: PinningServiceChallenge, lifetimeS = 24 * 3600): Promise<string> {
  const account = walletClient.account;
  if (!account) throw new PinningTokenError("A pinning token is signed by a member's wallet: connect one first.");
  const expires = Math.floor(Date.now() / 1000) + Math.min(lifetimeS, MAX_TOKEN_LIFETIME_S);
  const signature = await walletClient.signTypedData({
    account,
    domain: domainOf(challenge),
    types: TYPES,
    primaryType: 'PinningAccess',
    message: { service: challenge.service, account: account.address, expires: BigInt(expires) },
  });
  const claims: PinningTokenClaims = { ...challenge, account: account.address, expires };
  return `${PREFIX}.${b64url(JSON.stringify(claims))}.${signature}`;
}

/** A token's claims: what the member signed, checked whole before any of it is compared. */
const ClaimsSchema = v.object({
  service: v.string(),
  chainId: v.number(),
  registry: v.string(),
  account: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/)),
  expires: v.pipe(v.number(), v.integer()),
});

/**
 * The account a token was signed by, once its signature, service, chain, registry and expiry check out; throws a
 * PinningTokenError saying what is wrong otherwise. Membership is the caller's to check (it reads the chain).
 */
export async function verifyPinningToken(token: string, expected: PinningServiceChallenge, nowS = Math.floor(Date.now() / 1000)): Promise<PinningTokenClaims> {
  const [prefix, body, signature, ...rest] = token.split('.');
  if (prefix !== PREFIX || !body || !signature || rest.length > 0 || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new PinningTokenError('This is not a twingrain pinning token: sign a new one with your wallet.');
  }
  let claims: PinningTokenClaims;
  try {
    claims = v.parse(ClaimsSchema, JSON.parse(unb64url(body))) as PinningTokenClaims;
  } catch {
    throw new PinningTokenError('This pinning token is damaged: sign a new one with your wallet.');
  }
  if (claims.service !== expected.service || claims.chainId !== expected.chainId || String(claims.registry).toLowerCase() !== expected.registry.toLowerCase()) {
    throw new PinningTokenError('This pinning token was made for another pinning service or community: sign one for this service.');
  }
  if (claims.expires <= nowS) throw new PinningTokenError('This pinning token has expired: sign a new one with your wallet.');
  if (claims.expires > nowS + MAX_TOKEN_LIFETIME_S)
    throw new PinningTokenError('This pinning token is valid for longer than a node accepts (30 days): sign one that expires sooner.');
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({
      domain: domainOf(expected),
      types: TYPES,
      primaryType: 'PinningAccess',
      message: { service: expected.service, account: claims.account, expires: BigInt(claims.expires) },
      signature: signature as Hex,
    });
  } catch {
    throw new PinningTokenError('The signature on this pinning token is not valid: sign a new one with your wallet.');
  }
  if (signer.toLowerCase() !== claims.account.toLowerCase())
    throw new PinningTokenError('This pinning token was not signed by the account it names: sign a new one with your wallet.');
  return { ...claims, account: signer };
}
