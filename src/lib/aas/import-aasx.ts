// Import: an AASX package back into a twin folder (twin.json + one folder per bounded context). The package is
// untrusted: the zip layer enforces size, ratio and path limits; every reference is resolved inside the package;
// each granule is re-packed from the files the package carries and must give the α its submodel records. Whatever
// the package holds that a twin folder has no place for is listed in `unmapped`, never dropped silently.
import * as aas from '@aas-core-works/aas-core3.0-typescript';
import { checkPath, GranuleError, MANIFEST_FILE, packGranule } from '../granule/index';
import { loadTwinFromFiles, packTwin, TWIN_FILE, TWIN_SCHEMA_ID, validateTwin, type LoadedTwin, type PackedGranule, type TwinSource } from '../twin/index';
import { AasError, EnvironmentInvalidError, GranuleMismatchError, NotAnAasxError, NotATwinError, UnsafePathError } from './errors';
import { CONTENT_TYPES_PART, MAX_XML_PART_BYTES, readRelationships, relsEntryOf, resolvePart, type Relationship } from './opc';
import { LEGACY_REL, REL, TWIN_ID_PREFIX } from './package-layout';
import { nameplateSubmodel, printerFacts, technicalDataSubmodel } from './printer-submodels';
import { IDTA, OWN_CONCEPTS as C, OWN_PREFIX, semanticOf } from './semantics';
import { DEFAULT_ZIP_LIMITS, readZip, type ZipLimits } from './zip';

const T = aas.types;

export interface UnmappedItem {
  /** What in the package, e.g. "submodel Documentation" or "package file docProps/core.xml". */
  element: string;
  /** Why it has no place in the twin folder. */
  reason: string;
}

export interface ImportAasxParameters {
  bytes: Uint8Array;
  limits?: Partial<ZipLimits>;
}

export interface ImportAasxReturnType {
  /** twin.json as written. */
  source: TwinSource;
  /** The twin folder: "twin.json" and "<context>/<file>" → bytes. */
  files: Map<string, Uint8Array>;
  loaded: LoadedTwin;
  granules: PackedGranule[];
  unmapped: UnmappedItem[];
}

const CONTEXT_RE = /^[a-z][a-z0-9-]*$/;
const decoder = new TextDecoder('utf-8', { fatal: true });
const isType = (r: Relationship, key: keyof typeof REL) => r.type === REL[key] || r.type === LEGACY_REL[key];

/** Relationships of a part, or [] when it has none. */
function relsOf(parts: Map<string, Uint8Array>, partName: string): Relationship[] {
  const bytes = parts.get(relsEntryOf(partName));
  if (!bytes) return [];
  if (bytes.length > MAX_XML_PART_BYTES)
    throw new NotAnAasxError(`its relationship file ${relsEntryOf(partName)} is larger than 1 MiB; such files hold a few lines`);
  try {
    return readRelationships(decoder.decode(bytes));
  } catch {
    throw new NotAnAasxError(`its relationship file ${relsEntryOf(partName)} is not readable text`);
  }
}

const en = (list: { language: string; text: string }[] | null): string | undefined =>
  (list?.find((l) => l.language.toLowerCase().startsWith('en')) ?? list?.[0])?.text;
const describe = (sm: aas.types.Submodel) => `submodel ${sm.idShort ?? sm.id}`;

function propertyValue(els: Map<string, aas.types.ISubmodelElement>, idShort: string, where: string): string {
  const e = els.get(idShort);
  if (!e || !T.isProperty(e) || e.value === null) throw new NotATwinError(`${where} has no ${idShort} value`);
  return e.value;
}

function filesOf(e: aas.types.ISubmodelElement | undefined): aas.types.File[] {
  if (!e) return [];
  if (T.isFile(e)) return [e];
  if (T.isSubmodelElementList(e) || T.isSubmodelElementCollection(e)) return (e.value ?? []).filter((x): x is aas.types.File => T.isFile(x));
  return [];
}

const KNOWN_CONTEXT_ELEMENTS = new Set([
  'Domain',
  'Context',
  'GranuleName',
  'GranuleVersion',
  'Description',
  'DeclaredDomain',
  'Phase',
  'Licence',
  'OwnerName',
  'OwnerPublicKey',
  'Alpha',
  'ManifestCid',
  'GranuleAlpha',
  'GranuleManifest',
  'PackageFolder',
  'ManifestFile',
  'Models',
  'Views',
  'Controllers',
  'OtherFiles',
  'Operations',
  'Events',
  'DependsOn',
]);

/** Reads an AASX package into a twin folder. Throws an AasError (typed, with a plain message) when it cannot. */
export function importAasx(p: ImportAasxParameters): ImportAasxReturnType {
  // OPC stores part names percent-encoded; references are resolved to decoded names, so entries are keyed the same way.
  const parts = new Map<string, Uint8Array>();
  for (const [name, data] of readZip(p.bytes, { ...DEFAULT_ZIP_LIMITS, ...p.limits })) {
    const key = safeDecode(name);
    if (parts.has(key)) throw new NotAnAasxError(`it holds two files that both read as ${JSON.stringify(key)}`);
    parts.set(key, data);
  }
  const used = new Set<string>();
  const take = (entry: string): Uint8Array | undefined => {
    const b = parts.get(entry);
    if (b) used.add(entry);
    return b;
  };
  const contentTypes = take(CONTENT_TYPES_PART);
  if (!contentTypes) throw new NotAnAasxError('it has no [Content_Types].xml, which every OPC package holds');
  if (contentTypes.length > MAX_XML_PART_BYTES) throw new NotAnAasxError(`its [Content_Types].xml is larger than 1 MiB; such files hold a few lines`);
  if (parts.has(relsEntryOf('/'))) used.add(relsEntryOf('/'));
  const origin = relsOf(parts, '/').find((r) => isType(r, 'origin') && !r.external);
  if (!origin) throw new NotAnAasxError('its _rels/.rels names no aasx-origin');
  const originEntry = resolvePart('/', origin.target);
  if (!take(originEntry)) throw new NotAnAasxError(`the aasx-origin part /${originEntry} is missing`);
  const originPart = '/' + originEntry;
  if (parts.has(relsEntryOf(originPart))) used.add(relsEntryOf(originPart));
  const specs = relsOf(parts, originPart).filter((r) => isType(r, 'spec') && !r.external);
  if (specs.length === 0) throw new NotAnAasxError('its aasx-origin names no aas-spec part (the AAS data)');

  const unmapped: UnmappedItem[] = [];
  const jsonSpecs = specs.map((r) => resolvePart(originPart, r.target)).filter((e) => e.toLowerCase().endsWith('.json'));
  if (jsonSpecs.length === 0) throw new NotAnAasxError('it holds its AAS data only as XML; export it with the JSON serialisation and try again');
  const specEntry = jsonSpecs[0]!;
  const specBytes = take(specEntry);
  if (!specBytes) throw new NotAnAasxError(`its AAS data part /${specEntry} is missing`);
  const specPart = '/' + specEntry;
  if (parts.has(relsEntryOf(specPart))) used.add(relsEntryOf(specPart));
  for (const r of relsOf(parts, specPart).filter((x) => isType(x, 'specSplit')))
    unmapped.push({ element: `AAS data part ${r.target}`, reason: 'split AAS data parts are not read; only the first JSON part is' });

  let jsonable: unknown;
  try {
    jsonable = JSON.parse(decoder.decode(specBytes).replace(/^\uFEFF/, ''));
  } catch (cause) {
    throw new EnvironmentInvalidError([`${specPart} is not JSON (${cause instanceof Error ? cause.message : String(cause)})`], { cause });
  }
  const parsed = aas.jsonization.environmentFromJsonable(jsonable as aas.jsonization.JsonValue);
  if (parsed.error !== null) throw new EnvironmentInvalidError([`${parsed.error.path.toString() || 'environment'}: ${parsed.error.message}`]);
  const env = parsed.value!;
  const problems: string[] = [];
  for (const e of aas.verification.verify(env)) {
    problems.push(`${e.path.toString()}: ${e.message}`);
    if (problems.length >= 20) break;
  }
  if (problems.length > 0) throw new EnvironmentInvalidError(problems);

  const submodels = new Map((env.submodels ?? []).map((s) => [s.id, s]));
  const isContext = (s: aas.types.Submodel | undefined) => s !== undefined && semanticOf(s) === C.granuleContext.id;
  const shells = env.assetAdministrationShells ?? [];
  const shell = shells.find((s) => (s.submodels ?? []).some((r) => isContext(submodels.get(r.keys[0]?.value ?? ''))));
  if (!shell) throw new NotATwinError('none of its Asset Administration Shells has a twingrain bounded-context submodel (it was not exported from a twin)');
  for (const s of shells)
    if (s !== shell) unmapped.push({ element: `shell ${s.idShort ?? s.id}`, reason: 'a package is imported as one twin; this other shell is not' });

  const twinId = shell.id.startsWith(TWIN_ID_PREFIX) ? safeDecode(shell.id.slice(TWIN_ID_PREFIX.length)) : (shell.idShort ?? shell.id);
  if (!twinId || twinId.length > 200) throw new NotATwinError('its shell has no usable id');
  const twinName = en(shell.displayName) ?? shell.idShort ?? twinId;
  const description = en(shell.description);

  const files = new Map<string, Uint8Array>();
  const domains: TwinSource['domains'] = [];
  const alphas = new Map<string, string>();
  const referenced = new Set<string>();
  const derived: aas.types.Submodel[] = [];
  for (const ref of shell.submodels ?? []) {
    const id = ref.keys[0]?.value ?? '';
    const sm = submodels.get(id);
    if (!sm) {
      unmapped.push({ element: `submodel reference ${id}`, reason: 'the submodel is not in the package' });
      continue;
    }
    referenced.add(id);
    const sem = semanticOf(sm);
    if (sem === IDTA.nameplate.submodel || sem === IDTA.technicalData.submodel) {
      derived.push(sm);
      continue;
    }
    if (!isContext(sm)) {
      unmapped.push({ element: describe(sm), reason: 'not a twingrain bounded context; a twin folder has no place for it' });
      continue;
    }
    const where = describe(sm);
    const els = new Map((sm.submodelElements ?? []).map((e) => [e.idShort ?? '', e]));
    for (const key of els.keys())
      if (!KNOWN_CONTEXT_ELEMENTS.has(key))
        unmapped.push({ element: `${where} › ${key}`, reason: 'not part of a granule; the granule files are what the twin keeps' });
    const context = propertyValue(els, 'Context', where);
    const domain = propertyValue(els, 'Domain', where);
    const alpha = propertyValue(els, 'Alpha', where);
    if (!CONTEXT_RE.test(context) || context.length > 64)
      throw new NotATwinError(`${where} names the context ${JSON.stringify(context.slice(0, 80))}, which is not a lowercase name`);
    if (alphas.has(context)) throw new NotATwinError(`the context ${context} appears twice`);
    const folderEntry = resolvePart(specPart, propertyValue(els, 'PackageFolder', where)) + '/';
    const granuleFiles = new Map<string, Uint8Array>();
    const all = [...filesOf(els.get('ManifestFile')), ...['Models', 'Views', 'Controllers', 'OtherFiles'].flatMap((k) => filesOf(els.get(k)))];
    for (const f of all) {
      if (!f.value) throw new NotATwinError(`${where} has a file element without a path`);
      const entry = resolvePart(specPart, f.value);
      if (!entry.startsWith(folderEntry)) throw new UnsafePathError(f.value, `it lies outside the ${context} granule's folder`);
      const rel = entry.slice(folderEntry.length);
      try {
        checkPath(rel);
      } catch (e) {
        throw new UnsafePathError(f.value, e instanceof GranuleError ? e.message : 'not a safe path inside a granule');
      }
      const data = take(entry);
      if (!data) throw new NotAnAasxError(`the file ${f.value} of the ${context} context is not in the package`);
      granuleFiles.set(rel, data);
    }
    if (!granuleFiles.has(MANIFEST_FILE)) throw new NotATwinError(`${where} carries no granule.json`);
    let packedAlpha: string;
    try {
      packedAlpha = packGranule({ files: granuleFiles }).alphaHex;
    } catch (e) {
      if (e instanceof GranuleError) throw new GranuleMismatchError(context, `is not a valid granule (${e.message})`);
      throw e;
    }
    if (packedAlpha !== alpha.toLowerCase())
      throw new GranuleMismatchError(context, 'does not match the Granule ID its submodel records', alpha.slice(0, 80), packedAlpha);
    alphas.set(context, packedAlpha);
    for (const [rel, data] of granuleFiles) files.set(`${context}/${rel}`, data);
    let d = domains.find((x) => x.name === domain);
    if (!d) domains.push((d = { name: domain, contexts: [] }));
    d.contexts.push({ name: context, granule: context });
  }
  if (alphas.size === 0) throw new NotATwinError('its shell references no bounded-context submodel that is in the package');

  const source: TwinSource = { schema: TWIN_SCHEMA_ID, id: twinId, name: twinName, ...(description ? { description } : {}), domains };
  files.set(TWIN_FILE, new TextEncoder().encode(JSON.stringify(source, null, 2) + '\n'));
  let loaded: LoadedTwin;
  try {
    loaded = loadTwinFromFiles(files, '');
  } catch (e) {
    if (e instanceof AasError) throw e;
    throw new NotATwinError(e instanceof Error ? e.message : String(e));
  }
  const violations = validateTwin(loaded.twin);
  if (violations.length > 0)
    throw new NotATwinError(`the twin it holds breaks MVC-DDD: ${violations.map((v) => `[Def. ${v.definition}] ${v.element}: ${v.message}`).join('; ')}`);
  const granules = packTwin(loaded);
  for (const g of granules)
    if (g.alpha !== alphas.get(g.context))
      throw new GranuleMismatchError(g.context, 'does not match the Granule ID its submodel records', alphas.get(g.context), g.alpha);

  // The nameplate and technical data are derived from the granules: kept only as the granules state them.
  const facts = printerFacts(granules);
  const productUri = facts.id ?? `urn:twingrain:printer:${encodeURIComponent(twinId)}`;
  for (const sm of derived) {
    const fresh =
      semanticOf(sm) === IDTA.nameplate.submodel ? nameplateSubmodel(sm.id, facts, twinName, productUri) : technicalDataSubmodel(sm.id, facts, twinName);
    const same = fresh !== undefined && JSON.stringify(aas.jsonization.toJsonable(fresh)) === JSON.stringify(aas.jsonization.toJsonable(sm));
    if (!same)
      unmapped.push({ element: describe(sm), reason: "differs from what the twin's granules state; the twin folder keeps the granules' figures, not these" });
  }
  for (const sm of env.submodels ?? []) if (!referenced.has(sm.id)) unmapped.push({ element: describe(sm), reason: 'no shell references it' });
  for (const cd of env.conceptDescriptions ?? [])
    if (!cd.id.startsWith(OWN_PREFIX))
      unmapped.push({ element: `concept description ${cd.idShort ?? cd.id}`, reason: 'a twin folder has no dictionary to keep it in' });
  for (const entry of parts.keys()) {
    if (used.has(entry)) continue;
    // Relationship parts of files that were read are structure, not content.
    if (entry.endsWith('.rels')) {
      const owner = entry.replace(/(^|\/)_rels\/([^/]+)\.rels$/, '$1$2');
      if (used.has(owner)) continue;
    }
    unmapped.push({ element: `package file ${entry}`, reason: 'the twin does not use it' });
  }
  return { source, files, loaded, granules, unmapped };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
