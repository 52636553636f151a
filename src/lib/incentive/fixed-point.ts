// The on-chain scale: community credits and the terms f_i, g_i are integers in 1e18 units (WAD), like ERC-20 decimals.
// Converting the model's doubles goes through their shortest decimal form, so 0.1 becomes exactly 1e17 and the only
// rounding is at the 18th decimal (half a unit, away from zero). E_i = f_i m_i + g_i is then exact integer arithmetic,
// on chain and here alike: the payout for m granules differs from the real-valued model by at most (m + 1)/2 units
// plus the model's own double rounding (≈ 1e-16 relative).
import { InvalidParameterError } from './errors';

export const WAD = 10n ** 18n;

/** The nearest 1e18-scaled integer to a finite number. */
export function toWad(value: number, parameter = 'value'): bigint {
  if (!Number.isFinite(value)) throw new InvalidParameterError(parameter, `must be a finite number (got ${value})`, 'Solve the scenario again.');
  const negative = value < 0;
  // String() gives the shortest decimal that round-trips (e.g. "0.1", "1.5e-7", "1.2e+21"); parse it exactly.
  const [mantissa, expPart = '0'] = String(Math.abs(value)).split('e') as [string, string?];
  const [whole, frac = ''] = mantissa.split('.') as [string, string?];
  const digits = whole + frac;
  const exp = Number(expPart) - frac.length + 18; // value = digits × 10^(exp − 18)
  let scaled: bigint;
  if (exp >= 0) scaled = BigInt(digits) * 10n ** BigInt(exp);
  else {
    const div = 10n ** BigInt(-exp);
    const d = BigInt(digits);
    scaled = d / div + ((d % div) * 2n >= div ? 1n : 0n);
  }
  return negative ? -scaled : scaled;
}

/** A 1e18-scaled integer as a number (for display; loses precision beyond ~16 digits). */
export function fromWad(value: bigint): number {
  const whole = value / WAD;
  const frac = value % WAD;
  return Number(whole) + Number(frac) / 1e18;
}

/** E = f·m + g in 1e18 units, exactly as SharingIncentive computes it (before clamping at zero). */
export function compensationWad(f: bigint, g: bigint, granules: bigint): bigint {
  return f * granules + g;
}

/** What SharingIncentive pays in total for E (never negative). */
export function payoutWad(compensation: bigint): bigint {
  return compensation > 0n ? compensation : 0n;
}
