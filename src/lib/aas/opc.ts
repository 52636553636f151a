// The Open Packaging Conventions (ECMA-376 Part 2) parts an AASX needs: [Content_Types].xml and relationship parts.
// Only the small, fixed XML vocabulary of these two files is read, so a dedicated reader suffices (and runs the same
// in Node and the browser, which has no shared XML parser).
import { NotAnAasxError, UnsafePathError } from './errors';

export const CONTENT_TYPES_PART = '[Content_Types].xml';
export const RELS_CONTENT_TYPE = 'application/vnd.openxmlformats-package.relationships+xml';

export interface Relationship {
  id: string;
  type: string;
  target: string;
  external: boolean;
}

const escapeXml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_m, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

/** The XML parts of the OPC structure are a few KiB; a larger one is refused before it is read. */
export const MAX_XML_PART_BYTES = 1024 * 1024;

/**
 * Every `<tag …/>` or `<tag …>` element with the given local name, as attribute maps. A single forward scan with
 * indexOf, so the cost stays linear in the input whatever a hostile package puts there.
 */
function elements(xml: string, tag: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  let at = 0;
  for (;;) {
    const open = xml.indexOf('<', at);
    if (open < 0) break;
    const close = xml.indexOf('>', open + 1);
    if (close < 0) break;
    at = close + 1;
    let body = xml.slice(open + 1, close);
    if (body.endsWith('/')) body = body.slice(0, -1);
    let nameEnd = 0;
    while (nameEnd < body.length && !/\s/.test(body[nameEnd]!)) nameEnd++;
    const name = body.slice(0, nameEnd);
    if (name !== tag && !name.endsWith(`:${tag}`)) continue;
    out.push(attributes(body.slice(nameEnd)));
  }
  return out;
}

function attributes(text: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (;;) {
    skip();
    const nameStart = i;
    while (i < text.length && !/[\s=]/.test(text[i]!)) i++;
    const name = text.slice(nameStart, i);
    if (!name) break;
    skip();
    if (text[i] !== '=') break;
    i++;
    skip();
    const quote = text[i];
    if (quote !== '"' && quote !== "'") break;
    const end = text.indexOf(quote, i + 1);
    if (end < 0) break;
    attrs[name] = unescapeXml(text.slice(i + 1, end));
    i = end + 1;
  }
  return attrs;
}

export function writeContentTypes(defaults: Record<string, string>, overrides: Record<string, string>): Uint8Array {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'];
  for (const [ext, type] of Object.entries(defaults)) lines.push(`  <Default Extension="${escapeXml(ext)}" ContentType="${escapeXml(type)}" />`);
  for (const [part, type] of Object.entries(overrides)) lines.push(`  <Override PartName="${escapeXml(part)}" ContentType="${escapeXml(type)}" />`);
  lines.push('</Types>');
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

/** Content type of a part name by the package's [Content_Types].xml (overrides first, then extension defaults). */
export function readContentTypes(xml: string): (partName: string) => string | undefined {
  const defaults = new Map(elements(xml, 'Default').map((a) => [(a.Extension ?? '').toLowerCase(), a.ContentType ?? '']));
  const overrides = new Map(elements(xml, 'Override').map((a) => [(a.PartName ?? '').toLowerCase(), a.ContentType ?? '']));
  return (partName) => {
    const o = overrides.get(partName.toLowerCase());
    if (o !== undefined) return o;
    const last = partName.slice(partName.lastIndexOf('/') + 1);
    const dot = last.lastIndexOf('.');
    return dot >= 0 ? defaults.get(last.slice(dot + 1).toLowerCase()) : undefined;
  };
}

export function writeRelationships(rels: Omit<Relationship, 'external'>[]): Uint8Array {
  const lines = ['<?xml version="1.0" encoding="utf-8"?>', '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'];
  for (const r of rels) lines.push(`  <Relationship Type="${escapeXml(r.type)}" Target="${escapeXml(r.target)}" Id="${escapeXml(r.id)}" />`);
  lines.push('</Relationships>');
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

export function readRelationships(xml: string): Relationship[] {
  return elements(xml, 'Relationship').map((a) => ({ id: a.Id ?? '', type: a.Type ?? '', target: a.Target ?? '', external: a.TargetMode === 'External' }));
}

/** The relationship part of a source part: "/a/b.json" → "a/_rels/b.json.rels"; the package root ("/") → "_rels/.rels". */
export function relsEntryOf(partName: string): string {
  if (partName === '/') return '_rels/.rels';
  const slash = partName.lastIndexOf('/');
  return `${partName.slice(1, slash + 1)}_rels/${partName.slice(slash + 1)}.rels`;
}

/**
 * Resolves a relationship target (or an AAS File value) against its source part into a zip entry name. Refuses any
 * target that climbs above the package root or carries a backslash; percent-escapes are decoded.
 */
export function resolvePart(sourcePart: string, target: string): string {
  if (target.includes('\\')) throw new UnsafePathError(target, 'a backslash, which some systems read as a folder separator');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(target) || target.startsWith('//')) throw new UnsafePathError(target, 'a reference outside the package');
  const clean = target.split(/[?#]/)[0]!;
  const base = clean.startsWith('/') ? [] : sourcePart.split('/').slice(1, -1);
  for (const raw of clean.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      throw new UnsafePathError(target, 'a broken percent-escape');
    }
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (base.length === 0) throw new UnsafePathError(target, 'a ".." segment that climbs out of the package');
      base.pop();
      continue;
    }
    if (seg.includes('/') || seg.includes('\\')) throw new UnsafePathError(target, 'an escaped folder separator');
    base.push(seg);
  }
  if (base.length === 0) throw new NotAnAasxError(`a relationship points at the package itself (${JSON.stringify(target)})`);
  return base.join('/');
}

/** A zip entry name as an OPC part name ("/" + each segment percent-encoded where needed). */
export function partNameOf(entryName: string): string {
  return (
    '/' +
    entryName
      .split('/')
      .map((s) => encodeURIComponent(s).replace(/%40/g, '@').replace(/%2B/g, '+'))
      .join('/')
  );
}
