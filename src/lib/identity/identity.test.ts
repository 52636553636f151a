import { describe, it, expect } from 'vitest';
import { buildPoseidon } from 'circomlibjs';
import {
  createIdentity,
  poseidonHash,
  BN254_FIELD_ORDER,
  sealIdentity,
  unsealIdentity,
  parseIdentityBackup,
  WrongPassphraseError,
  InvalidBackupError,
  WeakPassphraseError,
  parsePublicKey,
  formatPublicKey,
} from './index';
import { sealWithPassphrase } from './vault';

const FAST = 100_000; // the minimum the vault accepts; keeps tests quick

describe('identity', () => {
  it('makes Sk a field element and Pk = Poseidon(Sk) as circomlib computes it', async () => {
    const id = createIdentity();
    expect(id.secret > 0n && id.secret < BN254_FIELD_ORDER).toBe(true);
    const ref = await buildPoseidon();
    expect(id.publicKey).toBe(ref.F.toObject(ref([id.secret])) as bigint);
    expect(poseidonHash([1n, 2n, 3n])).toBe(ref.F.toObject(ref([1n, 2n, 3n])) as bigint);
    expect(id.x25519.publicKey).toHaveLength(32);
  });

  it('draws different secrets each time', () => {
    const seen = new Set(Array.from({ length: 20 }, () => createIdentity().secret));
    expect(seen.size).toBe(20);
  });

  it('round-trips through a passphrase-sealed backup', async () => {
    const id = createIdentity();
    const backup = parseIdentityBackup(JSON.stringify(await sealIdentity(id, 'correct horse battery', 'lab', FAST)));
    expect(backup.publicKey).toBe(formatPublicKey(id.publicKey));
    const back = await unsealIdentity(backup, 'correct horse battery');
    expect(back.secret).toBe(id.secret);
    expect(Array.from(back.x25519.secretKey)).toEqual(Array.from(id.x25519.secretKey));
  });

  it('refuses a wrong passphrase with WrongPassphraseError', async () => {
    const backup = await sealIdentity(createIdentity(), 'correct horse battery', 'lab', FAST);
    await expect(unsealIdentity(backup, 'wrong horse battery')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('refuses short passphrases and malformed backups', async () => {
    await expect(sealIdentity(createIdentity(), 'short')).rejects.toBeInstanceOf(WeakPassphraseError);
    expect(() => parseIdentityBackup('{nope')).toThrow(InvalidBackupError);
    expect(() => parseIdentityBackup({ format: 'other' })).toThrow(InvalidBackupError);
    const good = await sealIdentity(createIdentity(), 'correct horse battery', 'lab', FAST);
    const tampered = { ...good, vault: { ...good.vault, ciphertext: good.vault.ciphertext.slice(0, -4) + 'AAAA' } };
    await expect(unsealIdentity(parseIdentityBackup(tampered), 'correct horse battery')).rejects.toBeInstanceOf(WrongPassphraseError);
    const swapped = { ...good, publicKey: formatPublicKey(123n) };
    await expect(unsealIdentity(parseIdentityBackup(swapped), 'correct horse battery')).rejects.toThrow(/inconsistent/);
  });

  it('names what is wrong in a malformed backup, and refuses one whose sealed secrets are not an identity', async () => {
    const good = await sealIdentity(createIdentity(), 'correct horse battery', 'lab', FAST);
    const reason = (value: unknown): string => {
      try {
        parseIdentityBackup(value);
        return 'accepted';
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidBackupError);
        return /\(([^)]*)\)/.exec((e as Error).message)![1]!;
      }
    };
    expect(reason({ ...good, note: 'later field' })).toBe('accepted');
    expect(reason({ ...good, version: 2 })).toBe('unknown version 2');
    expect(reason({ ...good, publicKey: undefined })).toBe('bad public key');
    expect(reason({ ...good, x25519PublicKey: 'not a key' })).toBe('bad X25519 public key');
    expect(reason({ ...good, x25519PublicKey: undefined })).toBe('bad X25519 public key');
    expect(reason({ ...good, vault: { ...good.vault, ciphertext: 5 } })).toBe('missing ciphertext');
    expect(reason(null)).toBe('not a JSON object');
    expect(parseIdentityBackup({ ...good, label: 7 }).label).toBe('Imported identity');
    // The right passphrase opens a vault whose contents are not an identity's secrets: a sentence, not a TypeError.
    for (const inside of [{ secret: 5 }, { secret: good.publicKey }, 'secret']) {
      const vault = await sealWithPassphrase(new TextEncoder().encode(JSON.stringify(inside)), 'correct horse battery', FAST);
      await expect(unsealIdentity(parseIdentityBackup({ ...good, vault }), 'correct horse battery')).rejects.toThrow(
        'This is not a valid twingrain identity backup (damaged contents).',
      );
    }
  });

  it('parses public keys strictly', () => {
    expect(parsePublicKey(' 0x10 ')).toBe(16n);
    expect(() => parsePublicKey('12')).toThrow();
    expect(() => parsePublicKey('0x' + 'f'.repeat(64))).toThrow(/outside/);
  });
});
