// Export: a twin as an AASX package. One Asset Administration Shell for the twin (asset kind Type: the printer
// model), one submodel per bounded context (granule metadata, α and manifest CID as properties and references, the
// model, view and controller files as File elements), the Digital Nameplate and Technical Data submodels, and the
// concept descriptions of twingrain's own semantic ids. Every file of each granule's canonical archive travels as a
// supplementary file, byte for byte, so an import re-packs the same archive and gets the same α.
import * as aas from '@aas-core-works/aas-core3.0-typescript';
import { alphaHex, decodeArchive, MANIFEST_FILE } from '../granule/index';
import type { PackedGranule, Twin } from '../twin/index';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { sha256 } from '@noble/hashes/sha2.js';
import { contentTypeOf, file, idShortOf, list, property, referenceElement, stringList, type Element } from './elements';
import { ExportInvalidError } from './errors';
import { CONTENT_TYPES_PART, partNameOf, relsEntryOf, RELS_CONTENT_TYPE, writeContentTypes, writeRelationships } from './opc';
import { contextSubmodelId, environmentPart, GRANULES_FOLDER, nameplateId, ORIGIN_PART, REL, technicalDataId, twinAasId } from './package-layout';
import { nameplateSubmodel, printerFacts, technicalDataSubmodel } from './printer-submodels';
import { conceptDescription, globalRef, OWN_CONCEPTS as C, submodelRef } from './semantics';
import { writeZip } from './zip';

const T = aas.types;

export interface ExportAasxParameters {
  twin: Twin;
  /** The twin's packed granules, one per bounded context. */
  granules: PackedGranule[];
}

export interface ExportAasxReturnType {
  bytes: Uint8Array;
  /** The AAS environment as JSON (what the package's aas-spec part holds). */
  environment: Record<string, unknown>;
  /** idShorts of the submodels written, in order. */
  submodels: string[];
  /** Suggested file name, e.g. shdm-3ddtp-500.aasx. */
  fileName: string;
}

/**
 * CIDv1 (raw, sha2-256) of the granule's canonical manifest bytes — the same value sharing's manifestCidOf gives
 * (a test holds them equal), computed here so the Twins page does not load the sharing protocol to export.
 */
function manifestCid(canonicalManifest: Uint8Array): string {
  return CID.createV1(raw.code, createDigest(0x12, sha256(canonicalManifest))).toString();
}

interface GranulePart {
  entry: string;
  data: Uint8Array;
}

function contextSubmodel(twin: Twin, domain: string, g: PackedGranule, parts: GranulePart[]): aas.types.Submodel {
  const m = g.manifest;
  const folder = `${GRANULES_FOLDER}${g.context}/`;
  const entries = decodeArchive(g.bytes);
  const byPath = new Map(entries.map((e) => [e.path, e.data]));
  const partOf = (path: string) => folder.slice(0, -1) + partNameOf(path);
  for (const e of entries) parts.push({ entry: `${folder.slice(1)}${e.path}`, data: e.data });
  const files = (paths: string[]) => paths.map((p) => file(null, partOf(p), contentTypeOf(p)));
  const mvc = new Set([...m.mvc.models, ...m.mvc.views, ...m.mvc.controllers]);
  const others = [...byPath.keys()].filter((p) => p !== MANIFEST_FILE && !mvc.has(p));
  const cid = manifestCid(byPath.get(MANIFEST_FILE)!);
  const els: Element[] = [
    property('Domain', domain, C.domain.id),
    property('Context', g.context, C.context.id),
    property('GranuleName', m.name, C.granuleName.id),
    property('GranuleVersion', m.version, C.granuleVersion.id),
    property('Description', m.description),
    property('DeclaredDomain', m.domain),
    property('Phase', m.phase),
    property('Licence', m.license),
  ];
  if (m.owner.name) els.push(property('OwnerName', m.owner.name));
  if (m.owner.publicKey) els.push(property('OwnerPublicKey', m.owner.publicKey));
  els.push(
    property('Alpha', g.alpha, C.alpha.id),
    property('ManifestCid', cid, C.manifestCid.id),
    referenceElement('GranuleAlpha', `urn:twingrain:alpha:${g.alpha}`, C.alpha.id),
    referenceElement('GranuleManifest', `urn:twingrain:manifest-cid:${cid}`, C.manifestCid.id),
    property('PackageFolder', folder, C.packageFolder.id),
    file('ManifestFile', partOf(MANIFEST_FILE), 'application/json'),
    list('Models', T.AasSubmodelElements.File, files(m.mvc.models), C.mvcFiles.id),
    list('Views', T.AasSubmodelElements.File, files(m.mvc.views), C.mvcFiles.id),
    list('Controllers', T.AasSubmodelElements.File, files(m.mvc.controllers), C.mvcFiles.id),
  );
  if (others.length > 0) els.push(list('OtherFiles', T.AasSubmodelElements.File, files(others)));
  if (m.provides.operations.length > 0) els.push(stringList('Operations', m.provides.operations));
  if (m.provides.events.length > 0) els.push(stringList('Events', m.provides.events));
  if (m.dependencies.granules.length > 0)
    els.push(
      stringList(
        'DependsOn',
        m.dependencies.granules.map((d) => `${d.name} ${d.version}`),
      ),
    );
  const sm = new T.Submodel(contextSubmodelId(twin.id, g.context));
  sm.idShort = idShortOf(`Context_${g.context}`, 'Context');
  sm.kind = T.ModellingKind.Instance;
  sm.semanticId = globalRef(C.granuleContext.id);
  sm.submodelElements = els;
  return sm;
}

/** Builds the AAS environment and the package parts for a twin (no zip yet). */
function buildEnvironment(p: ExportAasxParameters): { environment: aas.types.Environment; parts: GranulePart[] } {
  const { twin, granules } = p;
  const parts: GranulePart[] = [];
  const submodels: aas.types.Submodel[] = [];
  for (const d of twin.domains) {
    for (const c of d.contexts) {
      const g = granules.find((x) => x.context === c.name);
      if (!g) throw new ExportInvalidError([`the ${c.name} context has no granule to export`]);
      if (g.alpha !== alphaHex(g.bytes)) throw new ExportInvalidError([`the ${c.name} granule's content does not match its Granule ID`]);
      submodels.push(contextSubmodel(twin, d.name, g, parts));
    }
  }
  const facts = printerFacts(granules);
  const productUri = facts.id ?? `urn:twingrain:printer:${encodeURIComponent(twin.id)}`;
  const nameplate = nameplateSubmodel(nameplateId(twin.id), facts, twin.name, productUri);
  const technical = technicalDataSubmodel(technicalDataId(twin.id), facts, twin.name);
  if (nameplate) submodels.push(nameplate);
  if (technical) submodels.push(technical);

  const asset = new T.AssetInformation(T.AssetKind.Type, productUri);
  const shell = new T.AssetAdministrationShell(twinAasId(twin.id), asset);
  shell.idShort = idShortOf(twin.id, 'Twin');
  shell.displayName = [new T.LangStringNameType('en', twin.name.slice(0, 128))];
  if (twin.description) shell.description = [new T.LangStringTextType('en', twin.description.slice(0, 1023))];
  shell.submodels = submodels.map((s) => submodelRef(s.id));
  const environment = new T.Environment([shell], submodels, Object.values(C).map(conceptDescription));
  const problems = [...aas.verification.verify(environment)].map((e) => `${e.path.toString()}: ${e.message}`);
  if (problems.length > 0) throw new ExportInvalidError(problems);
  return { environment, parts };
}

/** Exports a twin as an AASX package (OPC zip, AAS V3.0 environment in JSON). */
export function exportAasx(p: ExportAasxParameters): ExportAasxReturnType {
  const { environment, parts } = buildEnvironment(p);
  const jsonable = aas.jsonization.toJsonable(environment);
  const envPart = environmentPart(p.twin.id);
  const encoder = new TextEncoder();
  const overrides: Record<string, string> = { [ORIGIN_PART]: 'text/plain' };
  for (const part of parts) {
    const name = partNameOf(part.entry);
    const type = contentTypeOf(part.entry);
    if (type !== 'text/javascript' && type !== 'application/json') overrides[name] = type;
  }
  const entries: [string, Uint8Array][] = [
    [CONTENT_TYPES_PART, writeContentTypes({ rels: RELS_CONTENT_TYPE, json: 'application/json', js: 'text/javascript' }, overrides)],
    [relsEntryOf('/'), writeRelationships([{ id: 'rOrigin', type: REL.origin, target: ORIGIN_PART }])],
    [ORIGIN_PART.slice(1), encoder.encode('Intentionally empty.')],
    [relsEntryOf(ORIGIN_PART), writeRelationships([{ id: 'rSpec', type: REL.spec, target: envPart }])],
    [envPart.slice(1), encoder.encode(JSON.stringify(jsonable, null, 2) + '\n')],
    [relsEntryOf(envPart), writeRelationships(parts.map((part, i) => ({ id: `rSuppl${i}`, type: REL.suppl, target: partNameOf(part.entry) })))],
    ...parts.map((part): [string, Uint8Array] => [part.entry, part.data]),
  ];
  const shortIds = (environment.submodels ?? []).map((s) => s.idShort ?? s.id);
  const fileName = `${p.twin.id.replace(/[^A-Za-z0-9._-]/g, '_')}.aasx`;
  return { bytes: writeZip(entries), environment: jsonable as Record<string, unknown>, submodels: shortIds, fileName };
}
