// Storage failures translated into what the user can do about them.
import { namedError } from '../errors/index';

class StoreError extends namedError('StoreError', Error) {}

export class StorageQuotaError extends namedError('StorageQuotaError', StoreError) {
  constructor() {
    super(
      'This device has no storage left for twingrain. Nothing was saved. Free space, remove unused granules, or allow more storage for this site, then try again.',
    );
  }
}

export class DatabaseBlockedError extends namedError('DatabaseBlockedError', StoreError) {
  constructor() {
    super(
      'twingrain is open in another tab with an older version and is blocking the upgrade of its local database. Close the other twingrain tabs, then reload.',
    );
  }
}

class DatabaseUnavailableError extends namedError('DatabaseUnavailableError', StoreError) {
  constructor(detail: string) {
    super(`twingrain's local database cannot be opened (${detail}). Private windows or disabled site data may prevent it; allow site data and reload.`);
  }
}

/** Maps a Dexie/IndexedDB error to a typed error with a user message; other errors pass through. */
export function translateStoreError(error: unknown): unknown {
  const e = error as { name?: string; inner?: { name?: string }; message?: string } | null;
  const names = [e?.name, e?.inner?.name];
  if (names.includes('QuotaExceededError')) return new StorageQuotaError();
  if (names.includes('DatabaseClosedError') && /blocked/i.test(e?.message ?? '')) return new DatabaseBlockedError();
  if (names.includes('VersionError') || names.includes('InvalidStateError')) return new DatabaseUnavailableError(e?.message ?? 'unknown error');
  return error;
}
