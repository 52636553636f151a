// Hostile and malformed AASX packages, attacked against the real import: each is refused with a typed error and a
// plain message, before anything is unpacked or written. Each test targets one protection and fails without it.
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'fflate';
import {
  importAasx,
  GranuleMismatchError,
  NotAnAasxError,
  NotATwinError,
  EnvironmentInvalidError,
  PackageMalformedError,
  PackageTooLargeError,
  UnsafePathError,
  ZipBombError,
} from './index';
import { writeTwinFolder } from './folder.node.ts';
import { bytes, centralRecords, editEnvironment, entriesOf, patchCentral, referenceTwin, rezip, text } from './test-helpers';

const exported = async () => (await referenceTwin('shdm-3ddtp-500')).exported.bytes;

/** A valid package plus one more entry. */
async function withEntry(name: string, data: Uint8Array, level: 0 | 6 = 6): Promise<Uint8Array> {
  const entries = [...entriesOf(await exported())];
  entries.push([name, data]);
  return rezip(entries, level);
}

function refuses<E extends Error>(pkg: Uint8Array, type: new (...a: any[]) => E, message: RegExp): E {
  let caught: unknown;
  try {
    importAasx({ bytes: pkg });
  } catch (e) {
    caught = e;
  }
  expect(caught, 'the package was accepted').toBeInstanceOf(type);
  expect((caught as Error).message).toMatch(message);
  expect((caught as Error).message).not.toMatch(/undefined|\[object/);
  return caught as E;
}

describe('zip bombs', () => {
  it('refuses an entry that would grow more than 100 times (20 MiB of zeros in ~20 KiB)', async () => {
    const e = refuses(await withEntry('aasx/bomb.bin', new Uint8Array(20 * 1024 * 1024)), ZipBombError, /grow \d+ times/);
    expect(e.code).toBe('ZIP_BOMB');
  });

  it('refuses an entry whose declared size is above the per-file limit, before inflating it', async () => {
    const pkg = await withEntry('aasx/big.bin', new Uint8Array(1000));
    const last = centralRecords(pkg).at(-1)!;
    // 300 MiB declared, compressed size raised too so the ratio alone would not catch it.
    refuses(
      patchCentral(pkg, last, { size: 300 * 1024 * 1024, compressedSize: 10 * 1024 * 1024 }),
      ZipBombError,
      /would unpack to 300 MiB, more than the 64 MiB allowed for one file/,
    );
  });

  it('refuses a package whose entries together would unpack to more than the total limit', async () => {
    const entries = [...entriesOf(await exported())];
    for (let i = 0; i < 5; i++) entries.push([`aasx/part${i}.bin`, new Uint8Array(100)]);
    let pkg = rezip(entries);
    for (const r of centralRecords(pkg).slice(-5)) pkg = patchCentral(pkg, r, { size: 60 * 1024 * 1024, compressedSize: 1024 * 1024 });
    refuses(pkg, ZipBombError, /unpacked total to more than the 256 MiB allowed/);
  });

  it('refuses an entry that unpacks to more than it declares (a lying header), holding no more than declared', async () => {
    // 8 MiB of zeros whose headers claim 100 bytes: the ratio check sees 100 bytes; only the bounded inflate sees the lie.
    const pkg = await withEntry('aasx/liar.bin', new Uint8Array(8 * 1024 * 1024));
    const last = centralRecords(pkg).at(-1)!;
    refuses(patchCentral(pkg, last, { size: 100 }), ZipBombError, /unpacks to more than the 100 bytes it declares/);
  });

  it('refuses more entries than allowed', async () => {
    const entries = [...entriesOf(await exported())];
    for (let i = 0; i < 4200; i++) entries.push([`aasx/many/${i}`, new Uint8Array(0)]);
    refuses(rezip(entries, 0), PackageTooLargeError, /holds \d+ files, more than the 4096 allowed/);
  });
});

describe('path traversal', () => {
  for (const [name, reason] of [
    ['../evil.js', /climbs out/],
    ['aasx/../../evil.js', /climbs out/],
    ['/etc/evil.js', /absolute path/],
    ['aasx\\..\\..\\evil.js', /backslash/],
    ['C:/evil.js', /drive letter/],
  ] as const) {
    it(`refuses a zip entry named ${JSON.stringify(name)}`, async () => {
      const e = refuses(await withEntry(name, bytes('console.log(1)')), UnsafePathError, reason);
      expect(e.code).toBe('UNSAFE_PATH');
    });
  }

  it('refuses a File element that climbs out of the package', async () => {
    const pkg = editEnvironment(await exported(), (env) => {
      env.submodels[0].submodelElements.find((e: any) => e.idShort === 'Models').value[0].value = '/aasx/granules/appearance/../../../../etc/passwd';
    });
    refuses(pkg, UnsafePathError, /climbs out of the package/);
  });

  it('refuses a File element that reaches into another granule', async () => {
    const pkg = editEnvironment(await exported(), (env) => {
      env.submodels[0].submodelElements.find((e: any) => e.idShort === 'Models').value[0].value = '/aasx/granules/mechanical/model.js';
    });
    refuses(pkg, UnsafePathError, /outside the appearance granule's folder/);
  });

  it('refuses a File element that points outside the package (a URL)', async () => {
    const pkg = editEnvironment(await exported(), (env) => {
      env.submodels[0].submodelElements.find((e: any) => e.idShort === 'Views').value[0].value = 'file:///etc/passwd';
    });
    refuses(pkg, UnsafePathError, /outside the package/);
  });

  it('refuses a context name that would become a folder outside the twin', async () => {
    const pkg = editEnvironment(await exported(), (env) => {
      env.submodels[0].submodelElements.find((e: any) => e.idShort === 'Context').value = '../../outside';
    });
    refuses(pkg, NotATwinError, /not a lowercase name/);
  });

  it('never writes outside the chosen folder, and never into a folder that is not empty', async () => {
    const base = mkdtempSync(join(tmpdir(), 'twingrain-aas-write-'));
    await expect(writeTwinFolder(join(base, 'twin'), new Map([['../escaped.js', bytes('x')]]))).rejects.toBeInstanceOf(UnsafePathError);
    expect(existsSync(join(base, 'escaped.js'))).toBe(false);
    const imported = importAasx({ bytes: await exported() });
    await writeTwinFolder(join(base, 'twin'), imported.files);
    await expect(writeTwinFolder(join(base, 'twin'), imported.files)).rejects.toThrow(/already exists and is not empty/);
    expect(readdirSync(base)).toEqual(['twin']);
  });
});

describe('malformed packages', () => {
  it('refuses bytes that are not a zip, and a truncated package', async () => {
    refuses(bytes('not a zip at all, just text'.repeat(10)), PackageMalformedError, /no zip directory/);
    const pkg = await exported();
    refuses(pkg.subarray(0, pkg.length - 200), PackageMalformedError, /not a readable AASX package/);
  });

  it('refuses an entry whose content does not match its checksum', async () => {
    const pkg = await withEntry('aasx/data.bin', bytes('x'.repeat(64)), 0);
    // Flip one byte of the stored (uncompressed) data: the sizes still agree, only the CRC-32 tells.
    const copy = pkg.slice();
    const at = Buffer.from(copy).indexOf(Buffer.from('x'.repeat(64)));
    copy[at + 10] = 'y'.charCodeAt(0);
    refuses(copy, PackageMalformedError, /does not match its checksum/);
  });

  it('refuses two entries with the same name and an encrypted entry', async () => {
    const pkg = await exported();
    const entries = [...entriesOf(pkg)];
    // fflate keys by name, so the duplicate is made by renaming an entry to an existing name of the same length.
    const dup = rezip([...entries, ['aasx/granules/task/model.jz', bytes('x')]]);
    const renamed = Buffer.from(dup);
    const last = centralRecords(dup).at(-1)!;
    renamed.write('aasx/granules/task/model.js', last + 46, 'utf8');
    refuses(new Uint8Array(renamed), PackageMalformedError, /two files named/);
    refuses(patchCentral(pkg, centralRecords(pkg)[0]!, { flags: 1 }), PackageMalformedError, /encrypted/);
  });

  it('refuses a zip that is not an AASX', async () => {
    refuses(rezip([['hello.txt', bytes('hi')]]), NotAnAasxError, /\[Content_Types\]\.xml/);
    const entries = entriesOf(await exported());
    entries.delete('aasx/_rels/aasx-origin.rels');
    refuses(rezip(entries), NotAnAasxError, /names no aas-spec part/);
  });

  it('refuses an AASX whose AAS data is XML only, and one that holds no twin', async () => {
    const entries = entriesOf(await exported());
    const envName = [...entries.keys()].find((n) => n.endsWith('.aas.json'))!;
    const rels = 'aasx/_rels/aasx-origin.rels';
    entries.set(rels, bytes(text(entries.get(rels)).replace('.aas.json', '.aas.xml')));
    entries.set(envName.replace('.aas.json', '.aas.xml'), bytes('<environment/>'));
    refuses(rezip(entries), NotAnAasxError, /only as XML/);
    // Another vendor's package: valid AAS, relative relationship targets, no bounded contexts.
    const foreign = rezip([
      [
        '[Content_Types].xml',
        bytes(
          '<Types><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="json" ContentType="application/json"/></Types>',
        ),
      ],
      [
        '_rels/.rels',
        bytes('<Relationships><Relationship Type="http://admin-shell.io/aasx/relationships/aasx-origin" Target="aasx/aasx-origin" Id="r1"/></Relationships>'),
      ],
      ['aasx/aasx-origin', bytes('Intentionally empty.')],
      [
        'aasx/_rels/aasx-origin.rels',
        bytes('<Relationships><Relationship Type="http://admin-shell.io/aasx/relationships/aas-spec" Target="data.json" Id="r2"/></Relationships>'),
      ],
      [
        'aasx/data.json',
        bytes(
          JSON.stringify({
            assetAdministrationShells: [
              {
                id: 'urn:example:pump',
                idShort: 'Pump',
                modelType: 'AssetAdministrationShell',
                assetInformation: { assetKind: 'Instance', globalAssetId: 'urn:example:pump:1' },
              },
            ],
          }),
        ),
      ],
    ]);
    refuses(foreign, NotATwinError, /was not exported from a twin/);
  });

  it('refuses an environment that breaks the AAS metamodel, with the place and the rule', async () => {
    const pkg = editEnvironment(await exported(), (env) => {
      env.submodels[0].idShort = 'has-dashes';
    });
    refuses(pkg, EnvironmentInvalidError, /submodels\[0\]\.idShort: .*ID-short/);
    refuses(
      editEnvironment(await exported(), (env) => (env.submodels[0].modelType = 'Nonsense')),
      EnvironmentInvalidError,
      /not valid AAS V3\.0/,
    );
  });

  it('refuses a granule whose files were changed after export (α no longer matches)', async () => {
    const entries = entriesOf(await exported());
    const name = 'aasx/granules/automation/controller.js';
    entries.set(name, bytes(text(entries.get(name)) + '\n// changed'));
    const e = refuses(rezip(entries), GranuleMismatchError, /The automation granule in this package does not match the Granule ID its submodel records/);
    expect(e.code).toBe('GRANULE_MISMATCH');
    expect(e.expected).toMatch(/^0x[0-9a-f]{64}$/);
    expect(e.actual).toMatch(/^0x[0-9a-f]{64}$/);
    expect(e.actual).not.toBe(e.expected);
  });

  it('refuses a granule file the package names but does not carry', async () => {
    const entries = entriesOf(await exported());
    entries.delete('aasx/granules/sensing/view.js');
    refuses(rezip(entries), NotAnAasxError, /view\.js of the sensing context is not in the package/);
  });

  it('refuses an oversized relationship file, and a relationship file of unclosed tags with a plain error', async () => {
    const entries = entriesOf(await exported());
    entries.set('_rels/.rels', bytes('<Relationships>' + ' '.repeat(2 * 1024 * 1024) + '</Relationships>'));
    refuses(rezip(entries, 0), NotAnAasxError, /_rels\/\.rels is larger than 1 MiB/);
    // Unclosed tags and quotes under the cap: read as no relationships at all.
    entries.set('_rels/.rels', bytes('<Relationship Type="'.repeat(50_000)));
    refuses(rezip(entries), NotAnAasxError, /names no aasx-origin/);
    entries.set('_rels/.rels', bytes('<Relationship Id="a" Type="x'.repeat(30_000) + '>'));
    refuses(rezip(entries), NotAnAasxError, /names no aasx-origin/);
  });

  it('keeps a deflate stream that is garbage from crashing the import', async () => {
    const pkg = await withEntry('aasx/x.bin', deflateSync(new Uint8Array(5000).fill(7)));
    const last = centralRecords(pkg).at(-1)!;
    // Point the entry at the wrong bytes: a valid header, nonsense compressed data.
    const view = new DataView(pkg.buffer, pkg.byteOffset);
    const local = view.getUint32(last + 42, true);
    const copy = pkg.slice();
    copy.fill(0xff, local + 30 + view.getUint16(local + 26, true), local + 40 + view.getUint16(local + 26, true));
    refuses(copy, PackageMalformedError, /not a readable AASX package/);
  });
});
