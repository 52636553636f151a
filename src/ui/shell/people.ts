// How a member appears on screen: the name they gave themselves and a short form of their key. The name is what the
// member claims (anyone may call themselves anything); the key is what the chain knows.
export function shortKey(key: string): string {
  const k = key.trim();
  if (k.length <= 14) return k;
  return `${k.slice(0, 6)}…${k.slice(-4)}`;
}

/** "Workshop A · 0x0365…4b5b", or just the short key when no name is known. */
export function personLabel(name: string | undefined, key: string): string {
  const n = (name ?? '').trim();
  return n ? `${n} · ${shortKey(key)}` : shortKey(key);
}
