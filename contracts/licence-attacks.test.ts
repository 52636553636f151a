// Licences on a real anvil with the committed contracts, verifiers and proving keys (issue 16): terms fixed at
// authorization (expiry, price in community credit), revocation, transfer of ownership with a proof of Sk_S, and
// receipts. Each protection is attacked the way a client that skips the library's checks would: with a real, valid
// instantiation (or transfer) proof sent straight to the registry, so only the contract's own check stands between
// the attacker and the granule.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, erc20Abi, http, keccak256, parseAbi, parseUnits, toHex, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../src/lib/chain/deploy.node.ts';
import {
  authorizeGranule, contractRevertOf, enrol, granuleRegistryAbi, instantiateGranule, LicencePriceError, loadAuthorizationTree, readLicenceOfRecord,
  registerGranule, revokeLicence, signLicenceReceipt, transferGranule, verifyLicenceReceipt, type AuthorizeGranuleReturnType, type LicenceReceipt,
} from '../src/lib/chain/index';
import { createProver, instantiationInput, terminateProver, toSolidityProof, transferInput, type SolidityProof } from '../src/lib/zk/index';
import { fileArtifactSource } from '../src/lib/zk/artifacts.node.ts';
import { poseidonHash } from '../src/lib/identity/index';
import { communityCreditAbi as incentiveCreditAbi } from '../src/lib/incentive/abi.ts';

const communityCreditAbi = [...incentiveCreditAbi, ...erc20Abi, ...parseAbi(['function mint(address to, uint256 amount)'])] as const;

const CID = new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Array(32).fill(9)]);
const GAS = 1_500_000n;
const X25519 = `0x${'05'.repeat(32)}` as Hex;
const CREDIT = 10n ** 18n;

let anvil: AnvilInstance;
let publicClient: PublicClient;
let registry: Address;
let credit: Address;
const prover = createProver(fileArtifactSource());

/** 1 owner (alice), 2 user (bob), 3 another member (mallory), 4 new owner (nora), 5 a second user (carl). */
const SECRETS: Record<number, bigint> = { 1: 0xa11ce01n, 2: 0xb0b02n, 3: 0x3a11023n, 4: 0x0a4a04n, 5: 0xca41005n };
const pkOf = (i: number): bigint => poseidonHash([SECRETS[i]!]);
const wallets: WalletClient[] = [];
const wallet = (i: number): WalletClient => wallets[i]!;
const address = (i: number): Address => wallet(i).account!.address;
const rpc = (method: string, params: unknown[] = []): Promise<unknown> => publicClient.request({ method: method as never, params: params as never });
let nextAlpha = 0x1ce000n;

async function revertName(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  const revert = contractRevertOf(error);
  if (!revert) throw new Error(`expected a contract revert, got ${String(error)}`);
  return revert.errorName;
}

const balanceOf = (i: number): Promise<bigint> => publicClient.readContract({ address: credit, abi: communityCreditAbi, functionName: 'balanceOf', args: [address(i)] });

async function send(i: number, to: Address, abi: typeof granuleRegistryAbi | typeof communityCreditAbi, functionName: string, args: unknown[]): Promise<void> {
  await publicClient.simulateContract({ address: to, abi, functionName, args, account: wallet(i).account!, gas: GAS } as never).catch((e: unknown) => {
    throw contractRevertOf(e) ?? e;
  });
  const hash = await wallet(i).writeContract({ address: to, abi, functionName, args, chain: foundry, account: wallet(i).account!, gas: GAS } as never);
  expect((await publicClient.waitForTransactionReceipt({ hash })).status).toBe('success');
}

async function registered(owner = 1): Promise<bigint> {
  const alpha = nextAlpha++;
  await registerGranule({ publicClient, walletClient: wallet(owner), registry, prover, secret: SECRETS[owner]!, alpha, manifestCid: CID });
  return alpha;
}

const authorize = (owner: number, alpha: bigint, user: number, terms: { expiresAt?: bigint; price?: bigint } = {}): Promise<AuthorizeGranuleReturnType> =>
  authorizeGranule({ publicClient, walletClient: wallet(owner), registry, prover, secret: SECRETS[owner]!, alpha, userPk: pkOf(user), ...terms });

/** A real, valid instantiation proof for user i's authorization: what an attacker skipping the library would send. */
async function instantiationProof(user: number, auth: AuthorizeGranuleReturnType): Promise<{ proof: SolidityProof; root: bigint }> {
  const { tree } = await loadAuthorizationTree({ publicClient, registry });
  const input = instantiationInput({
    secret: SECRETS[user]!, alpha: auth.alpha, ownerPk: auth.ownerPk, authSalt: auth.record.authSalt!, proof: tree.proof(auth.leafIndex), root: tree.root,
    sender: address(user), chainId: foundry.id, registry,
  });
  return { proof: toSolidityProof((await prover.prove(input)).proof), root: tree.root };
}

/** Sends instantiate straight to the registry with a valid proof; the custom error it is refused with, or "success". */
async function instantiateDirectly(user: number, auth: AuthorizeGranuleReturnType): Promise<string> {
  const { proof, root } = await instantiationProof(user, auth);
  try {
    await send(user, registry, granuleRegistryAbi, 'instantiate', [proof, auth.alpha, pkOf(user), root, X25519]);
    return 'success';
  } catch (error) {
    return contractRevertOf(error)?.errorName ?? String(error);
  }
}

const now = async (): Promise<bigint> => (await publicClient.getBlock({ blockTag: 'latest' })).timestamp;

beforeAll(async () => {
  anvil = await startAnvil();
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl), pollingInterval: 50 });
  for (let i = 0; i <= 5; i++) {
    const key = i === 0 ? anvil.privateKeys[0]! : keccak256(toHex(`twingrain-licence-actor-${i}`));
    wallets.push(createWalletClient({ chain: foundry, account: privateKeyToAccount(key), transport: http(anvil.rpcUrl) }));
    if (i > 0) await rpc('anvil_setBalance', [address(i), toHex(10n ** 22n)]);
  }
  const { contracts } = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
  registry = contracts.GranuleRegistry!;
  credit = contracts.CommunityCredit!;
  expect((await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'credit' })).toLowerCase()).toBe(credit.toLowerCase());
  for (const i of [1, 2, 3, 4, 5]) await enrol({ publicClient, walletClient: wallet(i), consortium: contracts.Consortium!, prover, secret: SECRETS[i]! });
  // The deployer (credit admin) mints the users some credits, as SharingIncentive would pay them.
  const minter = await publicClient.readContract({ address: credit, abi: communityCreditAbi, functionName: 'MINTER_ROLE' });
  await send(0, credit, communityCreditAbi, 'grantRole', [minter, address(0)]);
  for (const i of [2, 3, 5]) await send(0, credit, communityCreditAbi, 'mint', [address(i), 100n * CREDIT]);
}, 180_000);

afterAll(async () => {
  await anvil?.stop();
  await terminateProver();
});

describe('licence terms', () => {
  it('are recorded with the authorization, readable from its record before instantiation, and cannot be replaced while in force', async () => {
    const alpha = await registered();
    const expiresAt = (await now()) + 3600n;
    const auth = await authorize(1, alpha, 2, { expiresAt, price: 3n * CREDIT });
    expect(auth.expiresAt).toBe(expiresAt);
    expect(auth.price).toBe(3n * CREDIT);
    const licence = await readLicenceOfRecord({ publicClient, record: auth.recordAddress });
    expect(licence).toMatchObject({ alpha, userPk: pkOf(2), ownerPk: pkOf(1), expiresAt, price: 3n * CREDIT, state: 'active', inForce: true, revokedAt: null, instantiatedAt: null });
    // The owner cannot quietly grant the same user other terms (say, a lower expiry) while the licence is in force…
    expect(await revertName(authorize(1, alpha, 2, { expiresAt: expiresAt + 10n, price: 0n }))).toBe('LicenceInForce');
    // …nor pass an expiry that is already over.
    expect(await revertName(authorize(1, alpha, 3, { expiresAt: (await now()) - 1n }))).toBe('InvalidTerms');
  });

  it('attack: instantiating an expired licence with a valid proof is refused (LicenceExpired) and the state says expired', async () => {
    const alpha = await registered();
    const auth = await authorize(1, alpha, 2, { expiresAt: (await now()) + 600n });
    await rpc('evm_increaseTime', [601]);
    await rpc('evm_mine');
    expect((await readLicenceOfRecord({ publicClient, record: auth.record })).state).toBe('expired');
    expect(await revertName(instantiateGranule({ publicClient, walletClient: wallet(2), prover, secret: SECRETS[2]!, record: auth.record, x25519PublicKey: new Uint8Array(32) }))).toBe('LicenceExpired');
    expect(await instantiateDirectly(2, auth)).toBe('LicenceExpired');
    expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'instantiatedAt', args: [alpha, pkOf(2)] })).toBe(0n);
    // An expired licence may be renewed with new terms.
    const renewed = await authorize(1, alpha, 2, { expiresAt: (await now()) + 600n });
    expect((await readLicenceOfRecord({ publicClient, record: renewed.record })).state).toBe('active');
    expect((await readLicenceOfRecord({ publicClient, record: auth.record })).state).toBe('revoked'); // replaced
  });

  it('attack: instantiating a priced licence without paying is refused (PaymentNotApproved, InsufficientCredit) and moves nothing', async () => {
    const alpha = await registered();
    const price = parseUnits('7.5', 18);
    const auth = await authorize(1, alpha, 3, { price });
    const before = [await balanceOf(1), await balanceOf(3)];
    // The library refuses a price the user did not agree to, before anything is sent.
    await expect(instantiateGranule({ publicClient, walletClient: wallet(3), prover, secret: SECRETS[3]!, record: auth.record, x25519PublicKey: new Uint8Array(32) })).rejects.toBeInstanceOf(LicencePriceError);
    // A valid proof sent without approving the payment.
    expect(await instantiateDirectly(3, auth)).toBe('PaymentNotApproved');
    // Approved, but mallory moved her credits away first.
    await send(3, credit, communityCreditAbi, 'approve', [registry, price]);
    await send(3, credit, communityCreditAbi, 'transfer', [address(0), await balanceOf(3)]);
    expect(await instantiateDirectly(3, auth)).toBe('InsufficientCredit');
    expect([await balanceOf(1), await balanceOf(3)]).toEqual([before[0], 0n]);
    expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'instantiatedAt', args: [alpha, pkOf(3)] })).toBe(0n);
  });

  it('a paid licence moves exactly the price from the user to the owner, in the instantiation itself', async () => {
    const alpha = await registered();
    const price = parseUnits('2.25', 18);
    const auth = await authorize(1, alpha, 2, { price });
    const [owner0, user0] = [await balanceOf(1), await balanceOf(2)];
    const inst = await instantiateGranule({ publicClient, walletClient: wallet(2), prover, secret: SECRETS[2]!, record: auth.record, x25519PublicKey: new Uint8Array(32).fill(1), maxPrice: price });
    expect(inst.paid).toBe(price);
    expect(await balanceOf(1)).toBe(owner0 + price);
    expect(await balanceOf(2)).toBe(user0 - price);
    // Nothing more can be taken: the allowance was exactly the price.
    expect(await publicClient.readContract({ address: credit, abi: communityCreditAbi, functionName: 'allowance', args: [address(2), registry] })).toBe(0n);
    const receipt = await publicClient.getTransactionReceipt({ hash: inst.txHash });
    expect(receipt.logs.some((l) => l.address.toLowerCase() === credit.toLowerCase())).toBe(true);
    expect((await readLicenceOfRecord({ publicClient, record: auth.record })).state).toBe('instantiated');
  });
});

describe('revocation', () => {
  it('attack: instantiating a revoked licence with a valid proof is refused (RevokedLicence); only the owner revokes', async () => {
    const alpha = await registered();
    const auth = await authorize(1, alpha, 2);
    expect(await revertName(revokeLicence({ publicClient, walletClient: wallet(3), secret: SECRETS[3]!, record: auth.record }))).toBe('NotGranuleOwner');
    expect(await revertName(send(3, registry, granuleRegistryAbi, 'revoke', [alpha, pkOf(2)]))).toBe('NotGranuleOwner');
    const revoked = await revokeLicence({ publicClient, walletClient: wallet(1), secret: SECRETS[1]!, record: auth.record });
    expect(revoked.userPk).toBe(pkOf(2));
    const licence = await readLicenceOfRecord({ publicClient, record: auth.record });
    expect(licence).toMatchObject({ state: 'revoked', inForce: false, revokedAt: revoked.revokedAt });
    expect(await instantiateDirectly(2, auth)).toBe('RevokedLicence');
    expect(await revertName(revokeLicence({ publicClient, walletClient: wallet(1), secret: SECRETS[1]!, record: auth.record }))).toBe('AlreadyRevoked');
  });
});

describe('transfer of ownership', () => {
  let alpha: bigint;
  let beforeTransfer: AuthorizeGranuleReturnType;

  it('attack: a transfer needs Sk_S — a stolen wallet with a proof from another key, a replayed proof and a non-owner are refused', async () => {
    alpha = await registered();
    beforeTransfer = await authorize(1, alpha, 5);
    const nonce = 0n;
    // Mallory holds alice's wallet but not her Sk: her own key's proof does not verify for Pk_alice.
    const forged = transferInput({ secret: SECRETS[3]!, alpha, newOwnerPk: pkOf(3), nonce, sender: address(1), chainId: foundry.id, registry });
    const forgedProof = toSolidityProof((await prover.prove(forged)).proof);
    expect(await revertName(send(1, registry, granuleRegistryAbi, 'transfer', [forgedProof, alpha, pkOf(1), pkOf(3)]))).toBe('InvalidProof');
    // A non-owner cannot transfer it at all.
    expect(await revertName(transferGranule({ publicClient, walletClient: wallet(3), registry, prover, secret: SECRETS[3]!, alpha, newOwnerPk: pkOf(3) }))).toBe('NotGranuleOwner');
    // Alice's real proof names nora: it cannot be redirected to mallory.
    const real = transferInput({ secret: SECRETS[1]!, alpha, newOwnerPk: pkOf(4), nonce, sender: address(1), chainId: foundry.id, registry });
    const realProof = toSolidityProof((await prover.prove(real)).proof);
    expect(await revertName(send(1, registry, granuleRegistryAbi, 'transfer', [realProof, alpha, pkOf(1), pkOf(3)]))).toBe('InvalidProof');
    await send(1, registry, granuleRegistryAbi, 'transfer', [realProof, alpha, pkOf(1), pkOf(4)]);
    expect(await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [alpha] })).toBe(pkOf(4));
    // Replayed once the granule came back to alice (same nonce no longer): refused.
    const back = await transferGranule({ publicClient, walletClient: wallet(4), registry, prover, secret: SECRETS[4]!, alpha, newOwnerPk: pkOf(1) });
    expect(back.toPk).toBe(pkOf(1));
    expect(await revertName(send(1, registry, granuleRegistryAbi, 'transfer', [realProof, alpha, pkOf(1), pkOf(4)]))).toBe('InvalidProof');
    const again = await transferGranule({ publicClient, walletClient: wallet(1), registry, prover, secret: SECRETS[1]!, alpha, newOwnerPk: pkOf(4) });
    expect(again.fromPk).toBe(pkOf(1));
  });

  it('the new owner authorizes and revokes; the old owner can do neither; licences of the old owner no longer instantiate', async () => {
    expect(await revertName(authorize(1, alpha, 2))).toBe('NotGranuleOwner');
    expect(await revertName(send(1, registry, granuleRegistryAbi, 'revoke', [alpha, pkOf(5)]))).toBe('NotGranuleOwner');
    // Carl's licence came from alice before the transfer: it lapsed.
    expect((await readLicenceOfRecord({ publicClient, record: beforeTransfer.record })).state).toBe('revoked');
    expect(await instantiateDirectly(5, beforeTransfer)).toBe('LicenceFromFormerOwner');
    // Nora, without alice online: she adds her own registration leaf (first authorization) and grants bob.
    const byNora = await authorize(4, alpha, 2, { price: CREDIT });
    expect(byNora.claimTxHash).toMatch(/^0x/);
    const [nora0, bob0] = [await balanceOf(4), await balanceOf(2)];
    await instantiateGranule({ publicClient, walletClient: wallet(2), prover, secret: SECRETS[2]!, record: byNora.record, x25519PublicKey: new Uint8Array(32).fill(2), maxPrice: CREDIT });
    expect([await balanceOf(4), await balanceOf(2)]).toEqual([nora0 + CREDIT, bob0 - CREDIT]);
    // Nora re-grants carl and revokes it.
    const carl = await authorize(4, alpha, 5);
    await revokeLicence({ publicClient, walletClient: wallet(4), secret: SECRETS[4]!, record: carl.record });
    expect(await instantiateDirectly(5, carl)).toBe('RevokedLicence');
  });
});

describe('receipts', () => {
  let alpha: bigint;
  let receipt: LicenceReceipt;
  const challenge = `0x${'c4'.repeat(32)}` as Hex;

  it('a holder\'s receipt verifies, without any key in it', async () => {
    alpha = await registered();
    const auth = await authorize(1, alpha, 2);
    await instantiateGranule({ publicClient, walletClient: wallet(2), prover, secret: SECRETS[2]!, record: auth.record, x25519PublicKey: new Uint8Array(32).fill(4) });
    receipt = await signLicenceReceipt({ publicClient, walletClient: wallet(2), registry, secret: SECRETS[2]!, alpha, challenge });
    expect(JSON.stringify(receipt)).not.toContain(SECRETS[2]!.toString());
    expect(JSON.stringify(receipt)).not.toContain(SECRETS[2]!.toString(16));
    const verdict = await verifyLicenceReceipt({ publicClient, receipt, challenge, registry });
    expect(verdict).toMatchObject({ valid: true, signer: address(2) });
  });

  it('attack: nobody else passes — another member signing for the holder, a member without a licence, an edited or replayed receipt', async () => {
    // Mallory signs a receipt naming bob's public key.
    const posing = await signLicenceReceipt({ publicClient, walletClient: wallet(3), registry, secret: SECRETS[2]!, alpha, challenge });
    expect((await verifyLicenceReceipt({ publicClient, receipt: posing, challenge })).valid).toBe(false);
    // Mallory's own receipt: she holds no licence.
    const own = await signLicenceReceipt({ publicClient, walletClient: wallet(3), registry, secret: SECRETS[3]!, alpha, challenge });
    expect(await verifyLicenceReceipt({ publicClient, receipt: own, challenge })).toMatchObject({ valid: false, reason: expect.stringMatching(/no licence/) });
    // Bob's receipt edited to another granule, another time, or shown to a verifier with another challenge.
    expect((await verifyLicenceReceipt({ publicClient, receipt: { ...receipt, alpha: toHex(alpha + 1n, { size: 32 }) }, challenge })).valid).toBe(false);
    expect((await verifyLicenceReceipt({ publicClient, receipt: { ...receipt, at: receipt.at - 3600 }, challenge })).valid).toBe(false);
    expect((await verifyLicenceReceipt({ publicClient, receipt, challenge: `0x${'11'.repeat(32)}` })).valid).toBe(false);
  });

  it('a receipt for a time after revocation does not verify', async () => {
    const { licence } = await (async () => ({ licence: await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'licenceOf', args: [alpha, pkOf(2)] }) }))();
    expect(licence.inForce).toBe(true);
    await rpc('evm_increaseTime', [5]);
    await send(1, registry, granuleRegistryAbi, 'revoke', [alpha, pkOf(2)]);
    await rpc('evm_increaseTime', [5]);
    await rpc('evm_mine');
    const later = await signLicenceReceipt({ publicClient, walletClient: wallet(2), registry, secret: SECRETS[2]!, alpha, challenge });
    expect(await verifyLicenceReceipt({ publicClient, receipt: later, challenge })).toMatchObject({ valid: false, reason: expect.stringMatching(/revoked/) });
    // The earlier receipt still speaks truly for its own time.
    expect((await verifyLicenceReceipt({ publicClient, receipt, challenge })).valid).toBe(true);
  });
});
