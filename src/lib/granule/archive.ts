// The canonical granule archive ("TWGRANUL" v1). Written here rather than tar so the same content always gives the
// same bytes: no timestamps, owners or modes; entries sorted; one fixed header; a digest trailer so that a random
// corruption is always detected, even before α is compared.
//
// Layout (all integers big-endian):
//   magic   8 bytes  ASCII "TWGRANUL"
//   version 1 byte   = 1
//   flags   1 byte   = 0
//   count   4 bytes  number of entries
//   entry × count:   pathLength (2 bytes) · path (UTF-8) · dataLength (4 bytes) · data
//   trailer 32 bytes SHA-256 of every byte before it
// Entries are in strictly ascending order of their UTF-8 path bytes (so no duplicates), and nothing follows the
// trailer. Paths obey checkPath().
import { createSha256, sha256 } from './sha256';
import { ArchiveMalformedError, ArchiveTruncatedError, PathInvalidError } from './errors';

const ARCHIVE_MAGIC = 'TWGRANUL';
const ARCHIVE_VERSION = 1;
const MAX_ENTRIES = 10_000;
const MAX_PATH_BYTES = 1024;
/** Upper bound on a whole archive; granules are source code and small assets, not datasets. */
const MAX_ARCHIVE_BYTES = 256 * 1024 * 1024;

const HEADER_BYTES = 14;
const TRAILER_BYTES = 32;
const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

export interface ArchiveEntry {
  path: string;
  data: Uint8Array;
}

/** Throws PathInvalidError unless `path` is a safe relative path inside a granule. */
export function checkPath(path: string): void {
  if (path.length === 0) throw new PathInvalidError(path, 'empty path');
  if (encoder.encode(path).length > MAX_PATH_BYTES) throw new PathInvalidError(path.slice(0, 64) + '…', `longer than ${MAX_PATH_BYTES} bytes`);
  if (path.startsWith('/')) throw new PathInvalidError(path, 'absolute path');
  if (path.includes('\\')) throw new PathInvalidError(path, 'backslash separator');
  if (/^[A-Za-z]:/.test(path)) throw new PathInvalidError(path, 'drive letter');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new PathInvalidError(path, 'control character');
  for (const segment of path.split('/')) {
    if (segment === '') throw new PathInvalidError(path, 'empty segment');
    if (segment === '.' || segment === '..') throw new PathInvalidError(path, `"${segment}" segment escapes or aliases a folder`);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Writes the canonical archive of `entries` (any order in, sorted out). */
export function encodeArchive(entries: Iterable<ArchiveEntry>): Uint8Array {
  return encodeArchiveWithDigest(entries).bytes;
}

/**
 * encodeArchive, also giving SHA-256 of the whole archive (what α is made of). The bytes are hashed once, as they are
 * written: the trailer is the digest of a copy of the running state, and the same state then takes the trailer.
 */
export function encodeArchiveWithDigest(entries: Iterable<ArchiveEntry>): { bytes: Uint8Array; digest: Uint8Array } {
  const list = [...entries].map((e) => {
    checkPath(e.path);
    return { path: e.path, pathBytes: encoder.encode(e.path), data: e.data };
  });
  list.sort((x, y) => compareBytes(x.pathBytes, y.pathBytes));
  for (let i = 1; i < list.length; i++) {
    if (compareBytes(list[i - 1]!.pathBytes, list[i]!.pathBytes) === 0) throw new PathInvalidError(list[i]!.path, 'duplicate path');
  }
  if (list.length > MAX_ENTRIES) throw new ArchiveMalformedError(`more than ${MAX_ENTRIES} files`);
  let size = HEADER_BYTES + TRAILER_BYTES;
  for (const e of list) size += 2 + e.pathBytes.length + 4 + e.data.length;
  if (size > MAX_ARCHIVE_BYTES) throw new ArchiveMalformedError(`larger than ${MAX_ARCHIVE_BYTES} bytes`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(encoder.encode(ARCHIVE_MAGIC), 0);
  out[8] = ARCHIVE_VERSION;
  out[9] = 0;
  view.setUint32(10, list.length);
  const hash = createSha256();
  let at = HEADER_BYTES;
  let hashed = 0;
  for (const e of list) {
    view.setUint16(at, e.pathBytes.length);
    out.set(e.pathBytes, at + 2);
    at += 2 + e.pathBytes.length;
    view.setUint32(at, e.data.length);
    out.set(e.data, at + 4);
    at += 4 + e.data.length;
    // Hash in pieces of at least 1 MiB: fewer calls for many small files, bounded work per call for large ones.
    if (at - hashed >= 1 << 20) {
      hash.update(out.subarray(hashed, at));
      hashed = at;
    }
  }
  hash.update(out.subarray(hashed, at));
  const trailer = hash.copy().digest();
  out.set(trailer, at);
  return { bytes: out, digest: hash.update(trailer).digest() };
}

export interface ArchiveDigests {
  /** SHA-256 of every byte before the trailer (what the trailer must be). */
  content: Uint8Array;
  /** SHA-256 of the whole archive (what α is made of). */
  whole: Uint8Array;
}

/** Both digests of an archive in one pass over its bytes. */
export function archiveDigests(bytes: Uint8Array): ArchiveDigests {
  const end = Math.max(0, bytes.length - TRAILER_BYTES);
  const hash = createSha256().update(bytes.subarray(0, end));
  const content = hash.copy().digest();
  return { content, whole: hash.update(bytes.subarray(end)).digest() };
}

/**
 * Reads an archive, refusing anything that is not exactly canonical: wrong magic/version/flags, a length that runs
 * past the end, paths out of order, unsafe paths, invalid UTF-8, trailing bytes or a wrong trailer digest.
 * The returned data are views into `bytes` (no copy).
 */
export function decodeArchive(bytes: Uint8Array, digests?: ArchiveDigests): ArchiveEntry[] {
  if (!(bytes instanceof Uint8Array)) throw new ArchiveMalformedError('expected bytes');
  if (bytes.length > MAX_ARCHIVE_BYTES) throw new ArchiveMalformedError(`larger than ${MAX_ARCHIVE_BYTES} bytes`);
  if (bytes.length < HEADER_BYTES) {
    const prefix = encoder.encode(ARCHIVE_MAGIC).subarray(0, bytes.length);
    if (compareBytes(prefix, bytes) === 0) throw new ArchiveTruncatedError(`only ${bytes.length} bytes, the header alone has ${HEADER_BYTES}`);
    throw new ArchiveMalformedError('it does not start with "TWGRANUL"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < 8; i++) {
    if (bytes[i] !== ARCHIVE_MAGIC.charCodeAt(i)) throw new ArchiveMalformedError('it does not start with "TWGRANUL"');
  }
  if (bytes[8] !== ARCHIVE_VERSION) throw new ArchiveMalformedError(`format version ${bytes[8]} is not supported (this app reads version ${ARCHIVE_VERSION})`);
  if (bytes[9] !== 0) throw new ArchiveMalformedError('unknown flags are set');
  const count = view.getUint32(10);
  if (count > MAX_ENTRIES) throw new ArchiveMalformedError(`it declares ${count} files (at most ${MAX_ENTRIES})`);
  const end = bytes.length - TRAILER_BYTES;
  const entries: ArchiveEntry[] = [];
  let at = HEADER_BYTES;
  let previous: Uint8Array | undefined;
  for (let i = 0; i < count; i++) {
    if (at + 2 > end) throw new ArchiveTruncatedError(`entry ${i + 1} of ${count} is missing`);
    const pathLength = view.getUint16(at);
    if (pathLength === 0 || pathLength > MAX_PATH_BYTES) throw new ArchiveMalformedError(`entry ${i + 1} has a path length of ${pathLength}`);
    if (at + 2 + pathLength + 4 > end) throw new ArchiveTruncatedError(`entry ${i + 1} of ${count} is cut short`);
    const pathBytes = bytes.subarray(at + 2, at + 2 + pathLength);
    let path: string;
    try {
      path = strictDecoder.decode(pathBytes);
    } catch {
      throw new ArchiveMalformedError(`entry ${i + 1} has a path that is not UTF-8`);
    }
    checkPath(path);
    if (previous && compareBytes(previous, pathBytes) >= 0) throw new ArchiveMalformedError(`entry ${JSON.stringify(path)} is out of order or duplicated`);
    previous = pathBytes;
    at += 2 + pathLength;
    const dataLength = view.getUint32(at);
    at += 4;
    if (at + dataLength > end) throw new ArchiveTruncatedError(`the data of ${JSON.stringify(path)} runs past the end`);
    entries.push({ path, data: bytes.subarray(at, at + dataLength) });
    at += dataLength;
  }
  if (at !== end) {
    if (at > end) throw new ArchiveTruncatedError('the integrity trailer is missing');
    throw new ArchiveMalformedError(`${end - at} unexpected bytes after the last file`);
  }
  const digest = digests?.content ?? sha256(bytes.subarray(0, end));
  if (compareBytes(digest, bytes.subarray(end)) !== 0) throw new ArchiveMalformedError('its integrity trailer does not match its content (corrupted)');
  return entries;
}
