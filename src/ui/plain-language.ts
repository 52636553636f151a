// The words a printer owner should never meet outside a "Technical details" disclosure (issue 15), and the finder
// both checks use: the unit test over the Svelte sources and the Playwright walk over every page's visible text.
const JARGON: Array<{ name: string; pattern: RegExp }> = [
  { name: 'α', pattern: /α/ },
  { name: 'Poseidon', pattern: /poseidon/i },
  { name: 'Groth16', pattern: /groth16/i },
  { name: 'X25519', pattern: /x25519/i },
  { name: 'leaf', pattern: /\bleaf\b/i },
  { name: 'root', pattern: /\broots?\b/i },
  { name: 'CID', pattern: /\bCIDs?\b|\bbaf[ky][a-z2-7]{20,}/ },
  // A whole key or address: 40 or more hex digits standing alone (an access code such as
  // twingrain:authorization/…/0x… is something the member hands over, so a hex run after "/" or "=" is not counted).
  { name: 'raw public key', pattern: /(^|[^\w/=])0x[0-9a-fA-F]{40,}/ },
  { name: 'raw peer id', pattern: /\b12D3KooW[1-9A-HJ-NP-Za-km-z]{30,}/ },
];

/** The jargon found in a text, with a little context for the failure message. */
export function findJargon(text: string): Array<{ word: string; context: string }> {
  const out: Array<{ word: string; context: string }> = [];
  for (const { name, pattern } of JARGON) {
    const m = pattern.exec(text);
    if (m) out.push({ word: name, context: text.slice(Math.max(0, m.index - 40), m.index + m[0].length + 40).replace(/\s+/g, ' ') });
  }
  return out;
}

/**
 * The text a Svelte component shows outside any <details> (TechDetails renders one): markup text and the
 * attributes people read (placeholder, title, aria-label, label), without script, style, comments or
 * {expressions}. Dynamic text is covered by the page walk; this catches what is written into the markup.
 */
export function visibleSvelteText(source: string): string {
  let s = source
    .replace(/<script[\s\S]*?<\/script>/g, ' ')
    .replace(/<style[\s\S]*?<\/style>/g, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ');
  // Innermost first, so nested disclosures go too.
  for (let i = 0; i < 10; i++) {
    const before = s;
    s = s
      .replace(/<TechDetails\b[^>]*>(?:(?!<TechDetails\b)[\s\S])*?<\/TechDetails>/g, ' ')
      .replace(/<details\b[^>]*>(?:(?!<details\b)[\s\S])*?<\/details>/g, ' ');
    if (s === before) break;
  }
  const attributes: string[] = [];
  s = s.replace(/<[A-Za-z][^>]*>/g, (tag) => {
    for (const m of tag.matchAll(/\b(placeholder|title|aria-label|label|alt)="([^"]*)"/g)) attributes.push(m[2]!);
    return ' ';
  });
  s = s.replace(/<\/[^>]+>/g, ' ');
  // {#if …}, {expression}: code, not words (string literals inside are dynamic text the page walk sees).
  let depth = 0;
  let out = '';
  for (const ch of s) {
    if (ch === '{') depth++;
    else if (ch === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return `${out} ${attributes.map((a) => a.replace(/\{[^}]*\}/g, ' ')).join(' ')}`;
}
