// The zip layer of an AASX package. Writing uses fflate. Reading walks the central directory itself before anything
// is inflated, so every limit (entry count, declared sizes, compression ratio, names) is enforced on the untrusted
// bytes first; fflate then inflates each entry into a buffer one byte larger than declared, so an entry that lies
// about its size is caught without ever holding more than the declared bytes, and each entry's CRC-32 is checked.
import { inflateSync, zipSync, type Zippable } from 'fflate';
import { PackageMalformedError, PackageTooLargeError, UnsafePathError, ZipBombError } from './errors';

export interface ZipLimits {
  /** Size of the package file itself. */
  maxPackageBytes: number;
  maxEntries: number;
  /** Uncompressed size of any one entry. */
  maxEntryBytes: number;
  /** Uncompressed size of all entries together. */
  maxTotalBytes: number;
  /** Uncompressed ÷ compressed, checked for entries of at least `ratioFloorBytes` (small files may compress well). */
  maxRatio: number;
  ratioFloorBytes: number;
}

// A twin's granules are source files: megabytes at most. These bounds leave ample room and keep a hostile package
// from taking more than a few hundred MiB of memory.
export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxPackageBytes: 256 * 1024 * 1024,
  maxEntries: 4096,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

const EOCD_SIG = 0x06054b50;
const CDH_SIG = 0x02014b50;
const LFH_SIG = 0x04034b50;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A byte count as people read it: "64 MiB", "12 KiB", "300 bytes". */
function sizeText(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KiB`;
  return `${n} bytes`;
}

let crcTable: Uint32Array | undefined;
/** CRC-32 (IEEE 802.3), the checksum zip stores for every entry. */
function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Refuses a zip entry name that could land outside the folder it is unpacked into. */
function checkEntryName(name: string): void {
  if (name.length === 0) throw new UnsafePathError(name, 'an empty name');
  if (name.includes('\\')) throw new UnsafePathError(name, 'a backslash, which some systems read as a folder separator');
  if (name.startsWith('/')) throw new UnsafePathError(name, 'an absolute path');
  if (/^[A-Za-z]:/.test(name)) throw new UnsafePathError(name, 'a drive letter');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw new UnsafePathError(name, 'a control character');
  const segments = name.split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    if (s === '..' || s === '.') throw new UnsafePathError(name, `a "${s}" segment, which climbs out of its folder`);
    // A trailing slash marks a folder entry; any other empty segment is "//".
    if (s === '' && i !== segments.length - 1) throw new UnsafePathError(name, 'an empty path segment');
  }
}

interface CentralEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function centralDirectory(bytes: Uint8Array, limits: ZipLimits): CentralEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= 0 && i >= bytes.length - 22 - 0xffff; i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new PackageMalformedError('it has no zip directory (the file is cut short or is not a zip)');
  const count = view.getUint16(eocd + 10, true);
  const cdSize = view.getUint32(eocd + 12, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff)
    throw new PackageTooLargeError('it uses the ZIP64 format, which only packages over 4 GiB or 65,535 files need');
  if (count > limits.maxEntries) throw new PackageTooLargeError(`it holds ${count} files, more than the ${limits.maxEntries} allowed`);
  if (cdOffset + cdSize > eocd) throw new PackageMalformedError('its zip directory points outside the file');
  const entries: CentralEntry[] = [];
  const names = new Set<string>();
  let total = 0;
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > eocd || view.getUint32(at, true) !== CDH_SIG) throw new PackageMalformedError('its zip directory is damaged');
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressedSize = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLen = view.getUint16(at + 28, true);
    const extraLen = view.getUint16(at + 30, true);
    const commentLen = view.getUint16(at + 32, true);
    const localOffset = view.getUint32(at + 42, true);
    if (at + 46 + nameLen > eocd) throw new PackageMalformedError('its zip directory is damaged');
    let name: string;
    try {
      name = strictUtf8.decode(bytes.subarray(at + 46, at + 46 + nameLen));
    } catch {
      throw new PackageMalformedError('a file name in it is not valid text');
    }
    at += 46 + nameLen + extraLen + commentLen;
    checkEntryName(name);
    if (names.has(name)) throw new PackageMalformedError(`it holds two files named ${JSON.stringify(name)}, so which one is meant is unclear`);
    names.add(name);
    if (flags & 1) throw new PackageMalformedError(`${JSON.stringify(name)} is encrypted, which AASX packages never are`);
    if (method !== 0 && method !== 8)
      throw new PackageMalformedError(`${JSON.stringify(name)} uses compression method ${method}; AASX packages use "stored" or "deflate"`);
    if (size > limits.maxEntryBytes)
      throw new ZipBombError(name, `would unpack to ${sizeText(size)}, more than the ${sizeText(limits.maxEntryBytes)} allowed for one file`);
    total += size;
    if (total > limits.maxTotalBytes) throw new ZipBombError(name, `brings the unpacked total to more than the ${sizeText(limits.maxTotalBytes)} allowed`);
    if (size >= limits.ratioFloorBytes && size / Math.max(compressedSize, 1) > limits.maxRatio) {
      throw new ZipBombError(name, `would grow ${Math.round(size / Math.max(compressedSize, 1))} times when unpacked (at most ${limits.maxRatio} allowed)`);
    }
    if (method === 0 && compressedSize !== size)
      throw new PackageMalformedError(`${JSON.stringify(name)} is stored uncompressed but declares two different sizes`);
    entries.push({ name, method, crc, compressedSize, size, localOffset });
  }
  return entries;
}

/**
 * Reads a zip under `limits`: every name checked for path traversal, every size and ratio checked before inflating,
 * each entry's real size and CRC-32 checked after. Folder entries (names ending in "/") are left out.
 */
export function readZip(bytes: Uint8Array, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Map<string, Uint8Array> {
  if (bytes.length > limits.maxPackageBytes)
    throw new PackageTooLargeError(`it is ${sizeText(bytes.length)}, more than the ${sizeText(limits.maxPackageBytes)} allowed`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, Uint8Array>();
  for (const e of centralDirectory(bytes, limits)) {
    if (e.name.endsWith('/')) continue;
    const at = e.localOffset;
    if (at + 30 > bytes.length || view.getUint32(at, true) !== LFH_SIG) throw new PackageMalformedError(`the data of ${JSON.stringify(e.name)} is missing`);
    const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
    const end = start + e.compressedSize;
    if (end > bytes.length) throw new PackageMalformedError(`${JSON.stringify(e.name)} is cut short`);
    const raw = bytes.subarray(start, end);
    let data: Uint8Array;
    if (e.method === 0) data = raw.slice();
    else {
      // One byte of headroom: filling it means the entry holds more than it declares.
      let inflated: Uint8Array;
      try {
        inflated = inflateSync(raw, { out: new Uint8Array(e.size + 1) });
      } catch (cause) {
        throw new PackageMalformedError(`${JSON.stringify(e.name)} cannot be decompressed (${cause instanceof Error ? cause.message : String(cause)})`);
      }
      if (inflated.length > e.size) throw new ZipBombError(e.name, `unpacks to more than the ${sizeText(e.size)} it declares`);
      if (inflated.length < e.size) throw new PackageMalformedError(`${JSON.stringify(e.name)} unpacks to ${inflated.length} bytes but declares ${e.size}`);
      data = inflated;
    }
    if (crc32(data) !== e.crc) throw new PackageMalformedError(`${JSON.stringify(e.name)} does not match its checksum (the file is damaged)`);
    out.set(e.name, data);
  }
  return out;
}

/**
 * Writes a zip with the entries in the given order. Timestamps are fixed so one twin always gives the same bytes
 * (fflate reads the date's local fields, so it is built from local fields too).
 */
export function writeZip(entries: Iterable<[string, Uint8Array]>): Uint8Array {
  const mtime = new Date(2020, 0, 1, 0, 0, 0);
  const files: Zippable = {};
  for (const [name, data] of entries) {
    checkEntryName(name);
    files[name] = [data, { level: 6, mtime }];
  }
  return zipSync(files, { mtime });
}
