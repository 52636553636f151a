// A vault file is untrusted JSON: each malformed part is named, and nothing is imported.
import { describe, expect, it } from 'vitest';
import { InvalidBackupError } from './errors';
import { parseSealedVault } from './vault';

const good = {
  version: 1,
  kdf: { name: 'PBKDF2', hash: 'SHA-256', iterations: 600_000, salt: 'AAAA' },
  cipher: { name: 'AES-GCM', iv: 'BBBB' },
  ciphertext: 'CCCC',
};
const reason = (value: unknown): string => {
  try {
    parseSealedVault(value);
    return 'accepted';
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidBackupError);
    return /\(([^)]*)\)/.exec((e as Error).message)![1]!;
  }
};

describe('sealed vault files', () => {
  it('accepts a well-formed vault (extra fields of a later version included)', () => {
    expect(parseSealedVault({ ...good, note: 'x' })).toEqual({ ...good, note: 'x' });
  });

  it('names what is wrong', () => {
    expect(reason(null)).toBe('not a JSON object');
    expect(reason('vault')).toBe('not a JSON object');
    expect(reason({ ...good, version: 2 })).toBe('unknown vault version 2');
    expect(reason({ ...good, version: undefined })).toBe('unknown vault version undefined');
    expect(reason({ ...good, kdf: { ...good.kdf, iterations: 1000 } })).toBe('unsupported key derivation');
    expect(reason({ ...good, kdf: { ...good.kdf, hash: 'MD5' } })).toBe('unsupported key derivation');
    expect(reason({ ...good, kdf: undefined })).toBe('unsupported key derivation');
    expect(reason({ ...good, cipher: { name: 'AES-CBC', iv: 'x' } })).toBe('unsupported cipher');
    expect(reason({ ...good, cipher: { name: 'AES-GCM' } })).toBe('unsupported cipher');
    expect(reason({ ...good, ciphertext: 5 })).toBe('missing ciphertext');
    expect(reason({ ...good, kdf: { ...good.kdf, salt: undefined } })).toBe('missing ciphertext');
  });
});
