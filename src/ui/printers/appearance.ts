// The printer's 3D model comes from its appearance granule (static-twins/<id>/appearance/scene.json, format
// twingrain/scene@1). If a twin has none, a plain frame, bed and toolhead are built from its Table 2 volume.
import type { PrinterProfile } from '../../lib/machines/index';

export interface SceneNode {
  id: string;
  role: string;
  shape: 'box' | 'cylinder';
  size: [number, number, number];
  position: [number, number, number];
  color: string;
}

export interface PrinterScene {
  buildVolume: { x: number; y: number; z: number };
  nodes: SceneNode[];
  motion: { x: string[]; y: string[]; z: string[] };
  source: 'appearance-granule' | 'table-2';
}

const granules = import.meta.glob('../../../static-twins/*/appearance/scene.json', { import: 'default' });

export async function loadScene(profile: PrinterProfile): Promise<PrinterScene> {
  const load = granules[`../../../static-twins/${profile.id}/appearance/scene.json`];
  if (load) {
    const s = (await load()) as Omit<PrinterScene, 'source'>;
    return { buildVolume: s.buildVolume, nodes: s.nodes, motion: s.motion, source: 'appearance-granule' };
  }
  const { x: X, y: Y, z: Z } = profile.volume;
  return {
    buildVolume: profile.volume,
    source: 'table-2',
    nodes: [
      { id: 'bed', role: 'bed', shape: 'box', size: [X + 20, Y + 20, 8], position: [X / 2, Y / 2, -4], color: '#2f3a40' },
      { id: 'frame', role: 'frame', shape: 'box', size: [X + 60, 20, 20], position: [X / 2, -30, Z + 40], color: '#8a969c' },
      { id: 'toolhead', role: 'toolhead', shape: 'box', size: [50, 45, 50], position: [0, 0, 30], color: '#2a6f97' },
      { id: 'nozzle-0', role: 'nozzle', shape: 'cylinder', size: [6, 6, 10], position: [0, 0, 5], color: '#c0a060' },
    ],
    motion: { x: ['toolhead', 'nozzle-0'], y: ['toolhead', 'nozzle-0'], z: ['toolhead', 'nozzle-0'] },
  };
}

export interface CameraFrame {
  position: [number, number, number];
  target: [number, number, number];
  near: number;
  far: number;
}

/**
 * A camera that shows the whole machine: the bounding sphere of every node (frames stand taller than the build
 * volume) fits the narrower of the two view angles, seen from the front right and a little above.
 */
export function frameScene(scene: PrinterScene, fovDeg = 40, aspect = 2): CameraFrame {
  const lo = [Infinity, Infinity, Infinity];
  const hi = [-Infinity, -Infinity, -Infinity];
  const grow = (p: readonly number[], half: readonly number[]): void => {
    for (let i = 0; i < 3; i++) {
      lo[i] = Math.min(lo[i]!, p[i]! - half[i]!);
      hi[i] = Math.max(hi[i]!, p[i]! + half[i]!);
    }
  };
  grow([0, 0, 0], [0, 0, 0]);
  grow([scene.buildVolume.x, scene.buildVolume.y, scene.buildVolume.z], [0, 0, 0]);
  for (const n of scene.nodes)
    grow(
      n.position,
      n.size.map((s) => s / 2),
    );
  const target = [0, 1, 2].map((i) => (lo[i]! + hi[i]!) / 2) as [number, number, number];
  const radius = Math.hypot(hi[0]! - lo[0]!, hi[1]! - lo[1]!, hi[2]! - lo[2]!) / 2;
  const vertical = (fovDeg * Math.PI) / 180;
  const horizontal = 2 * Math.atan(Math.tan(vertical / 2) * aspect);
  const distance = (radius / Math.sin(Math.min(vertical, horizontal) / 2)) * 1.02;
  const dir = [1, -0.9, 0.55];
  const len = Math.hypot(...dir);
  const position = [0, 1, 2].map((i) => target[i]! + (dir[i]! / len) * distance) as [number, number, number];
  return { position, target, near: Math.max(0.1, distance - radius * 2), far: distance + radius * 4 };
}
