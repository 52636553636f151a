// What the licence components do, as plain functions over the session: read a licence's terms and state from the
// chain, revoke one, hand a granule to another member. The lib's chain actions do the work (the CLI calls the same).
import {
  formatCredits,
  LicenceTermsError,
  parseCredits,
  readLicenceOfRecord,
  revokeLicence,
  transferGranule,
  type ActionStage,
  type Licence,
} from '../../lib/chain/index';
import { ShareInputError } from './errors';
import { contractsOf, parseAlphaText, parsePublicKey, type ShareContext } from './share';

/** The licence behind an authorization record, read from the chain. */
export async function licenceOf(ctx: Pick<ShareContext, 'wallet'>, record: string): Promise<Licence> {
  return readLicenceOfRecord({ publicClient: ctx.wallet.publicClient, record: record.trim() });
}

export async function revoke(ctx: ShareContext, record: string): Promise<{ txHash: `0x${string}`; revokedAt: bigint }> {
  const r = await revokeLicence({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    secret: ctx.identity.secret,
    record: record.trim(),
  });
  return { txHash: r.txHash, revokedAt: r.revokedAt };
}

export async function transfer(ctx: ShareContext, alphaText: string, newOwnerText: string, onStage: (stage: ActionStage) => void): Promise<`0x${string}`> {
  const alpha = parseAlphaText(alphaText);
  const newOwnerPk = parsePublicKey(newOwnerText);
  if (newOwnerPk === ctx.identity.publicKey)
    throw new ShareInputError('You already own this granule: paste the public key of the member who should receive it.');
  const r = await transferGranule({
    publicClient: ctx.wallet.publicClient,
    walletClient: ctx.wallet.walletClient,
    registry: contractsOf(ctx.config).registry,
    prover: ctx.prover,
    secret: ctx.identity.secret,
    alpha,
    newOwnerPk,
    onStage,
  });
  return r.txHash;
}

/** The terms a person typed: a local date-time (or nothing) and a price in credits (or nothing). */
export function termsFromForm(expires: string, price: string): { expiresAt: bigint | null; price: bigint } {
  let expiresAt: bigint | null = null;
  if (expires.trim()) {
    const ms = new Date(expires).getTime();
    if (!Number.isFinite(ms)) throw new ShareInputError('That end date is not a date: pick one, or leave it empty for no end.');
    if (ms <= Date.now()) throw new ShareInputError('The access would end in the past: pick a later time, or leave it empty for no end.');
    expiresAt = BigInt(Math.floor(ms / 1000));
  }
  try {
    return { expiresAt, price: price.trim() ? parseCredits(price) : 0n };
  } catch (e) {
    throw new ShareInputError(e instanceof LicenceTermsError ? e.message : 'That price is not a number of credits.');
  }
}

/** "free" or "2.5 credits". */
export function priceText(price: bigint): string {
  return price === 0n ? 'free' : `${formatCredits(price)} credit${price === 10n ** 18n ? '' : 's'}`;
}

/** The licence state in plain words. */
export const STATE_TEXT: Record<Licence['state'], string> = {
  active: 'Active: can be used',
  expired: 'Expired',
  revoked: 'Ended',
  instantiated: 'In use: the granule was received',
};
