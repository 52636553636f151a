// Names for what the chain knows only as numbers: granule names by ID (reference twins, granules kept here, the
// Discover catalog) and members' claimed names by key (from requests, replies and published granules).
import type { TwingrainDb } from '../../lib/store';
import { listGranules } from '../../lib/granule/index';

export interface NameBook {
  granule(alpha: string): string | undefined;
  person(key: string): string | undefined;
}

export async function nameBook(db: TwingrainDb): Promise<NameBook> {
  const granules = new Map<string, string>();
  const people = new Map<string, string>();
  const { staticTwins } = await import('../twins/static-twins');
  for (const t of staticTwins()) for (const g of t.granules) granules.set(g.alpha, `${g.manifest.name} ${g.manifest.version}`);
  for (const row of await listGranules(db)) {
    granules.set(row.alpha, `${row.name} ${row.version}`);
    if (row.from?.ownerName) people.set(row.from.ownerPk, row.from.ownerName);
  }
  for (const e of await db.catalog.toArray()) {
    if (e.state === 'ok') granules.set(e.alpha, `${e.name} ${e.version}`);
    if (e.ownerName) people.set(e.ownerPk, e.ownerName);
  }
  for (const r of await db.requests.toArray()) {
    if (r.userName) people.set(r.userPk, r.userName);
    if (r.ownerName) people.set(r.ownerPk, r.ownerName);
  }
  const key = (k: string) => k.toLowerCase();
  return { granule: (a) => granules.get(key(a)), person: (k) => people.get(key(k)) };
}
