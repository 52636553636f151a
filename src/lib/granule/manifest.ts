// The granule manifest (granule.json): what a bounded context is, what it needs and where it runs.
// The shape is the valibot schema in manifest-schema.ts; the published JSON Schema (granule.schema.json, served at
// /schemas/granule.schema.json) is generated from it (scripts/gen-granule-schema.ts). validateManifest() reports every
// problem with its JSON path.
import semverSatisfies from 'semver/functions/satisfies.js';
import * as v from 'valibot';
import { issueLines } from '../schema/index';
import { ManifestInvalidError } from './errors';
import { ManifestSchema, type MANIFEST_SCHEMA_ID, type PHASES, SEMVER_RE, RANGE_RE } from './manifest-schema';

export { MANIFEST_FILE, PHASES } from './manifest-schema';
export type LifecyclePhase = (typeof PHASES)[number];

interface GranuleDependency {
  /** The depended-on granule's name, e.g. "shdm-3ddtp-500/mechanical" or a bare context such as "mechanical". */
  name: string;
  /** A semver range: "1.2.3", "^1.2.0", "~1.2.0", ">=1.0.0", "*". */
  version: string;
  /** Pins an exact granule by its α (0x + 64 hex). */
  alpha?: string;
}

interface LibraryDependency {
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

/** Returns the list of problems (empty = valid). `requireFiles` is true for a manifest read back from an archive. */
export function manifestIssues(value: unknown, opts: { requireFiles?: boolean } = {}): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['the manifest must be a JSON object'];
  const result = v.safeParse(ManifestSchema, value);
  const issues = result.success ? [] : issueLines(result.issues, 'the manifest');
  if (opts.requireFiles && (value as { files?: unknown }).files === undefined) issues.push('files is missing (a packed granule lists its files)');
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
