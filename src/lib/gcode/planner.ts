// A Marlin-like motion planner: per-axis feed-rate and acceleration limits (M201/M203), print/retract/travel
// acceleration (M204), classic jerk at junctions (M205 X/Y/Z/E), trapezoidal speed profiles and a look-ahead buffer
// that is recalculated (reverse then forward pass) as blocks arrive. The estimate and the simulated firmware both run
// moves through this one planner, so the estimate and the simulated print time differ only where a real print would
// (the planner starving when the link is slow, heating waits).

import type { Vec4 } from './types';
import { arg, type GcodeCommand } from './words';

type Axes4 = { x: number; y: number; z: number; e: number };

export interface MotionLimits {
  /** Max feed rate per axis, mm/s (M203). */
  maxFeedrate: Axes4;
  /** Max acceleration per axis, mm/s² (M201). */
  maxAcceleration: Axes4;
  /** Acceleration of printing moves, mm/s² (M204 P, or S). */
  printAcceleration: number;
  /** Acceleration of extruder-only moves, mm/s² (M204 R). */
  retractAcceleration: number;
  /** Acceleration of travel moves, mm/s² (M204 T, or S). */
  travelAcceleration: number;
  /** Speed change allowed without acceleration per axis, mm/s (M205 X/Y/Z/E). */
  jerk: Axes4;
  /** Minimum feed rates, mm/s (M205 S for printing, T for travel). */
  minFeedrate: number;
  minTravelFeedrate: number;
}

export function copyLimits(l: MotionLimits): MotionLimits {
  return { ...l, maxFeedrate: { ...l.maxFeedrate }, maxAcceleration: { ...l.maxAcceleration }, jerk: { ...l.jerk } };
}

const AXES4 = ['x', 'y', 'z', 'e'] as const;

/**
 * Apply M201, M203, M204 or M205 to `limits` in place. Returns true when the command was one of them. Values are taken
 * as given, as Marlin does (it trusts the slicer's machine limits).
 */
export function applyLimitCommand(limits: MotionLimits, cmd: GcodeCommand): boolean {
  if (cmd.letter !== 'M') return false;
  switch (cmd.code) {
    case 201:
    case 203: {
      const target = cmd.code === 201 ? limits.maxAcceleration : limits.maxFeedrate;
      for (const a of AXES4) {
        const v = arg(cmd, a.toUpperCase());
        if (v !== undefined && v > 0) target[a] = v;
      }
      return true;
    }
    case 204: {
      const s = arg(cmd, 'S');
      if (s !== undefined && s > 0) limits.printAcceleration = limits.travelAcceleration = s;
      const p = arg(cmd, 'P');
      if (p !== undefined && p > 0) limits.printAcceleration = p;
      const r = arg(cmd, 'R');
      if (r !== undefined && r > 0) limits.retractAcceleration = r;
      const t = arg(cmd, 'T');
      if (t !== undefined && t > 0) limits.travelAcceleration = t;
      return true;
    }
    case 205: {
      for (const a of AXES4) {
        const v = arg(cmd, a.toUpperCase());
        if (v !== undefined && v >= 0) limits.jerk[a] = v;
      }
      const s = arg(cmd, 'S');
      if (s !== undefined && s >= 0) limits.minFeedrate = s;
      const t = arg(cmd, 'T');
      if (t !== undefined && t >= 0) limits.minTravelFeedrate = t;
      return true;
    }
  }
  return false;
}

/** Marlin's M503-style report lines for the limits (what M201…M205 without arguments print). */
export function limitsReport(l: MotionLimits, code: 201 | 203 | 204 | 205): string {
  const f = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
  switch (code) {
    case 201:
      return `echo:  M201 X${f(l.maxAcceleration.x)} Y${f(l.maxAcceleration.y)} Z${f(l.maxAcceleration.z)} E${f(l.maxAcceleration.e)}`;
    case 203:
      return `echo:  M203 X${f(l.maxFeedrate.x)} Y${f(l.maxFeedrate.y)} Z${f(l.maxFeedrate.z)} E${f(l.maxFeedrate.e)}`;
    case 204:
      return `echo:  M204 P${f(l.printAcceleration)} R${f(l.retractAcceleration)} T${f(l.travelAcceleration)}`;
    case 205:
      return `echo:  M205 S${f(l.minFeedrate)} T${f(l.minTravelFeedrate)} X${f(l.jerk.x)} Y${f(l.jerk.y)} Z${f(l.jerk.z)} E${f(l.jerk.e)}`;
  }
}

export interface PlannedBlock {
  from: Vec4;
  to: Vec4;
  /** Seconds the block takes with the speeds the planner settled on. */
  seconds: number;
  distance: number;
  entrySpeed: number;
  exitSpeed: number;
  nominalSpeed: number;
  /** Free value the caller attached (a command index, a feature). */
  tag: number;
}

interface Block extends PlannedBlock {
  accel: number;
  /** Highest entry speed the junction with the previous block allows. */
  maxEntry: number;
  /** Speed the block may start or stop at without acceleration (jerk-limited). */
  safeSpeed: number;
  unit: Axes4;
}

/** Seconds for a trapezoid over `d` mm from `vi` to `vf` with cruise `v` and acceleration `a`. */
export function trapezoidSeconds(d: number, vi: number, vf: number, v: number, a: number): number {
  if (d <= 0) return 0;
  const cruise = Math.max(v, vi, vf);
  const da = (cruise * cruise - vi * vi) / (2 * a);
  const dd = (cruise * cruise - vf * vf) / (2 * a);
  if (da + dd <= d) return (cruise - vi) / a + (cruise - vf) / a + (d - da - dd) / cruise;
  const peak = Math.sqrt(Math.max((2 * a * d + vi * vi + vf * vf) / 2, vi * vi, vf * vf));
  return Math.max(0, (peak - vi) / a) + Math.max(0, (peak - vf) / a);
}

export class MotionPlanner {
  private queue: Block[] = [];
  /** Exit speed of the last block that left the buffer (Infinity at rest: the next block may start at its safe speed). */
  private lastExit = Infinity;
  private previous: Block | undefined;

  constructor(readonly limits: MotionLimits) {}

  get length(): number {
    return this.queue.length;
  }

  /** Where the oldest waiting block starts, if any. */
  peek(): Vec4 | undefined {
    return this.queue[0]?.from;
  }

  /** Add a straight move at `feedMmPerMin` (overrides already applied). Zero-length moves are dropped. */
  add(from: Vec4, to: Vec4, feedMmPerMin: number, tag = 0): boolean {
    const d = { x: to.x - from.x, y: to.y - from.y, z: to.z - from.z, e: to.e - from.e };
    const xyz = Math.hypot(d.x, d.y, d.z);
    const distance = xyz > 1e-6 ? xyz : Math.abs(d.e);
    if (distance <= 1e-6) return false;
    const l = this.limits;
    const unit = { x: d.x / distance, y: d.y / distance, z: d.z / distance, e: d.e / distance };
    const travel = xyz > 1e-6 && Math.abs(d.e) <= 1e-9;
    const retract = xyz <= 1e-6;
    let speed = Math.max(feedMmPerMin / 60, travel ? l.minTravelFeedrate : l.minFeedrate, 0.1);
    let accel = retract ? l.retractAcceleration : travel ? l.travelAcceleration : l.printAcceleration;
    for (const a of AXES4) {
      const u = Math.abs(unit[a]);
      if (u > 1e-9) {
        speed = Math.min(speed, l.maxFeedrate[a] / u);
        accel = Math.min(accel, l.maxAcceleration[a] / u);
      }
    }
    accel = Math.max(accel, 1);
    // Jerk-limited speed from or to rest: the largest speed no axis changes by more than its jerk.
    let safe = speed;
    for (const a of AXES4) {
      const u = Math.abs(unit[a]);
      if (u > 1e-9) safe = Math.min(safe, l.jerk[a] / u);
    }
    let maxEntry = safe;
    const prev = this.previous;
    if (prev) {
      // Classic jerk: scale the junction speed until no axis changes its velocity by more than its jerk.
      let v = Math.min(speed, prev.nominalSpeed);
      for (const a of AXES4) {
        const jump = Math.abs(prev.unit[a] * v - unit[a] * v);
        if (jump > l.jerk[a] && jump > 1e-9) v *= l.jerk[a] / jump;
      }
      maxEntry = Math.max(safe, Math.min(v, speed, prev.nominalSpeed));
    }
    const block: Block = { from, to, seconds: 0, distance, entrySpeed: 0, exitSpeed: 0, nominalSpeed: speed, tag, accel, maxEntry, safeSpeed: safe, unit };
    this.queue.push(block);
    this.previous = block;
    return true;
  }

  /** Take the oldest block out with its speeds fixed from what is known now (the newest block must be able to stop). */
  shift(): PlannedBlock | undefined {
    const q = this.queue;
    const first = q[0];
    if (!first) return undefined;
    // Reverse pass: each block's entry is limited by what it can decelerate to the next block's entry.
    let next = q[q.length - 1]!.safeSpeed;
    for (let i = q.length - 1; i >= 1; i--) {
      const b = q[i]!;
      next = Math.min(b.maxEntry, Math.sqrt(next * next + 2 * b.accel * b.distance));
    }
    const entry = Math.min(this.lastExit, first.maxEntry);
    const exit = Math.min(next, Math.sqrt(entry * entry + 2 * first.accel * first.distance), q.length > 1 ? Infinity : first.safeSpeed);
    first.entrySpeed = entry;
    first.exitSpeed = exit;
    first.seconds = trapezoidSeconds(first.distance, entry, exit, first.nominalSpeed, first.accel);
    q.shift();
    this.lastExit = exit;
    if (q.length === 0) {
      // The machine stops (or nearly) after its last block.
      this.previous = undefined;
      this.lastExit = Infinity;
    }
    const { accel: _a, maxEntry: _m, safeSpeed: _s, unit: _u, ...planned } = first;
    return planned;
  }

  /** Take every block out (the machine will stop after the last one): M400, G4, heating waits, end of file. */
  flush(): PlannedBlock[] {
    const out: PlannedBlock[] = [];
    let b: PlannedBlock | undefined;
    while ((b = this.shift())) out.push(b);
    return out;
  }

  /** Forget everything queued (power loss, kill). */
  clear(): void {
    this.queue = [];
    this.previous = undefined;
    this.lastExit = Infinity;
  }
}
