// The custodian's envelope rules, free of networking: which envelope is ours, what a share must say, and how a share
// is re-sealed to the X25519 key that the chain recorded with the user's instantiation.
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { seal, open } from './seal';
import { encodeKeyShare, decodeKeyShare, type GranuleKeyShare } from './key-shares';
import { KeyShareError } from './errors';

const custodyContext = (alpha: string): string => `twingrain/custody/${alpha}`;
const releaseContext = (alpha: string, userX25519Hex: string): string => `twingrain/release/${alpha}/${userX25519Hex}`;

export interface SealedShare {
  /** The custodian's X25519 public key, hex. */
  custodian: string;
  envelope: Uint8Array;
}

/** Share i goes to custodian i (the order the Consortium lists them in). */
export function sealSharesForCustodians(shares: GranuleKeyShare[], custodianPublicKeys: Uint8Array[]): SealedShare[] {
  if (shares.length !== custodianPublicKeys.length) {
    throw new KeyShareError(
      `There are ${shares.length} key shares for ${custodianPublicKeys.length} custodians: split the key with n equal to the number of custodians.`,
    );
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
  if (share.alpha !== alpha)
    throw new KeyShareError(`A custodian released a share of granule ${share.alpha.slice(0, 12)}… when ${alpha.slice(0, 12)}… was asked for.`);
  return share;
}
