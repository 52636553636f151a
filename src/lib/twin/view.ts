// What a context's view returns: a small declarative tree the host renders (granule code never touches the DOM).
// Unknown node types are shown as JSON, so a new granule cannot break the page.
export type ViewNode =
  | { type: 'section'; title: string; children: ViewNode[] }
  | { type: 'kv'; items: [string, string][] }
  | { type: 'table'; columns: string[]; rows: (string | number)[][] }
  | { type: 'text'; text: string }
  | { type: 'json'; title?: string; value: unknown; download?: string }
  | { type: 'scene'; scene: SceneDescription; pose?: { x: number; y: number; z: number } }
  | { type: 'controls'; controls: ControlDescription[] };

export interface ControlDescription {
  op: string;
  label: string;
  payload?: Record<string, unknown>;
  /** One editable number in the payload. */
  field?: { name: string; min: number; max: number; unit: string };
}

/** "twingrain/scene@1" — see static-twins/scene.ts for the format. */
export interface SceneDescription {
  schema: 'twingrain/scene@1';
  printer: string;
  units: 'mm';
  up: 'z';
  buildVolume: { x: number; y: number; z: number };
  kinematics: string;
  nodes: { id: string; role: string; shape: 'box' | 'cylinder'; size: [number, number, number]; position: [number, number, number]; color: string }[];
  motion: { x: string[]; y: string[]; z: string[] };
  bounds: { min: [number, number, number]; max: [number, number, number] };
}

const KNOWN = new Set(['section', 'kv', 'table', 'text', 'json', 'scene', 'controls']);

/** Narrows untrusted view output: anything malformed becomes a json node showing what was returned. */
export function asViewNode(value: unknown): ViewNode {
  if (!value || typeof value !== 'object' || !KNOWN.has((value as { type?: string }).type ?? '')) return { type: 'json', title: 'view output', value };
  const v = value as ViewNode;
  switch (v.type) {
    case 'section':
      return Array.isArray(v.children) ? { type: 'section', title: String(v.title ?? ''), children: v.children.map(asViewNode) } : { type: 'json', value };
    case 'kv':
      return Array.isArray(v.items)
        ? { type: 'kv', items: v.items.filter(Array.isArray).map((i) => [String(i[0]), String(i[1])] as [string, string]) }
        : { type: 'json', value };
    case 'table':
      return Array.isArray(v.columns) && Array.isArray(v.rows)
        ? {
            type: 'table',
            columns: v.columns.map(String),
            rows: v.rows.filter(Array.isArray).map((r) => r.map((c) => (typeof c === 'number' ? c : String(c)))),
          }
        : { type: 'json', value };
    case 'text':
      return { type: 'text', text: String(v.text) };
    case 'controls':
      return Array.isArray(v.controls)
        ? { type: 'controls', controls: v.controls.filter((c) => c && typeof c.op === 'string').map((c) => ({ ...c, label: String(c.label ?? c.op) })) }
        : { type: 'json', value };
    case 'scene':
      return v.scene && Array.isArray(v.scene.nodes) ? v : { type: 'json', value };
    default:
      return v;
  }
}
