// Licence receipts: a holder shows a verifier (say, a print farm) that it holds a licence for α at a given time,
// without revealing any key. The receipt is an EIP-712 statement signed by the wallet the Consortium binds to the
// holder's Pk_U, over (α, Pk_U, time, the verifier's challenge). The verifier recovers the signer and checks on
// chain that the signer is enrolled under Pk_U and that Pk_U's licence of α, from the current owner, was instantiated
// by then and neither revoked nor expired at that time. A challenge the verifier chose keeps a receipt from being
// replayed to it by someone else; the signature keeps anyone but the holder from making one.
import { isAddress, recoverTypedDataAddress, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import * as v from 'valibot';
import { poseidonHash } from '../identity/index';
import { consortiumAbi, granuleRegistryAbi } from './abi.generated';
import { readLicenceState } from './licence';
import { accountOf, chainIdOf } from './send';
import { namedError } from '../errors/index';

export const RECEIPT_DOMAIN_NAME = 'twingrain licence receipt';
export const RECEIPT_DOMAIN_VERSION = '1';
const RECEIPT_TYPES = {
  LicenceReceipt: [
    { name: 'alpha', type: 'uint256' },
    { name: 'holderPk', type: 'uint256' },
    { name: 'at', type: 'uint64' },
    { name: 'challenge', type: 'bytes32' },
  ],
} as const;

export interface LicenceReceipt {
  v: 1;
  chainId: number;
  registry: Address;
  /** 0x + 64 hex. */
  alpha: Hex;
  /** The holder's public key, decimal. */
  holderPk: string;
  /** Unix seconds the receipt speaks for. */
  at: number;
  /** The verifier's challenge, 0x + 64 hex (zeros when none was given). */
  challenge: Hex;
  signature: Hex;
}

export class LicenceReceiptError extends namedError('LicenceReceiptError', Error) {}

const ZERO32: Hex = `0x${'0'.repeat(64)}`;
const hex32 = (v: bigint): Hex => `0x${v.toString(16).padStart(64, '0')}`;

function typedData(r: Omit<LicenceReceipt, 'signature' | 'v'>) {
  return {
    domain: { name: RECEIPT_DOMAIN_NAME, version: RECEIPT_DOMAIN_VERSION, chainId: r.chainId, verifyingContract: r.registry },
    types: RECEIPT_TYPES,
    primaryType: 'LicenceReceipt' as const,
    message: { alpha: BigInt(r.alpha), holderPk: BigInt(r.holderPk), at: BigInt(r.at), challenge: r.challenge },
  };
}

export interface SignLicenceReceiptParameters {
  publicClient: PublicClient;
  walletClient: WalletClient;
  registry: Address;
  /** Sk of the holder: only its public key goes into the receipt. */
  secret: bigint;
  alpha: bigint;
  /** Unix seconds; now (the latest block's time) by default. */
  at?: number;
  /** What the verifier asked to be signed (0x + 64 hex). */
  challenge?: Hex;
}

export async function signLicenceReceipt(p: SignLicenceReceiptParameters): Promise<LicenceReceipt> {
  const account = accountOf(p.walletClient);
  const challenge = p.challenge ?? ZERO32;
  if (!/^0x[0-9a-fA-F]{64}$/.test(challenge)) throw new LicenceReceiptError('A challenge is 32 bytes written as 0x and 64 hex digits.');
  const [chainId, block] = await Promise.all([chainIdOf(p.publicClient, p.walletClient), p.publicClient.getBlock({ blockTag: 'latest' })]);
  const body = {
    chainId,
    registry: p.registry,
    alpha: hex32(p.alpha),
    holderPk: poseidonHash([p.secret]).toString(),
    at: p.at ?? Number(block.timestamp),
    challenge: challenge.toLowerCase() as Hex,
  };
  const signature = await p.walletClient.signTypedData({ account, ...typedData(body) });
  return { v: 1, ...body, signature };
}

const HEX32 = v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/));
const LicenceReceiptSchema = v.object({
  v: v.literal(1),
  chainId: v.pipe(v.number(), v.integer(), v.minValue(1)),
  registry: v.pipe(
    v.string(),
    v.check((a) => isAddress(a)),
  ),
  alpha: HEX32,
  holderPk: v.pipe(v.string(), v.regex(/^\d{1,78}$/)),
  at: v.pipe(v.number(), v.integer(), v.minValue(0)),
  challenge: HEX32,
  signature: v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{130}$/)),
});

/** Reads a receipt from JSON text; a malformed one is a LicenceReceiptError. */
export function parseLicenceReceipt(text: string): LicenceReceipt {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LicenceReceiptError('This is not a licence receipt: it is not JSON.');
  }
  const checked = v.safeParse(LicenceReceiptSchema, json);
  if (!checked.success) throw new LicenceReceiptError('This licence receipt is malformed: it was altered or made by another program.');
  return checked.output as LicenceReceipt;
}

export interface VerifyLicenceReceiptParameters {
  publicClient: PublicClient;
  receipt: LicenceReceipt;
  /** The challenge the verifier gave the holder; the receipt must carry it. */
  challenge?: Hex;
  /** The registry the verifier trusts; the receipt must name it. */
  registry?: Address;
}

export interface LicenceReceiptVerdict {
  valid: boolean;
  /** Why not, in one sentence (or what was found, when valid). */
  reason: string;
  /** The account that signed (when the signature could be read). */
  signer?: Address;
}

export async function verifyLicenceReceipt(p: VerifyLicenceReceiptParameters): Promise<LicenceReceiptVerdict> {
  const r = p.receipt;
  const no = (reason: string, signer?: Address): LicenceReceiptVerdict => ({ valid: false, reason, ...(signer ? { signer } : {}) });
  if (p.registry && p.registry.toLowerCase() !== r.registry.toLowerCase()) return no('The receipt speaks for another registry than the one you trust.');
  if (p.challenge && p.challenge.toLowerCase() !== r.challenge.toLowerCase())
    return no('The receipt does not carry your challenge: it was made for someone else or earlier.');
  const chainId = await p.publicClient.getChainId();
  if (chainId !== r.chainId) return no(`The receipt is for chain ${r.chainId}, but this node is on chain ${chainId}.`);
  let signer: Address;
  try {
    signer = await recoverTypedDataAddress({ ...typedData(r), signature: r.signature });
  } catch {
    return no("The receipt's signature cannot be read: it was altered.");
  }
  const holderPk = BigInt(r.holderPk);
  const consortium = await p.publicClient.readContract({ address: r.registry, abi: granuleRegistryAbi, functionName: 'consortium' });
  const signerPk = await p.publicClient.readContract({ address: consortium, abi: consortiumAbi, functionName: 'pkOf', args: [signer] });
  if (signerPk !== holderPk) return no('The receipt was not signed by the member it names: it is forged or altered.', signer);
  const licence = await readLicenceState({ publicClient: p.publicClient, registry: r.registry, alpha: BigInt(r.alpha), userPk: holderPk });
  const at = BigInt(r.at);
  if (licence.commitment === 0n) return no('The member named holds no licence for this granule.', signer);
  if (!licence.fromCurrentOwner) return no("The member's licence was granted by a former owner and ended when the granule changed hands.", signer);
  if (licence.instantiatedAt === 0n || licence.instantiatedAt > at) return no('The member had not taken up its licence for this granule at that time.', signer);
  if (licence.revokedAt !== 0n && licence.revokedAt <= at) return no("The owner had revoked the member's licence by that time.", signer);
  if (licence.expiresAt !== 0n && at >= licence.expiresAt) return no("The member's licence had expired by that time.", signer);
  return { valid: true, reason: `The member holds a licence for this granule at ${new Date(r.at * 1000).toISOString()}.`, signer };
}
