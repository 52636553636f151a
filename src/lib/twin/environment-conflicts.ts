// Granules composed into one twin describe the machine they were made for (build volume, firmware, model). When a
// granule brought in from another printer says otherwise than the rest of the twin, the twin contradicts itself —
// a 500 × 500 mm mechanics under a 280 × 180 mm frame — and the person composing it should hear so before running it.
import type { GranuleManifest } from '../granule/index';

export interface EnvironmentConflict {
  /** Which parameter disagrees: "buildVolume", "firmware" or "printerModel". */
  parameter: 'buildVolume' | 'firmware' | 'printerModel';
  /** The incoming granule's value and the twin's value(s), as text for a sentence. */
  incoming: string;
  twin: string;
  message: string;
}

const text = (v: unknown): string | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if ('x' in o && 'y' in o && 'z' in o) return `${String(o.x)} × ${String(o.y)} × ${String(o.z)} mm`;
    if ('name' in o) return [o.name, o.version].filter(Boolean).join(' ');
    return JSON.stringify(v);
  }
  return String(v);
};

const PARAMETERS = [
  { parameter: 'buildVolume', label: 'build volume' },
  { parameter: 'firmware', label: 'firmware' },
  { parameter: 'printerModel', label: 'printer model' },
] as const;

/** What `incoming` says about its machine that the other granules of the twin contradict. */
export function environmentConflicts(
  incoming: Pick<GranuleManifest, 'name' | 'environment'>,
  others: Array<Pick<GranuleManifest, 'environment'>>,
): EnvironmentConflict[] {
  const out: EnvironmentConflict[] = [];
  for (const { parameter, label } of PARAMETERS) {
    const mine = text((incoming.environment ?? {})[parameter]);
    if (!mine) continue;
    const theirs = [...new Set(others.map((o) => text((o.environment ?? {})[parameter])).filter((v): v is string => v !== undefined))];
    const differing = theirs.filter((t) => t !== mine);
    if (differing.length === 0) continue;
    const twin = differing.join(', ');
    out.push({ parameter, incoming: mine, twin, message: `${incoming.name} was made for a ${label} of ${mine}, but the rest of this twin says ${twin}.` });
  }
  return out;
}
