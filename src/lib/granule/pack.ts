// Packing and unpacking a granule: files + manifest ⇄ canonical archive, with every check on the way in.
import { bytesToHex } from '@noble/hashes/utils.js';
import { alphaFromSha256, alphaHex, parseAlpha } from './alpha';
import { archiveDigests, checkPath, decodeArchive, encodeArchiveWithDigest } from './archive';
import { sha256 } from './sha256';
import { canonicalJson } from './canonical-json';
import { AlphaMismatchError, ManifestInvalidError, ManifestMismatchError, SourceInvalidError } from './errors';
import { MANIFEST_FILE, parseManifest, validateManifest, type GranuleManifest, type ManifestFile } from './manifest';

export interface PackGranuleParameters {
  /** Every file of the granule by relative path, including granule.json (its `files` field, if any, is replaced). */
  files: Map<string, Uint8Array> | Record<string, Uint8Array | string>;
}

export interface PackGranuleReturnType {
  bytes: Uint8Array;
  alpha: bigint;
  alphaHex: `0x${string}`;
  sha256: string;
  size: number;
  manifest: GranuleManifest;
}

const encoder = new TextEncoder();

function toMap(files: PackGranuleParameters['files']): Map<string, Uint8Array> {
  if (files instanceof Map) return files;
  const out = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(files)) out.set(k, typeof v === 'string' ? encoder.encode(v) : v);
  return out;
}

/**
 * Packs a granule. The manifest is re-serialised as canonical JSON with the file list filled in, so the archive —
 * and α — depend only on the content: not on file order, timestamps or the manifest's whitespace and key order.
 */
export function packGranule({ files }: PackGranuleParameters): PackGranuleReturnType {
  const map = toMap(files);
  const manifestBytes = map.get(MANIFEST_FILE);
  if (!manifestBytes) throw new SourceInvalidError(`there is no ${MANIFEST_FILE} (every granule folder holds its manifest)`);
  const source = parseManifest(manifestBytes) as GranuleManifest;
  const listed: ManifestFile[] = [];
  for (const [path, data] of map) {
    checkPath(path);
    if (path === MANIFEST_FILE) continue;
    listed.push({ path, size: data.length, sha256: bytesToHex(sha256(data)) });
  }
  listed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifest = validateManifest({ ...source, files: listed }, { requireFiles: true });
  const missing = [...manifest.mvc.models, ...manifest.mvc.views, ...manifest.mvc.controllers].filter((p) => !map.has(p));
  if (missing.length > 0) throw new SourceInvalidError(`granule.json names MVC files that are not in the folder: ${missing.join(', ')}`);
  const entries = [...map].filter(([p]) => p !== MANIFEST_FILE).map(([path, data]) => ({ path, data }));
  entries.push({ path: MANIFEST_FILE, data: encoder.encode(canonicalJson(manifest) + '\n') });
  const { bytes, digest } = encodeArchiveWithDigest(entries);
  const alpha = alphaFromSha256(digest);
  return { bytes, alpha, alphaHex: alphaHex(alpha), sha256: bytesToHex(digest), size: bytes.length, manifest };
}

export interface UnpackGranuleParameters {
  bytes: Uint8Array;
  /** When given (bigint or 0x-hex), the archive must have exactly this α. */
  expectedAlpha?: bigint | string;
}

export interface UnpackGranuleReturnType {
  manifest: GranuleManifest;
  /** Every file except granule.json. */
  files: Map<string, Uint8Array>;
  alpha: bigint;
  alphaHex: `0x${string}`;
  sha256: string;
  size: number;
}

/**
 * Unpacks and verifies a granule: canonical archive layout, safe paths, a valid manifest, a file list that matches
 * the files exactly (names, sizes, SHA-256), MVC files present, and α when expected. Anything else throws a GranuleError.
 */
export function unpackGranule({ bytes, expectedAlpha }: UnpackGranuleParameters): UnpackGranuleReturnType {
  const digests = archiveDigests(bytes);
  const digest = digests.whole;
  const alpha = alphaFromSha256(digest);
  if (expectedAlpha !== undefined) {
    let expected: bigint;
    try {
      expected = typeof expectedAlpha === 'bigint' ? expectedAlpha : parseAlpha(expectedAlpha);
    } catch {
      throw new AlphaMismatchError(String(expectedAlpha), alphaHex(alpha));
    }
    if (expected !== alpha) throw new AlphaMismatchError(expected >= 0n && expected < 1n << 253n ? alphaHex(expected) : String(expected), alphaHex(alpha));
  }
  const entries = decodeArchive(bytes, digests);
  const files = new Map<string, Uint8Array>();
  let manifestBytes: Uint8Array | undefined;
  for (const e of entries) {
    if (e.path === MANIFEST_FILE) manifestBytes = e.data;
    else files.set(e.path, e.data);
  }
  if (!manifestBytes) throw new ManifestInvalidError([`the archive holds no ${MANIFEST_FILE}`]);
  const manifest = parseManifest(manifestBytes, { requireFiles: true });
  const issues: string[] = [];
  const listed = new Set<string>();
  for (const f of manifest.files ?? []) {
    if (listed.has(f.path)) issues.push(`"${f.path}" is listed twice`);
    listed.add(f.path);
    const data = files.get(f.path);
    if (!data) issues.push(`"${f.path}" is listed but missing`);
    else if (data.length !== f.size) issues.push(`"${f.path}" has ${data.length} bytes, the manifest says ${f.size}`);
    else if (bytesToHex(sha256(data)) !== f.sha256) issues.push(`"${f.path}" has different content than the manifest's SHA-256`);
  }
  for (const path of files.keys()) if (!listed.has(path)) issues.push(`"${path}" is not listed in the manifest`);
  for (const p of [...manifest.mvc.models, ...manifest.mvc.views, ...manifest.mvc.controllers]) {
    if (!files.has(p)) issues.push(`MVC file "${p}" is missing`);
  }
  if (issues.length > 0) throw new ManifestMismatchError([...new Set(issues)]);
  return { manifest, files, alpha, alphaHex: alphaHex(alpha), sha256: bytesToHex(digest), size: bytes.length };
}
