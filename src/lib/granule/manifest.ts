// The granule manifest (granule.json): what a bounded context is, what it needs and where it runs.
// The published JSON Schema (granule.schema.json, served at /schemas/granule.schema.json) describes the same shape;
// validateManifest() is the executable version and reports every problem with its JSON path.
import semverSatisfies from 'semver/functions/satisfies.js';
import { ManifestInvalidError } from './errors';
import { checkPath } from './archive';
import { GranuleError } from './errors';

export const MANIFEST_FILE = 'granule.json';
export const MANIFEST_SCHEMA_ID = 'twingrain/granule@1';
export const DOMAINS = ['ontology', 'enabling', 'business'] as const;
export const PHASES = ['physical', 'virtualization', 'digitalization', 'servitization'] as const;
export type LifecyclePhase = (typeof PHASES)[number];

export interface GranuleDependency {
  /** The depended-on granule's name, e.g. "shdm-3ddtp-500/mechanical" or a bare context such as "mechanical". */
  name: string;
  /** A semver range: "1.2.3", "^1.2.0", "~1.2.0", ">=1.0.0", "*". */
  version: string;
  /** Pins an exact granule by its α (0x + 64 hex). */
  alpha?: string;
}

export interface LibraryDependency {
  name: string;
  version: string;
}

export interface ManifestFile {
  path: string;
  size: number;
  sha256: string;
}

export interface GranuleManifest {
  schema: typeof MANIFEST_SCHEMA_ID;
  name: string;
  version: string;
  description: string;
  /** DDD domain (Fig. 1: ontology, enabling, business; other names allowed for new twins). */
  domain: string;
  /** Bounded context name, unique in its twin. */
  context: string;
  phase: LifecyclePhase;
  owner: { publicKey: string; name?: string };
  license: string;
  printers: string[];
  tags: string[];
  /** The context's MVC elements: file paths in the granule (Definition 4: each set nonempty). */
  mvc: { models: string[]; views: string[]; controllers: string[] };
  /** The controller module the runtime starts. */
  entry: string;
  /** The typed interface: operations it answers and events it emits. */
  provides: { operations: string[]; events: string[] };
  /**
   * The events it listens to, as "<context>:<event>". The runtime delivers no other event to it; absent means none.
   * (Its calls are bounded by `dependencies.granules`: only those contexts, only the operations they provide.)
   */
  consumes?: { events: string[] };
  dependencies: { granules: GranuleDependency[]; libraries: LibraryDependency[] };
  /** Environment parameters: printer model, firmware, serial settings, build volume… (free-form JSON object). */
  environment: Record<string, unknown>;
  /** Filled in by pack: every file except granule.json, sorted, with its size and SHA-256. */
  files?: ManifestFile[];
}

const NAME_RE = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;
const IDENT_RE = /^[a-z][a-z0-9-]*$/;
const SEMVER_RE = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?$/;
const RANGE_RE = /^(\*|(\^|~|>=|<=|>|<|=)?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?)$/;
const OP_RE = /^[a-zA-Z][a-zA-Z0-9.:_-]*$/;
const HEX64_RE = /^0x[0-9a-f]{64}$/;
const PUBKEY_RE = /^(0x[0-9a-f]{1,64})?$/;
const SHA_RE = /^[0-9a-f]{64}$/;
const MAX_TEXT = 4096;

const TOPIC_RE = /^[a-z][a-z0-9-]*:[a-zA-Z][a-zA-Z0-9.:_-]*$/;

const TOP_KEYS = new Set([
  'schema',
  'name',
  'version',
  'description',
  'domain',
  'context',
  'phase',
  'owner',
  'license',
  'printers',
  'tags',
  'mvc',
  'entry',
  'provides',
  'consumes',
  'dependencies',
  'environment',
  'files',
]);

type Issues = string[];
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function str(v: unknown, at: string, issues: Issues, re?: RegExp, what?: string): v is string {
  if (typeof v !== 'string') {
    issues.push(`${at} must be a string`);
    return false;
  }
  if (v.length > MAX_TEXT) {
    issues.push(`${at} is longer than ${MAX_TEXT} characters`);
    return false;
  }
  if (re && !re.test(v)) {
    issues.push(`${at} ${JSON.stringify(v.slice(0, 80))} is not ${what ?? `matching ${re}`}`);
    return false;
  }
  return true;
}

function strArray(v: unknown, at: string, issues: Issues, opts: { nonEmpty?: boolean; re?: RegExp; what?: string; unique?: boolean } = {}): v is string[] {
  if (!Array.isArray(v)) {
    issues.push(`${at} must be an array of strings`);
    return false;
  }
  if (v.length > 1000) {
    issues.push(`${at} has more than 1000 items`);
    return false;
  }
  if (opts.nonEmpty && v.length === 0) issues.push(`${at} must not be empty`);
  let ok = true;
  v.forEach((x, i) => (ok = str(x, `${at}[${i}]`, issues, opts.re, opts.what) && ok));
  if (ok && opts.unique && new Set(v).size !== v.length) {
    issues.push(`${at} has duplicates`);
    ok = false;
  }
  return ok;
}

function relPath(v: unknown, at: string, issues: Issues): boolean {
  if (!str(v, at, issues)) return false;
  try {
    checkPath(v);
    if (v === MANIFEST_FILE) throw new Error();
    return true;
  } catch (e) {
    issues.push(
      `${at} ${JSON.stringify(v.slice(0, 80))} is not a safe file path inside the granule${e instanceof GranuleError ? '' : ' (granule.json itself is not an MVC element)'}`,
    );
    return false;
  }
}

/** Returns the list of problems (empty = valid). `requireFiles` is true for a manifest read back from an archive. */
export function manifestIssues(value: unknown, opts: { requireFiles?: boolean } = {}): string[] {
  const issues: Issues = [];
  if (!isObject(value)) return ['the manifest must be a JSON object'];
  const m = value;
  for (const key of Object.keys(m)) if (!TOP_KEYS.has(key)) issues.push(`unknown field "${key}"`);
  if (m.schema !== MANIFEST_SCHEMA_ID) issues.push(`schema must be "${MANIFEST_SCHEMA_ID}"`);
  str(m.name, 'name', issues, NAME_RE, 'a lowercase granule name like "shdm-3ddtp-500/appearance"');
  str(m.version, 'version', issues, SEMVER_RE, 'a semantic version like 1.0.0');
  str(m.description, 'description', issues);
  str(m.domain, 'domain', issues, IDENT_RE, 'a lowercase identifier');
  str(m.context, 'context', issues, IDENT_RE, 'a lowercase identifier');
  if (!(PHASES as readonly unknown[]).includes(m.phase)) issues.push(`phase must be one of ${PHASES.join(', ')}`);
  if (!isObject(m.owner)) issues.push('owner must be an object { publicKey, name? }');
  else {
    str(m.owner.publicKey, 'owner.publicKey', issues, PUBKEY_RE, "empty or 0x-hex (the owner's Poseidon public key)");
    if (m.owner.name !== undefined) str(m.owner.name, 'owner.name', issues);
    for (const key of Object.keys(m.owner)) if (key !== 'publicKey' && key !== 'name') issues.push(`unknown field "owner.${key}"`);
  }
  str(m.license, 'license', issues);
  strArray(m.printers, 'printers', issues);
  strArray(m.tags, 'tags', issues);
  const paths = new Set<string>();
  if (!isObject(m.mvc)) issues.push('mvc must be an object { models, views, controllers }');
  else {
    for (const kind of ['models', 'views', 'controllers'] as const) {
      const list = m.mvc[kind];
      if (!Array.isArray(list) || list.length === 0) {
        issues.push(`mvc.${kind} must list at least one file (Definition 4: every bounded context has a model, a view and a controller)`);
        continue;
      }
      list.forEach((p, i) => {
        if (relPath(p, `mvc.${kind}[${i}]`, issues)) {
          if (paths.has(p as string)) issues.push(`mvc.${kind}[${i}] "${p}" is listed as two MVC elements`);
          paths.add(p as string);
        }
      });
    }
    for (const key of Object.keys(m.mvc)) if (!['models', 'views', 'controllers'].includes(key)) issues.push(`unknown field "mvc.${key}"`);
  }
  if (relPath(m.entry, 'entry', issues) && isObject(m.mvc) && Array.isArray(m.mvc.controllers) && !m.mvc.controllers.includes(m.entry)) {
    issues.push('entry must be one of mvc.controllers');
  }
  if (!isObject(m.provides)) issues.push('provides must be an object { operations, events }');
  else {
    strArray(m.provides.operations, 'provides.operations', issues, { re: OP_RE, what: 'an operation name', unique: true });
    strArray(m.provides.events, 'provides.events', issues, { re: OP_RE, what: 'an event name', unique: true });
  }
  if (m.consumes !== undefined) {
    if (!isObject(m.consumes)) issues.push('consumes must be an object { events }');
    else {
      strArray(m.consumes.events, 'consumes.events', issues, { re: TOPIC_RE, what: 'an event topic like "sensing:reading" (context:event)', unique: true });
      for (const key of Object.keys(m.consumes)) if (key !== 'events') issues.push(`unknown field "consumes.${key}"`);
    }
  }
  if (!isObject(m.dependencies)) issues.push('dependencies must be an object { granules, libraries }');
  else {
    const g = m.dependencies.granules;
    if (!Array.isArray(g)) issues.push('dependencies.granules must be an array');
    else
      g.forEach((d, i) => {
        const at = `dependencies.granules[${i}]`;
        if (!isObject(d)) return void issues.push(`${at} must be an object { name, version, alpha? }`);
        str(d.name, `${at}.name`, issues, NAME_RE, 'a granule name');
        str(d.version, `${at}.version`, issues, RANGE_RE, 'a version range like ^1.0.0');
        if (d.alpha !== undefined) str(d.alpha, `${at}.alpha`, issues, HEX64_RE, 'an α (0x + 64 lowercase hex digits)');
      });
    const l = m.dependencies.libraries;
    if (!Array.isArray(l)) issues.push('dependencies.libraries must be an array');
    else
      l.forEach((d, i) => {
        const at = `dependencies.libraries[${i}]`;
        if (!isObject(d)) return void issues.push(`${at} must be an object { name, version }`);
        str(d.name, `${at}.name`, issues);
        str(d.version, `${at}.version`, issues);
      });
  }
  if (!isObject(m.environment)) issues.push('environment must be a JSON object');
  if (m.files === undefined) {
    if (opts.requireFiles) issues.push('files is missing (a packed granule lists its files)');
  } else if (!Array.isArray(m.files)) issues.push('files must be an array');
  else
    m.files.forEach((f, i) => {
      const at = `files[${i}]`;
      if (!isObject(f)) return void issues.push(`${at} must be an object { path, size, sha256 }`);
      relPath(f.path, `${at}.path`, issues);
      if (typeof f.size !== 'number' || !Number.isSafeInteger(f.size) || f.size < 0) issues.push(`${at}.size must be a non-negative integer`);
      str(f.sha256, `${at}.sha256`, issues, SHA_RE, '64 lowercase hex digits');
    });
  return issues;
}

/** Validates and returns the manifest, or throws ManifestInvalidError listing every problem. */
export function validateManifest(value: unknown, opts: { requireFiles?: boolean } = {}): GranuleManifest {
  const issues = manifestIssues(value, opts);
  if (issues.length > 0) throw new ManifestInvalidError(issues);
  return value as GranuleManifest;
}

/** Parses granule.json text (bytes or string) and validates it. */
export function parseManifest(text: string | Uint8Array, opts: { requireFiles?: boolean } = {}): GranuleManifest {
  let value: unknown;
  try {
    value = JSON.parse(typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (e) {
    throw new ManifestInvalidError([`granule.json is not valid JSON (${e instanceof Error ? e.message : String(e)})`]);
  }
  return validateManifest(value, opts);
}

/**
 * True when `version` satisfies `range` (see GranuleDependency.version), by the `semver` package's rules: a
 * pre-release such as 1.0.0-beta satisfies only a range that names a pre-release of the same x.y.z.
 */
export function satisfies(version: string, range: string): boolean {
  if (!SEMVER_RE.test(version) || !RANGE_RE.test(range)) return false;
  return semverSatisfies(version, range);
}
