import { describe, expect, it } from 'vitest';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { openDb } from '../store/index';
import { packGranule } from './pack';
import { keepGranule, listGranules, loadGranule } from './local';
import { sampleFiles } from './test-fixture';
import { AlphaMismatchError } from './errors';

describe('local granules', () => {
  it('keeps, lists and verifies granules in the app database', async () => {
    const db = await openDb({ indexedDB: new IDBFactory(), IDBKeyRange, name: 'granule-local-test' });
    const packed = packGranule({ files: sampleFiles() });
    const row = await keepGranule(db, packed.bytes, 'contributed');
    expect(row).toMatchObject({ alpha: packed.alphaHex, name: 'test/echo', context: 'echo', size: packed.size });
    await keepGranule(db, packed.bytes, 'contributed');
    expect((await listGranules(db)).map((r) => r.alpha)).toEqual([packed.alphaHex]);
    expect((await loadGranule(db, packed.alphaHex))?.manifest.name).toBe('test/echo');
    // A row whose bytes were altered is refused when read back.
    const other = packGranule({ files: { ...sampleFiles(), 'x.txt': 'x' } });
    await db.granules.put({ ...row, bytes: other.bytes } as never);
    await expect(loadGranule(db, packed.alphaHex)).rejects.toThrow(AlphaMismatchError);
    db.close();
  });
});
