// G2/G3 arcs as Marlin plans them: the arc in the XY plane is cut into chords of about MM_PER_ARC_SEGMENT, with Z and E
// spread evenly over them (helices), centre given by I/J offsets or by a radius R.

import type { Vec4 } from './types';

/** Marlin's MM_PER_ARC_SEGMENT default. */
export const MM_PER_ARC_SEGMENT = 1;
const MIN_SEGMENTS = 1;

export interface ArcSpec {
  clockwise: boolean;
  /** Centre offset from the start point (I/J), mm. */
  i?: number;
  j?: number;
  /** Radius (R form); negative R asks for the long way round. */
  r?: number;
  /** Full turns added (Marlin's P). */
  turns?: number;
}

/**
 * The end points of the chords that make up the arc from `from` to `to` (the last one is `to`). Returns [to] when the
 * arc is degenerate (no centre, or radius too small), which Marlin also treats as a straight move.
 */
export function arcPoints(from: Vec4, to: Vec4, spec: ArcSpec, mmPerSegment = MM_PER_ARC_SEGMENT): Vec4[] {
  let ox: number;
  let oy: number;
  if (spec.r !== undefined && spec.r !== 0) {
    const dx = to.x - from.x;
    const dy = to.y - from.y;
    if (dx === 0 && dy === 0) return [to];
    const r = spec.r;
    const d = Math.hypot(dx, dy);
    const h2 = (r - d / 2) * (r + d / 2);
    const h = h2 > 0 ? Math.sqrt(h2) : 0;
    const e = spec.clockwise !== r < 0 ? -1 : 1;
    const cx = (from.x + to.x) / 2 + (e * h * -dy) / d;
    const cy = (from.y + to.y) / 2 + (e * h * dx) / d;
    ox = cx - from.x;
    oy = cy - from.y;
  } else {
    ox = spec.i ?? 0;
    oy = spec.j ?? 0;
    if (ox === 0 && oy === 0) return [to];
  }
  const cx = from.x + ox;
  const cy = from.y + oy;
  const rP = -ox;
  const rQ = -oy;
  const radius = Math.hypot(rP, rQ);
  const tP = to.x - cx;
  const tQ = to.y - cy;
  let angular = Math.atan2(rP * tQ - rQ * tP, rP * tP + rQ * tQ);
  if (angular < 0) angular += 2 * Math.PI;
  if (spec.clockwise) angular -= 2 * Math.PI;
  // Start equal to end means a full circle.
  if (Math.abs(angular) < 1e-9 && from.x === to.x && from.y === to.y) angular = spec.clockwise ? -2 * Math.PI : 2 * Math.PI;
  if (spec.turns) angular += (spec.clockwise ? -1 : 1) * 2 * Math.PI * spec.turns;
  const flat = Math.abs(angular) * radius;
  const length = Math.hypot(flat, to.z - from.z);
  const segments = Math.max(MIN_SEGMENTS, Math.floor(length / mmPerSegment));
  const points: Vec4[] = [];
  for (let k = 1; k < segments; k++) {
    const a = (angular * k) / segments;
    const cos = Math.cos(a);
    const sin = Math.sin(a);
    const f = k / segments;
    points.push({
      x: cx + rP * cos - rQ * sin,
      y: cy + rP * sin + rQ * cos,
      z: from.z + (to.z - from.z) * f,
      e: from.e + (to.e - from.e) * f,
    });
  }
  points.push(to);
  return points;
}
