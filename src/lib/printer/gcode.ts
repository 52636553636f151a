// G-code analysis for the preview and the simulation context's estimate: layers, extrusion segments, print time and
// filament. Fed line by line, so it works on streamed files; in the browser it runs in src/workers/gcode.worker.ts.

import { linearMoveSeconds, type Vec4 } from '../sim/motion';
import { Heater } from '../sim/thermal';
import type { PrinterProfile } from '../sim/profiles';
import { stripComment } from './framing';

export interface GcodeLayer {
  z: number;
  /** Index (among the file's commands) of the first command of this layer. */
  firstCommand: number;
  /** Index of the first segment of this layer in `segments`. */
  firstSegment: number;
}

export interface GcodeAnalysis {
  /** Commands in the file (comments and blank lines are not commands). */
  commandCount: number;
  layers: GcodeLayer[];
  /** Extrusion segments as x0,y0,z0,x1,y1,z1 (mm). */
  segments: Float32Array;
  /** For each segment, the index of the command that draws it. */
  segmentCommand: Uint32Array;
  /** True when the file had more segments than kept for the preview. */
  truncated: boolean;
  /** Estimated print time in seconds (moves, dwell, homing and heating waits). */
  estimateSeconds: number;
  /** Seconds of that spent waiting for heaters. */
  heatingSeconds: number;
  /** Filament pushed, mm. */
  filamentMm: number;
  bounds: { min: [number, number, number]; max: [number, number, number] };
  /** Commands the reference firmware will not know (counted, first few kept). */
  unknownCommands: { count: number; examples: string[] };
}

const KNOWN = /^(G0|G1|G2|G3|G4|G10|G11|G20|G21|G28|G29|G90|G91|G92|M17|M18|M73|M82|M83|M84|M104|M105|M106|M107|M109|M110|M114|M115|M117|M140|M150|M155|M190|M220|M221|M300|M400|M154|T0|T1)$/;

export class GcodeAnalyzer {
  private pos: Vec4 = { x: 0, y: 0, z: 0, e: 0 };
  private feed = 1500;
  private relative = false;
  private relativeE = false;
  private speedPercent = 100;
  private commands = 0;
  private layers: GcodeLayer[] = [];
  private segs: Float32Array;
  private segCmd: Uint32Array;
  private segCount = 0;
  private truncated = false;
  private seconds = 0;
  private heating = 0;
  private filament = 0;
  private min: [number, number, number] = [Infinity, Infinity, Infinity];
  private max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  private hotends: Heater[];
  private bed: Heater;
  private tool = 0;
  private unknown = { count: 0, examples: [] as string[] };

  constructor(readonly profile: PrinterProfile, private readonly maxSegments = 2_000_000) {
    this.segs = new Float32Array(6 * 4096);
    this.segCmd = new Uint32Array(4096);
    this.hotends = Array.from({ length: profile.features.extruders }, () => new Heater(profile.hotend));
    this.bed = new Heater(profile.bed);
  }

  /** Feed one line of the file. Returns the command text, or '' for a line that carries none. */
  push(line: string): string {
    const command = stripComment(line);
    if (!command) return '';
    const index = this.commands++;
    const upper = command.toUpperCase();
    const m = /^([GMT])(\d+)/.exec(upper);
    const word = m ? `${m[1]}${Number(m[2])}` : upper.split(/\s/)[0]!;
    if (!KNOWN.test(word)) {
      this.unknown.count++;
      if (this.unknown.examples.length < 5) this.unknown.examples.push(command.slice(0, 40));
    }
    const args = parseWords(upper.slice(m ? m[0].length : 0));
    switch (word) {
      case 'G0':
      case 'G1':
      case 'G2':
      case 'G3':
        this.move(args, index);
        break;
      case 'G4':
        this.seconds += (args.P ?? 0) / 1000 + (args.S ?? 0);
        break;
      case 'G28': {
        const secs = Math.max(this.pos.x, this.pos.y, this.pos.z) / this.profile.homingFeedrate + 1;
        this.seconds += secs;
        this.pos = { ...this.pos, x: 0, y: 0, z: 0 };
        break;
      }
      case 'G90':
        this.relative = this.relativeE = false;
        break;
      case 'G91':
        this.relative = this.relativeE = true;
        break;
      case 'M82':
        this.relativeE = false;
        break;
      case 'M83':
        this.relativeE = true;
        break;
      case 'G92':
        for (const a of ['x', 'y', 'z', 'e'] as const) {
          const v = args[a.toUpperCase()];
          if (v !== undefined) this.pos[a] = v;
        }
        break;
      case 'M104':
      case 'M109': {
        const h = this.hotends[args.T ?? this.tool];
        const target = args.S ?? args.R;
        if (h && target !== undefined) {
          h.setTarget(Math.min(target, this.profile.hotend.maxTarget), this.seconds);
          if (word === 'M109') this.waitHeater(h, h.target);
        }
        break;
      }
      case 'M140':
      case 'M190': {
        const target = args.S ?? args.R;
        if (this.profile.features.heatedBed && target !== undefined) {
          this.bed.setTarget(Math.min(target, this.profile.bed.maxTarget), this.seconds);
          if (word === 'M190') this.waitHeater(this.bed, this.bed.target);
        }
        break;
      }
      case 'M220':
        if (args.S !== undefined) this.speedPercent = args.S;
        break;
      case 'T0':
      case 'T1':
        this.tool = Number(word.slice(1));
        break;
    }
    return command;
  }

  private waitHeater(h: Heater, target: number): void {
    if (target <= 0) return;
    const wait = h.secondsUntil(target, this.seconds);
    if (Number.isFinite(wait) && wait > 0 && h.temperature(this.seconds) < target - 1) {
      this.seconds += wait;
      this.heating += wait;
    }
  }

  private move(args: Record<string, number>, index: number): void {
    if (args.F !== undefined && args.F > 0) this.feed = args.F;
    const to: Vec4 = { ...this.pos };
    for (const a of ['x', 'y', 'z'] as const) {
      const v = args[a.toUpperCase()];
      if (v !== undefined) to[a] = this.relative ? this.pos[a] + v : v;
    }
    if (args.E !== undefined) to.e = this.relativeE ? this.pos.e + args.E : args.E;
    const v = this.profile.volume;
    to.x = Math.max(0, Math.min(v.x, to.x));
    to.y = Math.max(0, Math.min(v.y, to.y));
    to.z = Math.max(0, Math.min(v.z, to.z));
    this.seconds += linearMoveSeconds(this.pos, to, this.feed, this.profile, this.speedPercent);
    const de = to.e - this.pos.e;
    const moved = to.x !== this.pos.x || to.y !== this.pos.y;
    if (de > 0) this.filament += de;
    if (de > 0 && moved) {
      const layer = this.layers[this.layers.length - 1];
      if (!layer || to.z > layer.z + 1e-6) {
        this.layers.push({ z: to.z, firstCommand: index, firstSegment: this.segCount });
      }
      this.addSegment(this.pos, to, index);
      for (let i = 0; i < 3; i++) {
        const a = i === 0 ? 'x' : i === 1 ? 'y' : 'z';
        this.min[i] = Math.min(this.min[i]!, this.pos[a], to[a]);
        this.max[i] = Math.max(this.max[i]!, this.pos[a], to[a]);
      }
    }
    this.pos = to;
  }

  private addSegment(a: Vec4, b: Vec4, index: number): void {
    if (this.segCount >= this.maxSegments) {
      this.truncated = true;
      return;
    }
    if (this.segCount >= this.segCmd.length) {
      const size = Math.min(this.maxSegments, this.segCmd.length * 2);
      const segs = new Float32Array(size * 6);
      segs.set(this.segs);
      const cmd = new Uint32Array(size);
      cmd.set(this.segCmd);
      this.segs = segs;
      this.segCmd = cmd;
    }
    const o = this.segCount * 6;
    this.segs[o] = a.x;
    this.segs[o + 1] = a.y;
    this.segs[o + 2] = a.z;
    this.segs[o + 3] = b.x;
    this.segs[o + 4] = b.y;
    this.segs[o + 5] = b.z;
    this.segCmd[this.segCount] = index;
    this.segCount++;
  }

  result(): GcodeAnalysis {
    const finite = this.segCount > 0;
    return {
      commandCount: this.commands,
      layers: this.layers,
      segments: this.segs.slice(0, this.segCount * 6),
      segmentCommand: this.segCmd.slice(0, this.segCount),
      truncated: this.truncated,
      estimateSeconds: this.seconds,
      heatingSeconds: this.heating,
      filamentMm: this.filament,
      bounds: finite ? { min: this.min, max: this.max } : { min: [0, 0, 0], max: [0, 0, 0] },
      unknownCommands: this.unknown,
    };
  }
}

function parseWords(rest: string): Record<string, number> {
  const args: Record<string, number> = {};
  const re = /([A-Z])\s*(-?\d*\.?\d*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest))) {
    const v = Number(m[2]);
    args[m[1]!] = m[2] === '' || !Number.isFinite(v) ? 0 : v;
  }
  return args;
}

/** Analyse a whole file from a line stream. */
export async function analyzeGcode(lines: AsyncIterable<{ text: string }> | Iterable<{ text: string }>, profile: PrinterProfile): Promise<GcodeAnalysis> {
  const analyzer = new GcodeAnalyzer(profile);
  for await (const line of lines) analyzer.push(line.text);
  return analyzer.result();
}

/** The layer a command index belongs to (binary search over layers). */
export function layerOfCommand(layers: GcodeLayer[], commandIndex: number): number {
  let lo = 0;
  let hi = layers.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (layers[mid]!.firstCommand <= commandIndex) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface GenerateOptions {
  /** Number of layers. */
  layers: number;
  /** Square side, mm. */
  size?: number;
  /** Segments per layer side (more = many short segments). */
  segmentsPerSide?: number;
  layerHeight?: number;
  center?: { x: number; y: number };
  hotend?: number;
  bed?: number;
  feed?: number;
  tools?: number;
}

/** Generate a printable test part: a hollow square tower of many short segments. */
export function* generateTestGcode(o: GenerateOptions): Generator<string> {
  const size = o.size ?? 20;
  const per = o.segmentsPerSide ?? 10;
  const lh = o.layerHeight ?? 0.2;
  const cx = o.center?.x ?? 50;
  const cy = o.center?.y ?? 50;
  const feed = o.feed ?? 3000;
  yield '; twingrain generated test part';
  if (o.bed) yield `M140 S${o.bed}`;
  if (o.hotend) yield `M104 S${o.hotend}`;
  yield 'G28';
  if (o.bed) yield `M190 S${o.bed}`;
  if (o.hotend) yield `M109 S${o.hotend}`;
  yield 'G90';
  yield 'M83';
  yield 'G92 E0';
  const step = size / per;
  for (let layer = 0; layer < o.layers; layer++) {
    const z = (layer + 1) * lh;
    if (o.tools === 2) yield `T${layer % 2}`;
    yield `; layer ${layer + 1}`;
    yield `G0 X${(cx - size / 2).toFixed(2)} Y${(cy - size / 2).toFixed(2)} Z${z.toFixed(2)} F${feed}`;
    const corners: [number, number][] = [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0, -1],
    ];
    let x = cx - size / 2;
    let y = cy - size / 2;
    for (const [dx, dy] of corners) {
      for (let i = 0; i < per; i++) {
        x += dx * step;
        y += dy * step;
        yield `G1 X${x.toFixed(2)} Y${y.toFixed(2)} E${(step * 0.033).toFixed(4)} F${feed}`;
      }
    }
  }
  yield 'G91';
  yield 'G1 Z5 F600';
  yield 'G90';
  yield 'M104 S0';
  if (o.bed) yield 'M140 S0';
  yield 'M84';
}
