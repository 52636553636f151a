// Slicers' feature comments: `;TYPE:WALL-OUTER` (Cura), `;TYPE:External perimeter` (PrusaSlicer/SuperSlicer),
// `; FEATURE: Outer wall` (Bambu Studio/OrcaSlicer). Each maps to one of a few kinds, each with a colour.

export const FEATURES = [
  { id: 0, name: 'Travel', color: [110, 120, 130] },
  { id: 1, name: 'Outer wall', color: [242, 177, 52] },
  { id: 2, name: 'Inner wall', color: [230, 110, 60] },
  { id: 3, name: 'Infill', color: [200, 60, 80] },
  { id: 4, name: 'Top/bottom skin', color: [90, 160, 230] },
  { id: 5, name: 'Support', color: [110, 200, 120] },
  { id: 6, name: 'Skirt/brim', color: [160, 120, 220] },
  { id: 7, name: 'Bridge', color: [80, 210, 210] },
  { id: 8, name: 'Other', color: [220, 220, 220] },
] as const;

export type FeatureId = (typeof FEATURES)[number]['id'];
export const TRAVEL: FeatureId = 0;
export const OTHER: FeatureId = 8;

const RULES: [RegExp, FeatureId][] = [
  [/support|interface/i, 5],
  [/skirt|brim|prime\s*tower|wipe\s*tower/i, 6],
  [/bridge/i, 7],
  [/outer|external|wall-outer/i, 1],
  [/inner|perimeter|wall/i, 2],
  [/top|bottom|skin|solid|ironing/i, 4],
  [/infill|fill|sparse/i, 3],
];

/** The feature a comment announces, or undefined when the comment is not a feature marker. */
export function featureOfComment(comment: string): FeatureId | undefined {
  const m = /^(?:TYPE:|\s*FEATURE:)\s*(.+)$/i.exec(comment);
  if (!m) return undefined;
  const name = m[1]!.trim();
  for (const [re, id] of RULES) if (re.test(name)) return id;
  return OTHER;
}
