// The identities kept on this device: sealed backups at rest, one of them active, unlocked only in memory.
import type { Table } from 'dexie';
import type { IdentityBackup } from './backup';
import { sealIdentity, unsealIdentity, parseIdentityBackup } from './backup';
import { createIdentity, type Identity } from './identity';
import { IdentityError } from './errors';

export interface StoredIdentity extends IdentityBackup {
  active: 0 | 1;
}

export class Keyring {
  constructor(
    private readonly table: Table<StoredIdentity, string>,
    private readonly iterations?: number,
  ) {}

  list(): Promise<StoredIdentity[]> {
    return this.table.orderBy('createdAt').toArray();
  }

  async active(): Promise<StoredIdentity | undefined> {
    return (await this.table.where('active').equals(1).first()) ?? (await this.table.orderBy('createdAt').first());
  }

  async setActive(publicKey: string): Promise<void> {
    await this.table.db.transaction('rw', this.table, async () => {
      if (!(await this.table.get(publicKey))) throw new IdentityError('That identity is not on this device.');
      await this.table.toCollection().modify((row) => {
        row.active = row.publicKey === publicKey ? 1 : 0;
      });
    });
  }

  /** Makes a new identity, stores it sealed under the passphrase, makes it active, and returns it unlocked. */
  async create(passphrase: string, label: string): Promise<{ identity: Identity; stored: StoredIdentity }> {
    const identity = createIdentity();
    const backup = await sealIdentity(identity, passphrase, label, this.iterations);
    const stored: StoredIdentity = { ...backup, active: 1 };
    await this.table.db.transaction('rw', this.table, async () => {
      await this.table.toCollection().modify({ active: 0 });
      await this.table.add(stored);
    });
    return { identity, stored };
  }

  async unlock(publicKey: string, passphrase: string): Promise<Identity> {
    const stored = await this.table.get(publicKey);
    if (!stored) throw new IdentityError('That identity is not on this device.');
    return unsealIdentity(parseIdentityBackup(stored), passphrase);
  }

  async export(publicKey: string): Promise<string> {
    const stored = await this.table.get(publicKey);
    if (!stored) throw new IdentityError('That identity is not on this device.');
    const { active: _active, ...backup } = stored;
    return JSON.stringify(backup, null, 2);
  }

  /**
   * Imports a backup file. The passphrase is checked first, so a wrong one imports nothing; an identity that is
   * already here is left as it is (its label and active flag are kept).
   */
  async import(text: string, passphrase: string): Promise<{ identity: Identity; stored: StoredIdentity; alreadyPresent: boolean }> {
    const backup = parseIdentityBackup(text);
    const identity = await unsealIdentity(backup, passphrase);
    const existing = await this.table.get(backup.publicKey);
    if (existing) return { identity, stored: existing, alreadyPresent: true };
    const stored: StoredIdentity = { ...backup, active: 0 };
    await this.table.add(stored);
    return { identity, stored, alreadyPresent: false };
  }

  async remove(publicKey: string): Promise<void> {
    await this.table.delete(publicKey);
  }
}
