// The Discover catalog: registered granules (from the chain's Registered events, mirrored by the records module)
// joined with their public manifests fetched from IPFS, kept in the app database's catalog table so search works
// offline. A manifest that cannot be fetched yet is listed as unavailable and retried on the next sync.
import type { Table } from 'dexie';
import type { CatalogEntry } from '../store/index';
import type { Helia } from '@helia/interface';
import { cidFromChainBytes } from './public-manifest';
import { fetchPublicManifest } from './granule-store';
import { ManifestMismatchError } from './errors';

/** The app database's catalog table (store's TwingrainDb has it since schema v5). */
type CatalogTable = { catalog: Table<CatalogEntry, string> };

export interface RegistrationLike {
  alpha: string;
  manifestCid: string;
  ownerPk: string;
  blockNumber: number;
}

/** Fetches the manifests of registrations not yet (or not successfully) in the catalog. */
export async function syncCatalog(
  db: CatalogTable,
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

function matches(e: CatalogEntry, q: CatalogQuery): boolean {
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

export async function searchCatalog(db: CatalogTable, q: CatalogQuery): Promise<CatalogEntry[]> {
  const all = await db.catalog.orderBy('blockNumber').reverse().toArray();
  return all.filter((e) => matches(e, q));
}
