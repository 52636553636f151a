// Generates the appearance granules' 3D models (scene.json) from each printer's Table 2 dimensions, so the geometry
// is reproducible and checked by a test. Format "twingrain/scene@1" (a deliberately small alternative to glTF):
//   units mm, z up, origin at the front-left corner of the build plate's top surface at home position;
//   nodes: boxes and cylinders, `position` = centre, `size` = [x, y, z] extents (cylinders: [diameter, diameter, height],
//   axis along z), `role` one of frame | bed | gantry | carriage | toolhead | nozzle | electronics;
//   motion: which nodes translate with which axis position (a viewer adds the reported X/Y/Z to their positions).
export interface SceneNode {
  id: string;
  role: 'frame' | 'bed' | 'gantry' | 'carriage' | 'toolhead' | 'nozzle' | 'electronics';
  shape: 'box' | 'cylinder';
  size: [number, number, number];
  position: [number, number, number];
  color: string;
}

export interface Scene {
  schema: 'twingrain/scene@1';
  printer: string;
  units: 'mm';
  up: 'z';
  buildVolume: { x: number; y: number; z: number };
  kinematics: 'bed-slinger' | 'xy-gantry-z-bed';
  nodes: SceneNode[];
  motion: { x: string[]; y: string[]; z: string[] };
  bounds: { min: [number, number, number]; max: [number, number, number] };
}

export interface SceneSpec {
  printer: string;
  volume: { x: number; y: number; z: number };
  kinematics: Scene['kinematics'];
  nozzles: 1 | 2;
  color: string;
}

const r = (n: number) => Math.round(n * 10) / 10;
const box = (id: string, role: SceneNode['role'], size: number[], position: number[], color: string): SceneNode => ({
  id,
  role,
  shape: 'box',
  size: size.map(r) as [number, number, number],
  position: position.map(r) as [number, number, number],
  color,
});

export function printerScene(spec: SceneSpec): Scene {
  const { x: X, y: Y, z: Z } = spec.volume;
  const m = 40; // margin between build volume and frame
  const post = 30; // frame profile size
  const bedT = 8;
  const nodes: SceneNode[] = [];
  const slinger = spec.kinematics === 'bed-slinger';
  // Frame: bed-slingers have a base plus a portal; gantry machines a full box frame around the volume.
  const fx0 = -m - post, fx1 = X + m + post, fy0 = -m - post, fy1 = Y + m + post;
  const baseH = 40;
  nodes.push(box('base', 'frame', [fx1 - fx0, fy1 - fy0, baseH], [(fx0 + fx1) / 2, (fy0 + fy1) / 2, -bedT - baseH / 2 - (slinger ? 20 : Z + 20)], spec.color));
  const bottom = -bedT - (slinger ? 20 : Z + 20);
  const top = Z + 120;
  const height = top - bottom;
  const postY = slinger ? [Y / 2] : [fy0 + post / 2, fy1 - post / 2];
  for (const px of [fx0 + post / 2, fx1 - post / 2]) for (const py of postY) nodes.push(box(`post-${px < 0 ? 'l' : 'r'}-${py < Y / 2 ? 'f' : py > Y / 2 ? 'b' : 'm'}`, 'frame', [post, post, height], [px, py, bottom + height / 2], spec.color));
  nodes.push(box('top-beam', 'frame', [fx1 - fx0, post, post], [(fx0 + fx1) / 2, slinger ? Y / 2 : fy1 - post / 2, top - post / 2], spec.color));
  if (!slinger) nodes.push(box('top-beam-front', 'frame', [fx1 - fx0, post, post], [(fx0 + fx1) / 2, fy0 + post / 2, top - post / 2], spec.color));
  // Bed: plate plus carrier, moving in Y (slinger) or Z (gantry machine).
  nodes.push(box('bed', 'bed', [X + 20, Y + 20, bedT], [X / 2, Y / 2, -bedT / 2], '#2f3a40'));
  nodes.push(box('bed-surface', 'bed', [X, Y, 1], [X / 2, Y / 2, 0.5], '#c9b27c'));
  // Gantry: a beam across X that carries the carriage; rises with Z (slinger) or moves in Y (gantry machine).
  const gantryZ = 60;
  nodes.push(box('gantry', 'gantry', [fx1 - fx0 - 2 * post, 25, 25], [(fx0 + fx1) / 2, slinger ? Y / 2 + 30 : 0, gantryZ], '#5d6d74'));
  nodes.push(box('carriage', 'carriage', [60, 40, 60], [0, slinger ? Y / 2 : 0, gantryZ - 10], '#444c52'));
  const toolX = spec.nozzles === 2 ? [-12, 12] : [0];
  nodes.push(box('toolhead', 'toolhead', [spec.nozzles === 2 ? 70 : 50, 45, 50], [0, slinger ? Y / 2 - 25 : -25, 30], '#2a6f97'));
  toolX.forEach((dx, i) => nodes.push({ id: `nozzle-${i}`, role: 'nozzle', shape: 'cylinder', size: [6, 6, 10], position: [dx, slinger ? Y / 2 - 25 : -25, 5], color: '#d4a017' }));
  nodes.push(box('electronics', 'electronics', [120, 80, 30], [fx1 - post - 60, fy0 + 60, bottom + baseH + 15], '#1b1b1b'));
  // Default colour for nodes created without one.
  for (const n of nodes) if (!n.color) n.color = '#5d6d74';
  const toolIds = ['carriage', 'toolhead', ...toolX.map((_, i) => `nozzle-${i}`)];
  const motion = slinger
    ? { x: toolIds, y: ['bed', 'bed-surface'], z: ['gantry', ...toolIds] }
    : { x: toolIds, y: ['gantry', ...toolIds], z: ['bed', 'bed-surface'] };
  const xs = nodes.flatMap((n) => [n.position[0] - n.size[0] / 2, n.position[0] + n.size[0] / 2]);
  const ys = nodes.flatMap((n) => [n.position[1] - n.size[1] / 2, n.position[1] + n.size[1] / 2]);
  const zs = nodes.flatMap((n) => [n.position[2] - n.size[2] / 2, n.position[2] + n.size[2] / 2]);
  return {
    schema: 'twingrain/scene@1',
    printer: spec.printer,
    units: 'mm',
    up: 'z',
    buildVolume: { ...spec.volume },
    kinematics: spec.kinematics,
    nodes,
    motion,
    bounds: { min: [r(Math.min(...xs)), r(Math.min(...ys)), r(Math.min(...zs))], max: [r(Math.max(...xs)), r(Math.max(...ys)), r(Math.max(...zs))] },
  };
}

/** The three reference printers' appearance specs (Table 2 volumes). */
export const sceneSpecs: Record<string, SceneSpec> = {
  'shdm-3ddtp-500': { printer: 'SHDM 3DDTP-500', volume: { x: 500, y: 500, z: 600 }, kinematics: 'xy-gantry-z-bed', nozzles: 1, color: '#8a969c' },
  'jgaurora-z-603s': { printer: 'JGAurora Z-603S', volume: { x: 280, y: 180, z: 180 }, kinematics: 'bed-slinger', nozzles: 1, color: '#3b3f44' },
  'bluemaker-bm10-450': { printer: 'BlueMaker BM10-450', volume: { x: 300, y: 350, z: 450 }, kinematics: 'xy-gantry-z-bed', nozzles: 2, color: '#2d5f8b' },
};
