// The modal state of a Marlin machine reading G-code: absolute/relative axes (G90/G91) and extruder (M82/M83), logical
// position offsets (G92), units (G20/G21), the modal feed rate, speed and flow overrides, the active tool. It turns
// motion commands into the straight pieces the planner receives (arcs already cut into chords).

import { arcPoints, MM_PER_ARC_SEGMENT } from './arcs';
import { arg, has, type GcodeCommand } from './words';
import type { Vec4 } from './types';

export type Axis = 'x' | 'y' | 'z';

export interface InterpreterOptions {
  /** Software endstops: positions are kept inside [0, volume] as Marlin does with min/max software endstops on. */
  volume?: { x: number; y: number; z: number };
  mmPerArcSegment?: number;
}

export type MotionResult =
  | {
      kind: 'move';
      from: Vec4;
      /** End points of the straight pieces (one for G0/G1, the chords for G2/G3). */
      points: Vec4[];
      /** Feed rate in mm/min after units and the speed override. */
      feed: number;
      arc: boolean;
    }
  | { kind: 'home'; from: Vec4; to: Vec4; axes: Axis[] };

const AXES: Axis[] = ['x', 'y', 'z'];
const INCH = 25.4;

export class GcodeInterpreter {
  position: Vec4 = { x: 0, y: 0, z: 0, e: 0 };
  /** Modal feed rate, mm/min. */
  feed = 1500;
  relative = false;
  relativeE = false;
  inches = false;
  speedPercent = 100;
  flowPercent = 100;
  tool = 0;
  homed = false;

  constructor(private readonly options: InterpreterOptions = {}) {}

  /** Power-on state. */
  reset(): void {
    this.position = { x: 0, y: 0, z: 0, e: 0 };
    this.feed = 1500;
    this.relative = this.relativeE = this.inches = this.homed = false;
    this.speedPercent = this.flowPercent = 100;
    this.tool = 0;
  }

  /** Apply a command's effect on the modal state; returns the motion it asks for, if any. */
  execute(cmd: GcodeCommand): MotionResult | undefined {
    if (cmd.letter === 'G') {
      switch (cmd.code) {
        case 0:
        case 1:
          return this.linear(cmd);
        case 2:
        case 3:
          return this.arc(cmd, cmd.code === 2);
        case 20:
          this.inches = true;
          return undefined;
        case 21:
          this.inches = false;
          return undefined;
        case 28:
          return this.home(cmd);
        case 90:
          this.relative = this.relativeE = false;
          return undefined;
        case 91:
          this.relative = this.relativeE = true;
          return undefined;
        case 92:
          for (const a of ['x', 'y', 'z', 'e'] as const) {
            const v = arg(cmd, a.toUpperCase());
            if (v !== undefined) this.position[a] = this.unit(v);
          }
          return undefined;
      }
    } else if (cmd.letter === 'M') {
      switch (cmd.code) {
        case 82:
          this.relativeE = false;
          return undefined;
        case 83:
          this.relativeE = true;
          return undefined;
        case 220: {
          const s = arg(cmd, 'S');
          if (s !== undefined) this.speedPercent = Math.max(10, Math.min(999, s));
          return undefined;
        }
        case 221: {
          const s = arg(cmd, 'S');
          if (s !== undefined) this.flowPercent = Math.max(10, Math.min(999, s));
          return undefined;
        }
      }
    } else if (cmd.letter === 'T' && Number.isFinite(cmd.code)) {
      this.tool = cmd.code;
    }
    return undefined;
  }

  private unit(v: number): number {
    return this.inches ? v * INCH : v;
  }

  private target(cmd: GcodeCommand): Vec4 {
    const f = arg(cmd, 'F');
    if (f !== undefined && f > 0) this.feed = this.unit(f);
    const to: Vec4 = { ...this.position };
    for (const a of AXES) {
      const v = arg(cmd, a.toUpperCase());
      if (v !== undefined) to[a] = this.relative ? this.position[a] + this.unit(v) : this.unit(v);
    }
    const e = arg(cmd, 'E');
    if (e !== undefined) to.e = this.relativeE ? this.position.e + this.unit(e) : this.unit(e);
    const vol = this.options.volume;
    if (vol) for (const a of AXES) to[a] = Math.max(0, Math.min(vol[a], to[a]));
    return to;
  }

  private linear(cmd: GcodeCommand): MotionResult {
    const from = { ...this.position };
    const to = this.target(cmd);
    this.position = to;
    return { kind: 'move', from, points: [to], feed: this.feed * (this.speedPercent / 100), arc: false };
  }

  private arc(cmd: GcodeCommand, clockwise: boolean): MotionResult {
    const from = { ...this.position };
    const to = this.target(cmd);
    this.position = to;
    const r = arg(cmd, 'R');
    const i = arg(cmd, 'I');
    const j = arg(cmd, 'J');
    const points = arcPoints(
      from,
      to,
      {
        clockwise,
        ...(r !== undefined ? { r: this.unit(r) } : {}),
        ...(i !== undefined ? { i: this.unit(i) } : {}),
        ...(j !== undefined ? { j: this.unit(j) } : {}),
        turns: arg(cmd, 'P', 0),
      },
      this.options.mmPerArcSegment ?? MM_PER_ARC_SEGMENT,
    );
    return { kind: 'move', from, points, feed: this.feed * (this.speedPercent / 100), arc: true };
  }

  private home(cmd: GcodeCommand): MotionResult {
    const from = { ...this.position };
    const all = !has(cmd, 'X') && !has(cmd, 'Y') && !has(cmd, 'Z');
    const axes = AXES.filter((a) => all || has(cmd, a.toUpperCase()));
    const to = { ...from };
    for (const a of axes) to[a] = 0;
    this.position = to;
    if (all) this.homed = true;
    return { kind: 'home', from, to, axes };
  }
}

/** Seconds a homing move takes at `homingFeedrate` mm/s (the slowest axis, plus the bump and back-off). */
export function homingSeconds(from: Vec4, axes: Axis[], homingFeedrate: number): number {
  let secs = 0;
  for (const a of axes) secs = Math.max(secs, Math.abs(from[a]) / homingFeedrate + 1);
  return secs;
}

/** Points a G29 bilinear probe visits (3×3) and the seconds each takes (move, probe, retract). */
export const PROBE_GRID = 3;
export function probingSeconds(): number {
  return PROBE_GRID * PROBE_GRID * 2.5;
}
