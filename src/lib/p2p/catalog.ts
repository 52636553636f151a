// The Discover catalog: registered granules (from the chain's Registered events, mirrored by the records module)
// joined with their public manifests fetched from IPFS, kept in a small Dexie database of this area so search works
// offline. A manifest that cannot be fetched yet is listed as unavailable and retried on the next sync.
import Dexie, { type Table } from 'dexie';
import type { Helia } from '@helia/interface';
import { cidFromChainBytes } from './public-manifest';
import { fetchPublicManifest } from './granule-store';
import { ManifestMismatchError } from './errors';

export interface CatalogEntry {
  alpha: string;
  manifestCid: string;
  ownerPk: string;
  /** The owner's name as the public manifest gives it (claimed by the owner, not verified). */
  ownerName?: string;
  blockNumber: number;
  state: 'ok' | 'unavailable' | 'mismatch';
  problem?: string;
  name: string;
  version: string;
  description: string;
  domain: string;
  context: string;
  printers: string[];
  tags: string[];
  license: string;
  fetchedAt: number;
}

export interface AuthRequestRow {
  id: string;
  direction: 'incoming' | 'outgoing';
  alpha: string;
  granuleName: string;
  ownerPk: string;
  userPk: string;
  /** Names the two sides give themselves (claimed, not verified). */
  userName?: string;
  ownerName?: string;
  peerId: string;
  /** For outgoing requests: the peer the owner answered from (so the app can name that peer). */
  ownerPeerId?: string;
  /** received: the requester got the granule and keeps it (set on the requester's side). */
  state: 'pending' | 'approved' | 'declined' | 'received';
  /** For approved requests: the record address the user instantiates with. */
  recordAddress?: string;
  reason?: string;
  createdAt: number;
}

export class CatalogDb extends Dexie {
  catalog!: Table<CatalogEntry, string>;
  requests!: Table<AuthRequestRow, string>;
  constructor(name = 'twingrain-discover') {
    super(name);
    this.version(1).stores({
      catalog: 'alpha, state, domain, context, *printers, *tags, blockNumber',
      requests: 'id, direction, state, alpha, createdAt',
    });
  }
}

export interface RegistrationLike {
  alpha: string;
  manifestCid: string;
  ownerPk: string;
  blockNumber: number;
}

/** Fetches the manifests of registrations not yet (or not successfully) in the catalog. */
export async function syncCatalog(
  db: CatalogDb,
  helia: Helia,
  registrations: RegistrationLike[],
  options: { timeoutMs?: number } = {},
): Promise<{ added: number; unavailable: number }> {
  let added = 0;
  let unavailable = 0;
  await Promise.all(
    registrations.map(async (r) => {
      const known = await db.catalog.get(r.alpha);
      if (known && known.state !== 'unavailable') return;
      const base = { alpha: r.alpha, manifestCid: '', ownerPk: r.ownerPk, blockNumber: r.blockNumber, fetchedAt: Date.now() };
      const empty = { name: '', version: '', description: '', domain: '', context: '', printers: [], tags: [], license: '' };
      try {
        const cid = cidFromChainBytes(r.manifestCid);
        const m = await fetchPublicManifest({ helia, cid, expectedAlpha: r.alpha, signal: AbortSignal.timeout(options.timeoutMs ?? 10_000) });
        const { ownerName, ...info } = m.granule;
        await db.catalog.put({
          ...base,
          manifestCid: cid.toString(),
          state: 'ok',
          ...info,
          printers: m.granule.printers,
          tags: m.granule.tags,
          ...(typeof ownerName === 'string' && ownerName ? { ownerName: ownerName.slice(0, 64) } : {}),
        });
        added++;
      } catch (error) {
        const mismatch = error instanceof ManifestMismatchError;
        if (!mismatch) unavailable++;
        await db.catalog.put({
          ...base,
          ...empty,
          name: r.alpha.slice(0, 14) + '…',
          state: mismatch ? 'mismatch' : 'unavailable',
          problem: (error as Error).message,
        });
      }
    }),
  );
  return { added, unavailable };
}

export interface CatalogQuery {
  text?: string;
  domain?: string;
  context?: string;
  printer?: string;
  tag?: string;
}

export function matches(e: CatalogEntry, q: CatalogQuery): boolean {
  const lc = (s: string | undefined): string => (s ?? '').trim().toLowerCase();
  if (lc(q.domain) && lc(e.domain) !== lc(q.domain)) return false;
  if (lc(q.context) && !lc(e.context).includes(lc(q.context))) return false;
  if (lc(q.printer) && !e.printers.some((p) => lc(p).includes(lc(q.printer)))) return false;
  if (lc(q.tag) && !e.tags.some((t) => lc(t) === lc(q.tag))) return false;
  const text = lc(q.text);
  if (text) {
    const hay = [e.name, e.description, e.domain, e.context, e.alpha, e.ownerName ?? '', ...e.tags, ...e.printers].join(' ').toLowerCase();
    if (!text.split(/\s+/).every((w) => hay.includes(w))) return false;
  }
  return true;
}

export async function searchCatalog(db: CatalogDb, q: CatalogQuery): Promise<CatalogEntry[]> {
  const all = await db.catalog.orderBy('blockNumber').reverse().toArray();
  return all.filter((e) => matches(e, q));
}
