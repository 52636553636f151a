// The granules the Share page offers: those of the reference twins (packed in the browser by the Twins page's
// loader, so α equals the CLI's) and those kept locally (contributed or imported on the Twins page).
import { listGranules, type GranuleManifest } from '../../lib/granule/index';
import type { TwingrainDb } from '../../lib/store/index';

export interface GranuleChoice {
  key: string;
  label: string;
  /** reference: bundled with the app; contributed / imported / received: kept on this device. */
  kind: 'reference' | 'contributed' | 'imported' | 'received';
  alpha: bigint;
  manifest: GranuleManifest;
  /** The packed archive, published on the peer-to-peer layer when registering. */
  archive: Uint8Array;
}

export async function granuleChoices(db: TwingrainDb): Promise<GranuleChoice[]> {
  const { staticTwins } = await import('../twins/static-twins');
  const choices = new Map<string, GranuleChoice>();
  for (const twin of staticTwins()) {
    for (const g of twin.granules) {
      const known = choices.get(g.alpha);
      if (known) known.label += `, ${twin.loaded.twin.name}`;
      else
        choices.set(g.alpha, {
          key: `reference:${g.alpha}`,
          kind: 'reference',
          label: `${g.manifest.name} ${g.manifest.version} — reference twin ${twin.loaded.twin.name}`,
          alpha: BigInt(g.alpha),
          manifest: g.manifest,
          archive: g.bytes,
        });
    }
  }
  const { unpackGranule } = await import('../../lib/granule/index');
  for (const row of await listGranules(db)) {
    if (choices.has(row.alpha)) continue;
    // Read back through unpack so a damaged row is refused rather than registered.
    try {
      const g = unpackGranule({ bytes: row.bytes, expectedAlpha: row.alpha });
      choices.set(row.alpha, {
        key: `local:${row.alpha}`,
        kind: row.origin,
        label: `${row.name} ${row.version} — kept on this device (${row.origin})`,
        alpha: g.alpha,
        manifest: g.manifest,
        archive: row.bytes,
      });
    } catch {
      /* a damaged row: the Twins page shows and removes it */
    }
  }
  return [...choices.values()];
}
