import { describe, it, expect } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openDb } from '../store';
import { Keyring, WrongPassphraseError, formatPublicKey, InvalidBackupError } from './index';

async function keyring() {
  const db = await openDb({ indexedDB: new IDBFactory(), IDBKeyRange, name: 'k' });
  return { db, keyring: new Keyring(db.identities, 100_000) };
}

describe('keyring', () => {
  it('creates, persists and unlocks an identity across database reopenings', async () => {
    const indexedDB = new IDBFactory();
    const db = await openDb({ indexedDB, IDBKeyRange, name: 'k' });
    const { identity, stored } = await new Keyring(db.identities, 100_000).create('a good passphrase', 'workshop');
    db.close();
    const reopened = await openDb({ indexedDB, IDBKeyRange, name: 'k' });
    const ring = new Keyring(reopened.identities, 100_000);
    expect((await ring.active())?.publicKey).toBe(stored.publicKey);
    const unlocked = await ring.unlock(stored.publicKey, 'a good passphrase');
    expect(unlocked.secret).toBe(identity.secret);
  });

  it('refuses a wrong passphrase and keeps the identity intact', async () => {
    const { keyring: ring } = await keyring();
    const { stored } = await ring.create('a good passphrase', 'workshop');
    await expect(ring.unlock(stored.publicKey, 'not the passphrase')).rejects.toBeInstanceOf(WrongPassphraseError);
    expect(await ring.list()).toHaveLength(1);
    expect((await ring.unlock(stored.publicKey, 'a good passphrase')).publicKey).toBe(BigInt(stored.publicKey));
  });

  it('exports a backup that imports elsewhere; a wrong passphrase or a damaged file imports nothing', async () => {
    const a = await keyring();
    const { identity, stored } = await a.keyring.create('a good passphrase', 'workshop');
    const file = await a.keyring.export(stored.publicKey);
    const b = await keyring();
    await expect(b.keyring.import(file, 'wrong passphrase!')).rejects.toBeInstanceOf(WrongPassphraseError);
    await expect(b.keyring.import(file.slice(0, 40), 'a good passphrase')).rejects.toBeInstanceOf(InvalidBackupError);
    expect(await b.keyring.list()).toHaveLength(0);
    const imported = await b.keyring.import(file, 'a good passphrase');
    expect(imported.alreadyPresent).toBe(false);
    expect(formatPublicKey(imported.identity.publicKey)).toBe(stored.publicKey);
    expect(imported.identity.secret).toBe(identity.secret);
    expect((await b.keyring.import(file, 'a good passphrase')).alreadyPresent).toBe(true);
  });

  it('switches the active identity', async () => {
    const { keyring: ring } = await keyring();
    const first = await ring.create('a good passphrase', 'one');
    const second = await ring.create('a good passphrase', 'two');
    expect((await ring.active())?.publicKey).toBe(second.stored.publicKey);
    await ring.setActive(first.stored.publicKey);
    expect((await ring.active())?.publicKey).toBe(first.stored.publicKey);
  });
});
