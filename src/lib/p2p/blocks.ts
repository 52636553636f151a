// Reading one whole block: Helia's blockstore yields a block in parts, and every reader here wants its bytes.
import type { Helia } from '@helia/interface';
import type { CID } from 'multiformats/cid';

export function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The block's bytes; `offline` reads only this node's store (a missing block throws instead of being wanted). */
export async function readBlock(helia: Pick<Helia, 'blockstore'>, cid: CID, options: { signal?: AbortSignal; offline?: boolean } = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of helia.blockstore.get(cid, options)) parts.push(part);
  return concat(parts);
}
