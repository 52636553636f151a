// twin.json comes from a folder or archive a person picked: a malformed one is refused with the shape it must have.
import { describe, expect, it } from 'vitest';
import { parseTwinSource, TWIN_SCHEMA_ID } from './source';
import { TwinSourceError } from './errors';

const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const good = {
  schema: TWIN_SCHEMA_ID,
  id: 'p1',
  name: 'Printer',
  domains: [{ name: 'enabling', contexts: [{ name: 'mechanical', granule: 'p1/mechanical' }] }],
};

describe('parseTwinSource', () => {
  it('reads a twin file, fields of a later version included', () => {
    expect(parseTwinSource(bytes({ ...good, note: 'x' }), 'twin.json')).toEqual({ ...good, note: 'x' });
  });

  it('refuses malformed files with the shape they must have', () => {
    for (const bad of [null, [good], { ...good, description: 5 }, { ...good, domains: [{ name: 'd', contexts: [null] }] }, { ...good, schema: 'other' }]) {
      expect(() => parseTwinSource(bytes(bad), 'twin.json')).toThrow(TwinSourceError);
      expect(() => parseTwinSource(bytes(bad), 'twin.json')).toThrow(/^twin\.json must be \{"schema"/);
    }
    expect(() => parseTwinSource(new TextEncoder().encode('{'), 'twin.json')).toThrow(/twin\.json is not valid JSON/);
  });
});
