// The host checks the shape of every message a granule sends before the runtime acts on it: a granule's worker is
// ours, but the text inside comes from granule code, so nothing in it is trusted (types, sizes, unknown kinds).
import type { GranuleToHost } from '../sandbox-protocol';

const NAME_MAX = 256;
const isId = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
const isName = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= NAME_MAX;
const has = (m: Record<string, unknown>, key: string) => Object.hasOwn(m, key);

/** Parses and checks a granule → host message; returns it, or a sentence saying what is wrong. */
export function parseGranuleMessage(text: string): { message: GranuleToHost } | { problem: string } {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return { problem: 'it sent a message that is not JSON' };
  }
  if (!m || typeof m !== 'object' || Array.isArray(m)) return { problem: 'it sent a message that is not an object' };
  const o = m as Record<string, unknown>;
  const ok = (() => {
    switch (o.t) {
      case 'ready':
        return Array.isArray(o.operations) && o.operations.length <= 1024 && o.operations.every(isName);
      case 'fatal':
        return typeof o.error === 'string';
      case 'res':
        return isId(o.id) && typeof o.ok === 'boolean' && (o.ok ? has(o, 'value') : typeof o.error === 'string');
      case 'call':
        return isId(o.id) && isName(o.target) && isName(o.op) && has(o, 'payload');
      case 'emit':
        return isName(o.topic) && has(o, 'payload');
      case 'sub':
        return isName(o.topic);
      case 'log':
        return typeof o.text === 'string';
      case 'pong':
        return isId(o.id);
      default:
        return false;
    }
  })();
  if (!ok) return { problem: `it sent a malformed or unknown message (${typeof o.t === 'string' ? JSON.stringify(o.t.slice(0, 40)) : 'no kind'})` };
  if (o.t === 'fatal' && (o.error as string).length > 4000) o.error = (o.error as string).slice(0, 4000) + '…';
  return { message: o as unknown as GranuleToHost };
}
