import { describe, expect, it } from 'vitest';
import { poseidonHash, createIdentity, BN254_FIELD_ORDER, WrongPassphraseError, sealWithPassphrase } from '../identity/index';
import { authorizationInput, enrolmentInput, instantiationInput, registrationCommitment, registrationInput } from './inputs';
import { LeanTree } from './lean-tree';
import { ZkInputError } from './errors';
import { createIdentityFile, parseIdentityFile, unlockIdentityFile, isSealed } from './identity-file';
import { PUBLIC_SIGNALS, TREE_MAX_DEPTH } from './constants';

const sender = '0x70997970C51812dc3A010C7d01b50e0d17dc79C8' as const;
const registry = '0x5FbDB2315678afecb367f032d93F642f64180aa3' as const;

describe('circuit inputs', () => {
  it('builds the public signals in circuit order', () => {
    const input = registrationInput({ secret: 3n, alpha: 5n, salt: 7n, sender, chainId: 31337, registry });
    expect(input.publicSignals).toEqual([poseidonHash([3n]), registrationCommitment(5n, poseidonHash([3n]), 7n), 5n, BigInt(sender), 31337n, BigInt(registry)]);
    expect(PUBLIC_SIGNALS.registration).toHaveLength(input.publicSignals.length);
    const enrolment = enrolmentInput({ secret: 3n, sender, chainId: 31337, consortium: registry });
    expect(enrolment.publicSignals).toEqual([poseidonHash([3n]), BigInt(sender), 31337n, BigInt(registry)]);
    expect(PUBLIC_SIGNALS.enrolment).toHaveLength(enrolment.publicSignals.length);
  });

  it('refuses values that cannot enter a proof, with a sentence', () => {
    const base = { secret: 3n, alpha: 5n, salt: 7n, sender, chainId: 31337, registry };
    expect(() => registrationInput({ ...base, secret: 0n })).toThrow(ZkInputError);
    expect(() => registrationInput({ ...base, alpha: BN254_FIELD_ORDER })).toThrow(/outside the BN254 field/);
    expect(() => registrationInput({ ...base, sender: '0x1234' as `0x${string}` })).toThrow(/20-byte/);
    expect(() => registrationInput({ ...base, chainId: 0 })).toThrow(/chain id/);
    expect(() => registrationInput({ ...base, registry: '0x12' as `0x${string}` })).toThrow(/registry/);
  });

  it("refuses a registration path that is not the owner's leaf, or for another root", () => {
    const tree = new LeanTree();
    tree.insert(registrationCommitment(5n, poseidonHash([3n]), 7n));
    tree.insert(99n);
    const base = { secret: 3n, alpha: 5n, salt: 7n, userPk: 11n, authSalt: 13n, sender, chainId: 1, registry };
    expect(() => authorizationInput({ ...base, proof: tree.proof(0), root: tree.root })).not.toThrow();
    expect(() => authorizationInput({ ...base, secret: 4n, proof: tree.proof(0), root: tree.root })).toThrow(/only the owner/);
    expect(() => authorizationInput({ ...base, proof: tree.proof(0), root: tree.root + 1n })).toThrow(/another root/);
    const tooDeep = { ...tree.proof(0), depth: TREE_MAX_DEPTH + 1 };
    expect(() => authorizationInput({ ...base, proof: tooDeep, root: tree.root })).toThrow(/at most/);
    const badBit = { ...tree.proof(0), pathIndices: tree.proof(0).pathIndices.map((b, i) => (i === 0 ? 2 : b)) };
    expect(() => authorizationInput({ ...base, proof: badBit, root: tree.root })).toThrow(/0 or 1/);
    expect(() =>
      instantiationInput({ secret: 4n, alpha: 5n, ownerPk: 6n, authSalt: 13n, proof: tree.proof(1), root: tree.root, sender, chainId: 1, registry }),
    ).toThrow(/not made out to this identity/);
  });
});

describe('identity file', () => {
  const wallet = `0x${'11'.repeat(32)}` as const;

  it('round-trips in clear and sealed, and says when the passphrase is missing or wrong', async () => {
    const identity = createIdentity();
    const plain = parseIdentityFile(JSON.parse(JSON.stringify(await createIdentityFile(identity, wallet))));
    expect(isSealed(plain)).toBe(false);
    expect((await unlockIdentityFile(plain)).identity.secret).toBe(identity.secret);
    const sealed = parseIdentityFile(JSON.parse(JSON.stringify(await createIdentityFile(identity, wallet, 'a long passphrase'))));
    expect(isSealed(sealed)).toBe(true);
    expect(JSON.stringify(sealed)).not.toContain(identity.secret.toString(16));
    await expect(unlockIdentityFile(sealed)).rejects.toThrow(/encrypted/);
    await expect(unlockIdentityFile(sealed, 'not the passphrase')).rejects.toThrow(WrongPassphraseError);
    const unlocked = await unlockIdentityFile(sealed, 'a long passphrase');
    expect(unlocked.identity.publicKey).toBe(identity.publicKey);
    expect(unlocked.walletPrivateKey).toBe(wallet);
  });

  it('refuses other files and inconsistent ones', async () => {
    expect(() => parseIdentityFile({ hello: 1 })).toThrow(ZkInputError);
    const file = await createIdentityFile(createIdentity(), wallet);
    await expect(unlockIdentityFile({ ...file, pk: `0x${'00'.repeat(31)}01` })).rejects.toThrow(/inconsistent/);
  });

  it('names the damaged field of a malformed file, sealed secrets included', async () => {
    const file = JSON.parse(JSON.stringify(await createIdentityFile(createIdentity(), wallet))) as Record<string, unknown>;
    const secrets = file['secrets'] as Record<string, unknown>;
    expect(() => parseIdentityFile(null)).toThrow('This is not a twingrain identity file');
    expect(() => parseIdentityFile({ ...file, version: 2 })).toThrow('This is not a twingrain identity file');
    expect(() => parseIdentityFile({ ...file, pk: 'me' })).toThrow("The identity file's public key is damaged.");
    expect(() => parseIdentityFile({ ...file, address: 12 })).toThrow("The identity file's wallet address is damaged.");
    expect(() => parseIdentityFile({ ...file, secrets: 5 })).toThrow("The identity file's secrets is damaged.");
    expect(() => parseIdentityFile({ ...file, secrets: { ...secrets, secret: undefined } })).toThrow("The identity file's secret is damaged.");
    expect(() => parseIdentityFile({ ...file, secrets: undefined })).toThrow('The identity file holds no secrets.');
    const sealedWrong = await sealWithPassphrase(new TextEncoder().encode(JSON.stringify({ secret: 5 })), 'a long passphrase', 100_000);
    const sealedFile = parseIdentityFile({ ...file, secrets: undefined, sealed: sealedWrong });
    await expect(unlockIdentityFile(sealedFile, 'a long passphrase')).rejects.toThrow("The identity file's sealed secrets are damaged.");
  });
});
