// AAS interop on the three reference twins: the exported AASX verifies with aas-core3.0, has the OPC parts and
// relationships of the AASX format, and imports back to a twin that validates with the same granules (same α).
import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as aas from '@aas-core-works/aas-core3.0-typescript';
import { loadTwinDir } from '../twin/source.node.ts';
import { packTwin, validateTwin } from '../twin/index';
import { exportAasx, importAasx } from './index';
import { manifestCidOf } from '../sharing/index';
import { CID } from 'multiformats/cid';
import { writeTwinFolder } from './folder.node.ts';
import { readContentTypes, readRelationships } from './opc';
import { bytes, editEnvironment, entriesOf, referenceTwin, REFERENCE_TWINS, rezip, text } from './test-helpers';

const REL = 'http://admin-shell.io/aasx/relationships/';

describe('AASX export', () => {
  for (const id of REFERENCE_TWINS) {
    it(`${id}: passes aas-core3.0 verification and has the AASX package structure`, async () => {
      const { loaded, granules, exported } = await referenceTwin(id);
      const entries = entriesOf(exported.bytes);
      // OPC: content types, package relationships → aasx-origin → aas-spec → the environment.
      const types = readContentTypes(text(entries.get('[Content_Types].xml')));
      expect(types('/_rels/.rels')).toBe('application/vnd.openxmlformats-package.relationships+xml');
      const root = readRelationships(text(entries.get('_rels/.rels')));
      expect(root).toEqual([expect.objectContaining({ type: `${REL}aasx-origin`, target: '/aasx/aasx-origin' })]);
      expect(entries.has('aasx/aasx-origin')).toBe(true);
      expect(types('/aasx/aasx-origin')).toBe('text/plain');
      const spec = readRelationships(text(entries.get('aasx/_rels/aasx-origin.rels')));
      expect(spec).toHaveLength(1);
      expect(spec[0]!.type).toBe(`${REL}aas-spec`);
      const envName = spec[0]!.target.slice(1);
      expect(envName).toBe(`aasx/${id}/${id}.aas.json`);
      expect(types(spec[0]!.target)).toBe('application/json');

      // The environment deserialises and verifies with zero errors.
      const parsed = aas.jsonization.environmentFromJsonable(JSON.parse(text(entries.get(envName))));
      expect(parsed.error).toBeNull();
      const env = parsed.value!;
      expect([...aas.verification.verify(env)].map((e) => `${e.path}: ${e.message}`)).toEqual([]);
      expect(env.assetAdministrationShells).toHaveLength(1);
      const shell = env.assetAdministrationShells![0]!;
      expect(shell.assetInformation.assetKind).toBe(aas.types.AssetKind.Type);
      expect(shell.displayName![0]!.text).toBe(loaded.twin.name);

      // One submodel per bounded context, then the nameplate and technical data.
      const submodels = env.submodels!;
      expect(submodels.map((s) => s.idShort)).toEqual([
        ...loaded.twin.domains.flatMap((d) => d.contexts.map((c) => `Context_${c.name}`)),
        'Nameplate',
        'TechnicalData',
      ]);
      expect(shell.submodels!.map((r) => r.keys[0]!.value)).toEqual(submodels.map((s) => s.id));
      for (const g of granules) {
        const sm = submodels.find((s) => s.idShort === `Context_${g.context}`)!;
        const prop = (name: string) => (sm.submodelElements!.find((e) => e.idShort === name) as aas.types.Property).value;
        expect(prop('Alpha')).toBe(g.alpha);
        expect(prop('GranuleName')).toBe(g.manifest.name);
        expect(prop('ManifestCid')).toBe(CID.decode(manifestCidOf(g.manifest)).toString());
        const ref = sm.submodelElements!.find((e) => e.idShort === 'GranuleAlpha') as aas.types.ReferenceElement;
        expect(ref.value!.keys[0]!.value).toBe(`urn:twingrain:alpha:${g.alpha}`);
        const models = sm.submodelElements!.find((e) => e.idShort === 'Models') as aas.types.SubmodelElementList;
        expect(models.value!.map((f) => (f as aas.types.File).value)).toEqual(g.manifest.mvc.models.map((p) => `/aasx/granules/${g.context}/${p}`));
      }

      // Every File element points at a part that is in the package and named by an aas-suppl relationship.
      const suppl = readRelationships(text(entries.get(`aasx/${id}/_rels/${id}.aas.json.rels`)));
      expect(suppl.every((r) => r.type === `${REL}aas-suppl`)).toBe(true);
      const supplTargets = new Set(suppl.map((r) => r.target));
      const fileValues = [...env.descend()].filter((x): x is aas.types.File => aas.types.isFile(x)).map((f) => f.value!);
      expect(fileValues.length).toBeGreaterThan(27);
      for (const v of fileValues) {
        expect(supplTargets.has(v)).toBe(true);
        expect(entries.has(v.slice(1))).toBe(true);
      }
      // Each granule's files travel byte for byte.
      for (const g of granules) for (const [path, data] of g.files) expect(entries.get(`aasx/granules/${g.context}/${path}`)).toEqual(data);
    });
  }

  it('fills the Digital Nameplate and Technical Data from the twins (Table 2) with IDTA semantic ids', async () => {
    const expected = {
      'shdm-3ddtp-500': {
        manufacturer: 'SHDM',
        volume: ['500', '500', '600'],
        speed: ['60', '120'],
        layer: ['0.05', '0.4'],
        nozzle: ['0.4', '0.8'],
        features: [] as string[],
      },
      'jgaurora-z-603s': {
        manufacturer: 'JGAurora',
        volume: ['280', '180', '180'],
        speed: ['10', '300'],
        layer: ['0.1', '0.3'],
        nozzle: ['0.4', '0.4'],
        features: ['led', 'heated-bed', 'fan', 'print-speed'],
      },
      'bluemaker-bm10-450': {
        manufacturer: 'BlueMaker',
        volume: ['300', '350', '450'],
        speed: ['30', '400'],
        layer: ['0.02', '0.4'],
        nozzle: ['0.1', '1'],
        features: ['dual-nozzle', 'heated-bed', 'fan'],
      },
    };
    for (const id of REFERENCE_TWINS) {
      const { exported } = await referenceTwin(id);
      const env = aas.jsonization.environmentFromJsonable(exported.environment as aas.jsonization.JsonValue).mustValue();
      const nameplate = env.submodels!.find((s) => s.idShort === 'Nameplate')!;
      expect(nameplate.semanticId!.keys[0]!.value).toBe('https://admin-shell.io/idta/nameplate/3/0/Nameplate');
      const manufacturer = nameplate.submodelElements!.find((e) => e.idShort === 'ManufacturerName') as aas.types.MultiLanguageProperty;
      expect(manufacturer.semanticId!.keys[0]!.value).toBe('0112/2///61987#ABA565#009');
      expect(manufacturer.value![0]!.text).toBe(expected[id].manufacturer);
      const technical = env.submodels!.find((s) => s.idShort === 'TechnicalData')!;
      expect(technical.semanticId!.keys[0]!.value).toBe('0173-1#01-AHX837#002');
      const areas = technical.submodelElements!.find((e) => e.idShort === 'TechnicalPropertyAreas') as aas.types.SubmodelElementList;
      const area = areas.value![0] as aas.types.SubmodelElementCollection;
      const el = (name: string) => area.value!.find((e) => e.idShort === name)!;
      const volume = el('BuildVolume') as aas.types.SubmodelElementCollection;
      expect(volume.value!.map((p) => (p as aas.types.Property).value)).toEqual(expected[id].volume);
      const r = (name: string) => [(el(name) as aas.types.Range).min, (el(name) as aas.types.Range).max];
      expect(r('PrintSpeed')).toEqual(expected[id].speed);
      expect(r('LayerResolution')).toEqual(expected[id].layer);
      expect(r('NozzleDiameter')).toEqual(expected[id].nozzle);
      const features = area.value!.find((e) => e.idShort === 'AdditionalFeatures') as aas.types.SubmodelElementList | undefined;
      expect((features?.value ?? []).map((p) => (p as aas.types.Property).value).sort()).toEqual([...expected[id].features].sort());
      // The own semantic ids are explained by concept descriptions (with units where they are quantities).
      const cd = env.conceptDescriptions!.find((c) => c.id === 'urn:twingrain:aas:1:PrintSpeed')!;
      expect((cd.embeddedDataSpecifications![0]!.dataSpecificationContent as aas.types.DataSpecificationIec61360).unit).toBe('mm/s');
    }
  });

  it('is deterministic: one twin, one package', async () => {
    const a = await referenceTwin('shdm-3ddtp-500');
    const b = exportAasx({ twin: a.loaded.twin, granules: packTwin(a.loaded) });
    expect(Buffer.from(b.bytes).equals(Buffer.from(a.exported.bytes))).toBe(true);
  });
});

describe('AASX import', () => {
  for (const id of REFERENCE_TWINS) {
    it(`${id}: imports back to a twin folder that validates, with the same granules (same α) and nothing unmapped`, async () => {
      const { loaded, granules, exported } = await referenceTwin(id);
      const imported = importAasx({ bytes: exported.bytes });
      expect(imported.unmapped).toEqual([]);
      expect(imported.source.id).toBe(id);
      expect(imported.source.name).toBe(loaded.twin.name);
      expect(imported.granules.map((g) => [g.context, g.alpha])).toEqual(granules.map((g) => [g.context, g.alpha]));
      // On disk, as `twingrain twin validate` reads it.
      const dir = join(mkdtempSync(join(tmpdir(), 'twingrain-aas-')), id);
      await writeTwinFolder(dir, imported.files);
      const again = await loadTwinDir(dir);
      expect(validateTwin(again.twin)).toEqual([]);
      expect(again.twin.domains.map((d) => [d.name, d.contexts.map((c) => c.name)])).toEqual(
        loaded.twin.domains.map((d) => [d.name, d.contexts.map((c) => c.name)]),
      );
      expect(packTwin(again).map((g) => g.alpha)).toEqual(granules.map((g) => g.alpha));
      // And the folder exports to the very same package.
      expect(Buffer.from(exportAasx({ twin: again.twin, granules: packTwin(again) }).bytes).equals(Buffer.from(exported.bytes))).toBe(true);
    });
  }

  it('reports what a twin folder cannot hold instead of dropping it', async () => {
    const { exported } = await referenceTwin('shdm-3ddtp-500');
    let pkg = editEnvironment(exported.bytes, (env) => {
      const extra = {
        idShort: 'Documentation',
        id: 'urn:example:documentation',
        modelType: 'Submodel',
        submodelElements: [{ idShort: 'Manual', modelType: 'Property', valueType: 'xs:string', value: 'see vendor' }],
      };
      env.submodels.push(extra);
      env.assetAdministrationShells[0].submodels.push({ type: 'ModelReference', keys: [{ type: 'Submodel', value: extra.id }] });
      env.submodels.push({ idShort: 'Orphan', id: 'urn:example:orphan', modelType: 'Submodel' });
      // A nameplate edited in another tool: the twin keeps its granules' figures, and says so.
      const np = env.submodels.find((s: any) => s.idShort === 'Nameplate');
      np.submodelElements.find((e: any) => e.idShort === 'ManufacturerName').value[0].text = 'Someone Else';
      env.submodels
        .find((s: any) => s.idShort === 'Context_task')
        .submodelElements.push({ idShort: 'Note', modelType: 'Property', valueType: 'xs:string', value: 'hello' });
      env.conceptDescriptions.push({ id: '0173-1#02-AAO677#002', idShort: 'ManufacturerNameCD', modelType: 'ConceptDescription' });
    });
    const entries = entriesOf(pkg);
    entries.set('docProps/core.xml', bytes('<coreProperties/>'));
    pkg = rezip(entries);
    const imported = importAasx({ bytes: pkg });
    expect(imported.unmapped.map((u) => u.element).sort()).toEqual(
      [
        'concept description ManufacturerNameCD',
        'package file docProps/core.xml',
        'submodel Documentation',
        'submodel Nameplate',
        'submodel Orphan',
        'submodel Context_task › Note',
      ].sort(),
    );
    expect(imported.unmapped.every((u) => u.reason.length > 10)).toBe(true);
    expect(imported.granules).toHaveLength(9);
  });

  it('accepts the older www.admin-shell.io relationship types', async () => {
    const { exported, granules } = await referenceTwin('jgaurora-z-603s');
    const entries = entriesOf(exported.bytes);
    for (const [name, data] of entries)
      if (name.endsWith('.rels')) entries.set(name, bytes(text(data).replaceAll('http://admin-shell.io/aasx/', 'http://www.admin-shell.io/aasx/')));
    const imported = importAasx({ bytes: rezip(entries) });
    expect(imported.granules.map((g) => g.alpha)).toEqual(granules.map((g) => g.alpha));
    expect(imported.unmapped).toEqual([]);
  });
});
