import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import {
  GranuleError,
  ManifestInvalidError,
  ManifestMismatchError,
  PathInvalidError,
  AlphaMismatchError,
  ArchiveTruncatedError,
  SourceInvalidError,
  ArchiveMalformedError,
} from './errors';
import { packGranule, unpackGranule } from './pack';
import { encodeArchive, decodeArchive } from './archive';
import { manifestIssues, satisfies } from './manifest';
import { canonicalJson } from './canonical-json';
import { sampleFiles, sampleManifest } from './test-fixture';
import schema from './granule.schema.json';

const enc = new TextEncoder();

describe('packGranule', () => {
  it('round-trips and reports α, sha256 and size', () => {
    const packed = packGranule({ files: sampleFiles() });
    expect(packed.alphaHex).toMatch(/^0x[0-9a-f]{64}$/);
    expect(packed.size).toBe(packed.bytes.length);
    const out = unpackGranule({ bytes: packed.bytes, expectedAlpha: packed.alphaHex });
    expect(out.manifest.name).toBe('test/echo');
    expect([...out.files.keys()].sort()).toEqual(['controller.js', 'model.js', 'view.js']);
    expect(out.manifest.files?.map((f) => f.path)).toEqual(['controller.js', 'model.js', 'view.js']);
    expect(out.alpha).toBe(packed.alpha);
  });

  it('is deterministic: file order, manifest whitespace and key order do not change α', () => {
    const files = sampleFiles();
    const a = packGranule({ files });
    const reversed = Object.fromEntries(Object.entries(files).reverse());
    const m = sampleManifest();
    reversed['granule.json'] = JSON.stringify(Object.fromEntries(Object.entries(m).reverse()));
    const b = packGranule({ files: reversed });
    expect(b.alphaHex).toBe(a.alphaHex);
    expect(Buffer.from(b.bytes).equals(Buffer.from(a.bytes))).toBe(true);
  });

  it('changes α when any content changes', () => {
    const a = packGranule({ files: sampleFiles() });
    const files = sampleFiles();
    files['view.js'] += ' ';
    expect(packGranule({ files }).alphaHex).not.toBe(a.alphaHex);
  });

  it('refuses a folder without manifest, with missing MVC files or unsafe paths', () => {
    const noManifest = sampleFiles();
    delete (noManifest as Record<string, string>)['granule.json'];
    expect(() => packGranule({ files: noManifest })).toThrow(SourceInvalidError);
    const missing = sampleFiles();
    delete (missing as Record<string, string>)['view.js'];
    expect(() => packGranule({ files: missing })).toThrow(/view\.js/);
    expect(() => packGranule({ files: { ...sampleFiles(), '../evil.js': 'x' } })).toThrow(PathInvalidError);
    expect(() => packGranule({ files: { ...sampleFiles(), '/etc/passwd': 'x' } })).toThrow(PathInvalidError);
    expect(() => packGranule({ files: sampleFiles({ mvc: { models: [], views: ['view.js'], controllers: ['controller.js'] } }) })).toThrow(/Definition 4/);
  });
});

describe('unpackGranule refuses bad archives with typed errors', () => {
  const good = packGranule({ files: sampleFiles() });

  it('truncated', () => {
    for (const n of [0, 5, 13, 20, good.bytes.length - 1, good.bytes.length - 33]) {
      expect(() => unpackGranule({ bytes: good.bytes.subarray(0, n) })).toThrow(GranuleError);
    }
    expect(() => unpackGranule({ bytes: good.bytes.subarray(0, 40) })).toThrow(ArchiveTruncatedError);
  });

  it('α mismatch', () => {
    const other = packGranule({ files: { ...sampleFiles(), 'extra.txt': 'x' } });
    expect(() => unpackGranule({ bytes: good.bytes, expectedAlpha: other.alphaHex })).toThrow(AlphaMismatchError);
    expect(() => unpackGranule({ bytes: good.bytes, expectedAlpha: 'nonsense' })).toThrow(AlphaMismatchError);
  });

  it('a manifest that does not match its files (archive rebuilt with a well-formed layout)', () => {
    const entries = decodeArchive(good.bytes).map((e) => ({ path: e.path, data: e.path === 'view.js' ? enc.encode('exports.render = () => null;') : e.data }));
    expect(() => unpackGranule({ bytes: encodeArchive(entries) })).toThrow(ManifestMismatchError);
    const extra = [...decodeArchive(good.bytes), { path: 'smuggled.js', data: enc.encode('1') }];
    expect(() => unpackGranule({ bytes: encodeArchive(extra) })).toThrow(/not listed/);
    const dropped = decodeArchive(good.bytes).filter((e) => e.path !== 'model.js');
    expect(() => unpackGranule({ bytes: encodeArchive(dropped) })).toThrow(/missing/);
  });

  it('a path escaping the archive, written by hand past the encoder', () => {
    const bytes = encodeArchive([{ path: 'aa/../x', data: new Uint8Array() }].map((e) => ({ ...e, path: 'aa/aa/x' })));
    const text = Buffer.from(bytes);
    const at = text.indexOf('aa/aa/x');
    text.write('aa/../x', at, 'latin1');
    expect(() => decodeArchive(new Uint8Array(text))).toThrow(PathInvalidError);
  });

  it('no manifest, or a manifest that is not JSON', () => {
    expect(() => unpackGranule({ bytes: encodeArchive([{ path: 'a.js', data: enc.encode('1') }]) })).toThrow(ManifestInvalidError);
    expect(() => unpackGranule({ bytes: encodeArchive([{ path: 'granule.json', data: enc.encode('{nope') }]) })).toThrow(/not valid JSON/);
    expect(() => unpackGranule({ bytes: enc.encode('PK\u0003\u0004 definitely a zip file') })).toThrow(ArchiveMalformedError);
  });

  it('fuzz: random corruptions never crash and never validate', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
          fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
          fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
          fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), data: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
        ),
        (c) => {
          const b = good.bytes;
          let bad: Uint8Array;
          const at = c.at % b.length;
          if (c.kind === 'flip') {
            bad = Uint8Array.from(b);
            bad[at] = bad[at]! ^ (1 << c.bit);
          } else if (c.kind === 'truncate') bad = b.slice(0, at);
          else if (c.kind === 'insert') bad = new Uint8Array([...b.subarray(0, at), ...c.data, ...b.subarray(at)]);
          else {
            bad = Uint8Array.from(b);
            bad.set(c.data.subarray(0, b.length - at), at);
            if (Buffer.from(bad).equals(Buffer.from(b))) return;
          }
          expect(() => unpackGranule({ bytes: bad })).toThrow(GranuleError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('fuzz: a manifest corrupted and re-wrapped in a well-formed archive never crashes, and never passes against its α', () => {
    const entries = decodeArchive(good.bytes);
    const manifestText = new TextDecoder().decode(entries.find((e) => e.path === 'granule.json')!.data);
    fc.assert(
      fc.property(fc.nat(), fc.string({ minLength: 1, maxLength: 4 }), fc.nat({ max: 4 }), (at, insert, remove) => {
        const i = at % manifestText.length;
        const text = manifestText.slice(0, i) + insert + manifestText.slice(i + remove);
        if (text === manifestText) return;
        const bytes = encodeArchive(entries.map((e) => (e.path === 'granule.json' ? { path: e.path, data: enc.encode(text) } : e)));
        try {
          unpackGranule({ bytes });
        } catch (e) {
          expect(e).toBeInstanceOf(GranuleError);
        }
        expect(() => unpackGranule({ bytes, expectedAlpha: good.alpha })).toThrow(GranuleError);
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: random bytes never crash the decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (tail, withMagic) => {
        const bytes = withMagic ? new Uint8Array([...enc.encode('TWGRANUL'), 1, 0, ...tail]) : tail;
        expect(() => unpackGranule({ bytes })).toThrow(GranuleError);
      }),
      { numRuns: 500 },
    );
  });

  it('fuzz: manifests mutated at random never crash the validator, and invalid ones never pack', () => {
    const base = sampleManifest();
    const keys = Object.keys(base);
    fc.assert(
      fc.property(fc.constantFrom(...keys), fc.anything(), (key, value) => {
        const m = { ...base, [key]: value };
        const issues = manifestIssues(m);
        expect(Array.isArray(issues)).toBe(true);
        const files: Record<string, string> = { ...sampleFiles() };
        let json: string;
        try {
          json = JSON.stringify(m);
        } catch {
          return;
        }
        if (json === undefined) return;
        files['granule.json'] = json;
        const roundTripped = manifestIssues(JSON.parse(json));
        if (roundTripped.length > 0) expect(() => packGranule({ files })).toThrow(GranuleError);
      }),
      { numRuns: 500 },
    );
  });
});

describe('manifest helpers', () => {
  it('the published JSON Schema names the same required fields and phases as the validator', () => {
    const required = new Set(schema.required);
    for (const key of Object.keys(sampleManifest())) expect(required.has(key)).toBe(true);
    expect(schema.properties.phase.enum).toEqual(['physical', 'virtualization', 'digitalization', 'servitization']);
    for (const key of schema.required) {
      const m = sampleManifest();
      delete m[key];
      expect(manifestIssues(m).length).toBeGreaterThan(0);
    }
  });

  it('the schema served at /schemas/granule.schema.json is the published one', () => {
    const served = readFileSync(new URL('../../../public/schemas/granule.schema.json', import.meta.url), 'utf8');
    expect(JSON.parse(served)).toEqual(schema);
  });

  it('canonical JSON sorts keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: 3 } })).toBe('{"a":{"c":3,"d":[2,{"y":0,"z":1}]},"b":1}');
  });

  it('semver ranges', () => {
    expect(satisfies('1.2.3', '^1.0.0')).toBe(true);
    expect(satisfies('2.0.0', '^1.0.0')).toBe(false);
    expect(satisfies('1.2.9', '~1.2.0')).toBe(true);
    expect(satisfies('1.3.0', '~1.2.0')).toBe(false);
    expect(satisfies('0.0.1', '*')).toBe(true);
    expect(satisfies('1.0.0', '>=1.0.0')).toBe(true);
    expect(satisfies('1.0.0', '1.0.1')).toBe(false);
    expect(satisfies('0.2.5', '^0.2.0')).toBe(true);
    expect(satisfies('0.3.0', '^0.2.0')).toBe(false);
    expect(satisfies('1.0.0', '<1.0.1')).toBe(true);
  });

  // The hand-written comparison ignored the pre-release tag, so 1.0.0-beta passed for ^1.0.0 (it comes before 1.0.0).
  it('a pre-release does not satisfy a range of releases', () => {
    expect(satisfies('1.0.0-beta', '^1.0.0')).toBe(false);
    expect(satisfies('1.2.0-rc.1', '>=1.0.0')).toBe(false);
    expect(satisfies('1.0.0-beta.2', '^1.0.0-beta.1')).toBe(true);
    expect(satisfies('1.0.0', '^1.0.0-beta')).toBe(true);
  });
});
