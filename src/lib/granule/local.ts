// Keeping granule archives locally, in the app database's `granules` table (keyed by α). The archive bytes are
// stored as packed; reading one back verifies it again, so a damaged or tampered row is refused, not used.
import type { TwingrainDb } from '../store/index';
import { unpackGranule, type UnpackGranuleReturnType } from './pack';

export interface GranuleRow {
  alpha: string;
  name: string;
  version: string;
  domain: string;
  context: string;
  owner: string;
  printerModels: string[];
  tags: string[];
  description: string;
  size: number;
  sha256: string;
  bytes: Uint8Array;
  /** How it got here: packed by this user, imported from an archive file, or received from its owner after a grant. */
  origin: 'contributed' | 'imported' | 'received';
  /** For received granules: who granted it (the key the chain recorded as owner, and the name they claim). */
  from?: { ownerPk: string; ownerName?: string };
  createdAt: number;
}

/** Verifies the archive and stores it; returns the row. Keeping the same α twice keeps one row. */
export async function keepGranule(db: TwingrainDb, bytes: Uint8Array, origin: GranuleRow['origin'], from?: GranuleRow['from']): Promise<GranuleRow> {
  const g = unpackGranule({ bytes });
  const m = g.manifest;
  const row: GranuleRow = {
    alpha: g.alphaHex,
    name: m.name,
    version: m.version,
    domain: m.domain,
    context: m.context,
    owner: m.owner.publicKey,
    printerModels: m.printers,
    tags: m.tags,
    description: m.description,
    size: g.size,
    sha256: g.sha256,
    bytes: Uint8Array.from(bytes),
    origin,
    ...(from ? { from } : {}),
    createdAt: Date.now(),
  };
  await db.granules.put(row as unknown as Record<string, unknown> & { alpha: string });
  return row;
}

export async function listGranules(db: TwingrainDb): Promise<GranuleRow[]> {
  const rows = (await db.granules.toArray()) as unknown as GranuleRow[];
  return rows.filter((r) => r.bytes instanceof Uint8Array).sort((a, b) => b.createdAt - a.createdAt);
}

/** Reads a kept granule back, verifying it against its α. */
export async function loadGranule(db: TwingrainDb, alpha: string): Promise<UnpackGranuleReturnType | undefined> {
  const row = (await db.granules.get(alpha)) as unknown as GranuleRow | undefined;
  if (!row) return undefined;
  return unpackGranule({ bytes: row.bytes, expectedAlpha: alpha });
}
