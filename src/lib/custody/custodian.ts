// The custodian's rules, free of networking: which envelope is ours, what a share must say, and how a share is
// re-sealed to the user whose instantiation the chain recorded.
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { seal, open } from './seal';
import { encodeKeyShare, decodeKeyShare, type GranuleKeyShare } from './key-shares';
import { KeyShareError } from './errors';

export const custodyContext = (alpha: string): string => `twingrain/custody/${alpha}`;
export const releaseContext = (alpha: string, userX25519Hex: string): string => `twingrain/release/${alpha}/${userX25519Hex}`;

export interface SealedShare {
  /** The custodian's X25519 public key, hex. */
  custodian: string;
  envelope: Uint8Array;
}

/** Share i goes to custodian i (the order the Consortium lists them in). */
export function sealSharesForCustodians(shares: GranuleKeyShare[], custodianPublicKeys: Uint8Array[]): SealedShare[] {
  if (shares.length !== custodianPublicKeys.length) {
    throw new KeyShareError(`There are ${shares.length} key shares for ${custodianPublicKeys.length} custodians: split the key with n equal to the number of custodians.`);
  }
  return shares.map((share, i) => ({
    custodian: bytesToHex(custodianPublicKeys[i]!),
    envelope: seal(encodeKeyShare(share), custodianPublicKeys[i]!, custodyContext(share.alpha)),
  }));
}

/** Opens the custodian's own envelope and checks that it is a share of `alpha`. */
export function openCustodianShare(envelope: Uint8Array, custodianSecretKey: Uint8Array, alpha: string): GranuleKeyShare {
  const share = decodeKeyShare(open(envelope, custodianSecretKey, custodyContext(alpha)));
  if (share.alpha !== alpha) throw new KeyShareError(`The deposited share is for granule ${share.alpha.slice(0, 12)}…, not ${alpha.slice(0, 12)}….`);
  return share;
}

/** Seals a share to the user key named in the instantiation event. */
export function releaseShare(share: GranuleKeyShare, userX25519PublicKey: Uint8Array): Uint8Array {
  return seal(encodeKeyShare(share), userX25519PublicKey, releaseContext(share.alpha, bytesToHex(userX25519PublicKey)));
}

/** The user opens a released share. */
export function openReleasedShare(envelope: Uint8Array, userSecretKey: Uint8Array, alpha: string): GranuleKeyShare {
  const share = decodeKeyShare(open(envelope, userSecretKey, releaseContext(alpha, bytesToHex(x25519.getPublicKey(userSecretKey)))));
  if (share.alpha !== alpha) throw new KeyShareError(`A custodian released a share of granule ${share.alpha.slice(0, 12)}… when ${alpha.slice(0, 12)}… was asked for.`);
  return share;
}

/**
 * What the custodian has seen on chain: (α, user X25519 key) pairs from instantiation events. A request may wait
 * for the event (the user asks right after sending the transaction), which makes the pull behave like a push.
 */
export class InstantiationIndex {
  readonly #seen = new Set<string>();
  readonly #waiters = new Map<string, Set<() => void>>();

  static key(alpha: string, userX25519Hex: string): string {
    return `${alpha.toLowerCase()}/${userX25519Hex.toLowerCase().replace(/^0x/, '')}`;
  }

  add(alpha: string, userX25519Hex: string): void {
    const key = InstantiationIndex.key(alpha, userX25519Hex);
    this.#seen.add(key);
    for (const wake of this.#waiters.get(key) ?? []) wake();
    this.#waiters.delete(key);
  }

  has(alpha: string, userX25519Hex: string): boolean {
    return this.#seen.has(InstantiationIndex.key(alpha, userX25519Hex));
  }

  /** Resolves true as soon as the pair is seen, false after `timeoutMs`. */
  waitFor(alpha: string, userX25519Hex: string, timeoutMs: number): Promise<boolean> {
    if (this.has(alpha, userX25519Hex)) return Promise.resolve(true);
    const key = InstantiationIndex.key(alpha, userX25519Hex);
    return new Promise((resolve) => {
      const set = this.#waiters.get(key) ?? new Set();
      const wake = (): void => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        set.delete(wake);
        resolve(false);
      }, timeoutMs);
      set.add(wake);
      this.#waiters.set(key, set);
    });
  }
}
