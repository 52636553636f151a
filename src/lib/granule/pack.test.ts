import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
import { granuleJsonSchema } from './json-schema';

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
  it('the committed JSON Schema is the one generated from the valibot schema (npx tsx scripts/gen-granule-schema.ts)', () => {
    expect(schema).toEqual(granuleJsonSchema());
    expect(schema.properties.phase.enum).toEqual(['physical', 'virtualization', 'digitalization', 'servitization']);
    for (const key of schema.required) {
      const m = sampleManifest();
      delete m[key];
      expect(manifestIssues(m)).toContain(`${key} is missing`);
    }
  });

  it("the shipped twins' manifests (old granules) stay valid", () => {
    const root = new URL('../../../static-twins/', import.meta.url);
    let seen = 0;
    for (const twin of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const context of readdirSync(new URL(`${twin.name}/`, root))) {
        const file = new URL(`${twin.name}/${context}/granule.json`, root);
        if (!existsSync(file)) continue;
        expect(manifestIssues(JSON.parse(readFileSync(file, 'utf8'))), `${twin.name}/${context}`).toEqual([]);
        seen++;
      }
    }
    expect(seen).toBeGreaterThan(5);
  });

  it('malformed manifests: every problem is named with its JSON path', () => {
    const issuesOf = (patch: Record<string, unknown>) => manifestIssues({ ...sampleManifest(), ...patch });
    expect(manifestIssues(null)).toEqual(['the manifest must be a JSON object']);
    expect(manifestIssues([])).toEqual(['the manifest must be a JSON object']);
    expect(issuesOf({ extra: 1 })).toEqual(['unknown field "extra"']);
    expect(issuesOf({ schema: 'twingrain/granule@2' })).toEqual(['schema must be "twingrain/granule@1"']);
    expect(issuesOf({ name: 'Bad Name' })[0]).toMatch(/^name "Bad Name" is not a lowercase granule name/);
    expect(issuesOf({ version: 'v1' })[0]).toMatch(/^version "v1" is not a semantic version/);
    expect(issuesOf({ phase: 'later' })).toEqual(['phase must be one of physical, virtualization, digitalization, servitization']);
    expect(issuesOf({ owner: 'me' })).toEqual(['owner must be an object { publicKey, name? }']);
    expect(issuesOf({ owner: { publicKey: '', x: 1 } })).toEqual(['unknown field "owner.x"']);
    expect(issuesOf({ printers: [1] })).toEqual(['printers[0] must be a string']);
    expect(issuesOf({ description: 'x'.repeat(5000) })).toEqual(['description is longer than 4096 characters']);
    expect(issuesOf({ mvc: { models: [], views: ['view.js'], controllers: ['controller.js'] } })[0]).toMatch(/^mvc\.models must list at least one file/);
    expect(issuesOf({ mvc: { models: ['../x.js'], views: ['view.js'], controllers: ['controller.js'] } })).toEqual([
      'mvc.models[0] "../x.js" is not a safe file path inside the granule',
    ]);
    expect(issuesOf({ mvc: { models: ['granule.json'], views: ['view.js'], controllers: ['controller.js'] } })[0]).toMatch(
      /granule.json itself is not an MVC element/,
    );
    for (const bad of ['/abs.js', 'a\\b.js', 'C:x.js', 'a//b.js', 'a/', './a.js', 'a/./b.js', 'a\u0001.js', ''])
      expect(
        issuesOf({ entry: bad }).some((i) => i.startsWith('entry ')),
        JSON.stringify(bad),
      ).toBe(true);
    expect(issuesOf({ entry: 'model.js' })).toEqual(['entry must be one of mvc.controllers']);
    expect(issuesOf({ mvc: { models: ['a.js'], views: ['a.js'], controllers: ['controller.js'] } })).toEqual(['mvc lists one file as two MVC elements']);
    expect(issuesOf({ provides: { operations: ['get', 'get'], events: [] } })).toEqual(['provides.operations has duplicates']);
    expect(issuesOf({ consumes: { events: ['reading'] } })[0]).toMatch(/^consumes\.events\[0\] "reading" is not an event topic/);
    expect(issuesOf({ dependencies: { granules: [{ name: 'x', version: 'latest' }], libraries: [] } })[0]).toMatch(
      /^dependencies\.granules\[0\]\.version "latest" is not a version range/,
    );
    expect(issuesOf({ dependencies: { granules: [{ name: 'x', version: '*', alpha: '0x12' }], libraries: [] } })[0]).toMatch(/alpha "0x12" is not an α/);
    expect(issuesOf({ environment: [] })).toEqual(['environment must be a JSON object']);
    expect(issuesOf({ files: [{ path: 'a.js', size: -1, sha256: 'x' }] })).toEqual([
      'files[0].size must be a non-negative integer',
      'files[0].sha256 "x" is not 64 lowercase hex digits',
    ]);
    expect(manifestIssues(sampleManifest(), { requireFiles: true })).toEqual(['files is missing (a packed granule lists its files)']);
    // Several problems at once are all reported.
    expect(issuesOf({ name: 1, version: 2, extra: 3 })).toHaveLength(3);
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
