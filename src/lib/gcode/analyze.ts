// The G-code analysis behind the viewer and the estimate, fed line by line so it works on streamed files of any size:
// tool paths as typed-array chunks (extrusion coloured by feature, travel apart, nearly straight runs merged for
// display), layers, the print time from the Marlin-like planner plus heating waits, filament, bounds of the part.

import { FEATURES, TRAVEL, featureOfComment, type FeatureId } from './features';
import { GcodeInterpreter, homingSeconds, probingSeconds } from './interpreter';
import type { HeaterModel, MachineModel } from './machine';
import { applyLimitCommand, copyLimits, MotionPlanner, type PlannedBlock } from './planner';
import type { Vec4 } from './types';
import { arg, commentOf, parseCommand } from './words';

export interface GcodeLayer {
  z: number;
  /** Index (among the file's commands) of the first command of this layer. */
  firstCommand: number;
}

/** A run of tool-path segments ready for a line renderer (two vertices per segment). */
export interface PathChunk {
  travel: boolean;
  /** Part of the overview of a large file: the extrusion of every n-th layer only (see overviewStride). */
  overview?: boolean;
  count: number;
  /** x0,y0,z0,x1,y1,z1 per segment, mm. */
  positions: Float32Array;
  /** r,g,b per vertex (0–255), by feature. */
  colors: Uint8Array;
  /** For each segment, the index of the last command it draws (non-decreasing). */
  commands: Uint32Array;
}

export interface GcodeAnalysis {
  /** Commands in the file (comments and blank lines are not commands). */
  commandCount: number;
  layers: GcodeLayer[];
  /** Estimated print time in seconds (moves, dwell, homing and heating waits). */
  estimateSeconds: number;
  /** Seconds of that spent waiting for heaters. */
  heatingSeconds: number;
  /** Filament pushed, mm. */
  filamentMm: number;
  /** Bounds of the extruded part (not the bed). */
  bounds: { min: [number, number, number]; max: [number, number, number] };
  /** Commands the printer's firmware will not know (counted, first few kept). */
  unknownCommands: { count: number; examples: string[] };
  /** Extrusion segments per feature id (before merging for display). */
  featureSegments: number[];
  /** Segments kept for display (extrusion, travel) and the moves they came from. */
  displaySegments: { extrusion: number; travel: number };
  sourceSegments: number;
  arcs: number;
  /** True when more segments were produced than kept for display. */
  truncated: boolean;
}

export interface AnalyzerOptions {
  /** Merge nearly collinear consecutive segments when the dropped points stay within this distance, mm. */
  toleranceMm?: number;
  /** Segments per chunk. */
  chunkSize?: number;
  /** Segments in the first chunk of each kind; each later chunk doubles up to chunkSize (a viewer draws early). */
  firstChunkSize?: number;
  /**
   * Also emit an overview of the extrusion: the segments of every n-th layer only, in chunks marked `overview`. A
   * viewer draws the part below its top layers from it, so a large file costs a fraction of its segments per frame.
   * 0 or 1: none.
   */
  overviewStride?: number;
  /** Stop keeping display segments beyond this many (the analysis still reads the whole file). */
  maxDisplaySegments?: number;
  onChunk?: (chunk: PathChunk) => void;
}

class PathStream {
  private positions: Float32Array;
  private colors: Uint8Array;
  private commands: Uint32Array;
  private count = 0;
  total = 0;
  private open = false;
  private s = [0, 0, 0];
  private p = [0, 0, 0];
  private feature: FeatureId = TRAVEL;
  private command = 0;

  constructor(
    readonly travel: boolean,
    readonly overview: boolean,
    private size: number,
    private readonly maxSize: number,
    private readonly tolerance: number,
    private readonly emit: (c: PathChunk) => void,
    private readonly budget: { left: number; truncated: boolean },
  ) {
    this.positions = new Float32Array(size * 6);
    this.colors = new Uint8Array(size * 6);
    this.commands = new Uint32Array(size);
  }

  add(a: Vec4, b: Vec4, feature: FeatureId, command: number): void {
    if (this.open && feature === this.feature && a.z === b.z && b.z === this.p[2] && a.x === this.p[0] && a.y === this.p[1]) {
      // Merge when the point between the two pieces stays within tolerance of the straight line that replaces them.
      const sx = this.s[0]!;
      const sy = this.s[1]!;
      const dx = b.x - sx;
      const dy = b.y - sy;
      const len = Math.hypot(dx, dy);
      const off = len > 0 ? Math.abs(dx * (this.p[1]! - sy) - dy * (this.p[0]! - sx)) / len : Infinity;
      if (off <= this.tolerance) {
        this.p = [b.x, b.y, b.z];
        this.command = command;
        return;
      }
    }
    this.close();
    this.open = true;
    this.s = [a.x, a.y, a.z];
    this.p = [b.x, b.y, b.z];
    this.feature = feature;
    this.command = command;
  }

  /** Write the open run as a segment. */
  close(): void {
    if (!this.open) return;
    this.open = false;
    if (this.budget.left <= 0) {
      this.budget.truncated = true;
      return;
    }
    this.budget.left--;
    const o = this.count * 6;
    this.positions.set(this.s, o);
    this.positions.set(this.p, o + 3);
    const c = FEATURES[this.feature].color;
    this.colors.set(c, o);
    this.colors.set(c, o + 3);
    this.commands[this.count] = this.command;
    this.count++;
    this.total++;
    if (this.count === this.size) this.flush();
  }

  flush(): void {
    if (this.count === 0) return;
    const n = this.count;
    this.emit({
      travel: this.travel,
      ...(this.overview ? { overview: true } : {}),
      count: n,
      positions: n === this.size ? this.positions : this.positions.slice(0, n * 6),
      colors: n === this.size ? this.colors : this.colors.slice(0, n * 6),
      commands: n === this.size ? this.commands : this.commands.slice(0, n),
    });
    this.size = Math.min(this.maxSize, this.size * 2);
    this.positions = new Float32Array(this.size * 6);
    this.colors = new Uint8Array(this.size * 6);
    this.commands = new Uint32Array(this.size);
    this.count = 0;
  }
}

export class GcodeAnalyzer {
  private readonly interp: GcodeInterpreter;
  private readonly planner: MotionPlanner;
  private commands = 0;
  private layers: GcodeLayer[] = [];
  private lastZCommand = 0;
  private lastExtrudeCommand = -1;
  private feature: FeatureId = 8;
  private seconds = 0;
  private heating = 0;
  private filament = 0;
  private min: [number, number, number] = [Infinity, Infinity, Infinity];
  private max: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  private unknown = { count: 0, examples: [] as string[] };
  private featureSegments = FEATURES.map(() => 0);
  private sourceSegments = 0;
  private arcs = 0;
  private readonly extrusion: PathStream;
  private readonly travelPaths: PathStream;
  private readonly overview: PathStream | undefined;
  private readonly overviewStride: number;
  private readonly budget: { left: number; truncated: boolean };
  private readonly chunks: PathChunk[] = [];

  constructor(
    private readonly machine: MachineModel,
    options: AnalyzerOptions = {},
  ) {
    this.interp = new GcodeInterpreter({ volume: machine.volume });
    this.planner = new MotionPlanner(copyLimits(machine.limits));
    const emit = options.onChunk ?? ((c: PathChunk) => this.chunks.push(c));
    const size = options.chunkSize ?? 65_536;
    const first = Math.min(size, options.firstChunkSize ?? size);
    const tol = options.toleranceMm ?? 0.01;
    this.budget = { left: options.maxDisplaySegments ?? 6_000_000, truncated: false };
    this.extrusion = new PathStream(false, false, first, size, tol, emit, this.budget);
    this.travelPaths = new PathStream(true, false, first, size, tol, emit, this.budget);
    this.overviewStride = Math.max(1, Math.floor(options.overviewStride ?? 1));
    if (this.overviewStride > 1) {
      this.overview = new PathStream(false, true, first, size, tol, emit, { left: this.budget.left, truncated: false });
    }
  }

  /** Feed one line of the file. Returns the command text, or '' for a line that carries none. */
  push(line: string): string {
    const cmd = parseCommand(line);
    if (!cmd) {
      const comment = commentOf(line);
      if (comment) {
        const f = featureOfComment(comment);
        if (f !== undefined) this.feature = f;
      }
      return '';
    }
    const index = this.commands++;
    if (!this.machine.knows(cmd.word)) {
      this.unknown.count++;
      if (this.unknown.examples.length < 5) this.unknown.examples.push(cmd.text.slice(0, 40));
    }
    if (applyLimitCommand(this.planner.limits, cmd)) return cmd.text;
    const motion = this.interp.execute(cmd);
    if (motion?.kind === 'move') {
      if (motion.arc) this.arcs++;
      let from = motion.from;
      for (const to of motion.points) {
        this.segment(from, to, index);
        this.plan(from, to, motion.feed);
        from = to;
      }
    } else if (motion?.kind === 'home') {
      this.drain();
      this.seconds += homingSeconds(motion.from, motion.axes, this.machine.homingFeedrate);
      this.lastZCommand = index;
    } else if (cmd.letter === 'G' && cmd.code === 29 && this.machine.knows('G29') && this.interp.homed) {
      this.drain();
      this.seconds += probingSeconds();
    } else if (cmd.letter === 'G' && cmd.code === 4) {
      this.drain();
      this.seconds += arg(cmd, 'P', 0)! / 1000 + arg(cmd, 'S', 0)!;
    } else if (cmd.letter === 'M') this.machineCommand(cmd.code, cmd, index);
    return cmd.text;
  }

  private machineCommand(code: number, cmd: ReturnType<typeof parseCommand> & object, _index: number): void {
    switch (code) {
      case 400:
        this.drain();
        return;
      case 104:
      case 109: {
        const h = this.machine.hotends[arg(cmd, 'T', this.interp.tool)!];
        const target = arg(cmd, 'S') ?? arg(cmd, 'R');
        if (h && target !== undefined) {
          if (code === 109) this.drain();
          h.setTarget(Math.min(target, this.machine.maxHotend), this.seconds);
          if (code === 109) this.waitHeater(h);
        }
        return;
      }
      case 140:
      case 190: {
        const bed = this.machine.bed;
        const target = arg(cmd, 'S') ?? arg(cmd, 'R');
        if (bed && target !== undefined) {
          if (code === 190) this.drain();
          bed.setTarget(Math.min(target, this.machine.maxBed), this.seconds);
          if (code === 190) this.waitHeater(bed);
        }
        return;
      }
    }
  }

  private waitHeater(h: HeaterModel): void {
    if (h.target <= 0) return;
    const wait = h.secondsUntil(h.target, this.seconds);
    if (Number.isFinite(wait) && wait > 0 && h.temperature(this.seconds) < h.target - 1) {
      this.seconds += wait;
      this.heating += wait;
    }
  }

  private plan(from: Vec4, to: Vec4, feed: number): void {
    this.planner.add(from, to, feed);
    while (this.planner.length > this.machine.plannerSize) this.account(this.planner.shift());
  }

  private account(b: PlannedBlock | undefined): void {
    if (b) this.seconds += b.seconds;
  }

  private drain(): void {
    for (const b of this.planner.flush()) this.account(b);
  }

  private segment(a: Vec4, b: Vec4, index: number): void {
    const de = b.e - a.e;
    if (de > 0) this.filament += de;
    const moved = a.x !== b.x || a.y !== b.y;
    if (a.z !== b.z) this.lastZCommand = index;
    if (!moved) return;
    this.sourceSegments++;
    if (de > 0) {
      const layer = this.layers[this.layers.length - 1];
      if (!layer || b.z > layer.z + 1e-6) {
        // The layer starts where the head went to its height, unless that was before the previous layer's last line.
        const first = this.lastZCommand > this.lastExtrudeCommand ? this.lastZCommand : index;
        this.layers.push({ z: b.z, firstCommand: first });
      }
      this.lastExtrudeCommand = index;
      this.featureSegments[this.feature]!++;
      this.extrusion.add(a, b, this.feature, index);
      if (this.overview && (this.layers.length - 1) % this.overviewStride === 0) this.overview.add(a, b, this.feature, index);
      for (let i = 0; i < 3; i++) {
        const k = i === 0 ? 'x' : i === 1 ? 'y' : 'z';
        this.min[i] = Math.min(this.min[i]!, a[k], b[k]);
        this.max[i] = Math.max(this.max[i]!, a[k], b[k]);
      }
    } else {
      this.travelPaths.add(a, b, TRAVEL, index);
    }
  }

  /** Chunks completed so far (when no `onChunk` was given), handed over once. */
  takeChunks(): PathChunk[] {
    return this.chunks.splice(0);
  }

  /** Finish: flush the planner and the last chunks. Chunks not given to `onChunk` are returned with the result. */
  result(): GcodeAnalysis & { chunks: PathChunk[] } {
    this.drain();
    this.extrusion.close();
    this.travelPaths.close();
    this.overview?.close();
    this.extrusion.flush();
    this.travelPaths.flush();
    this.overview?.flush();
    const finite = Number.isFinite(this.min[0]);
    return {
      commandCount: this.commands,
      layers: this.layers,
      estimateSeconds: this.seconds,
      heatingSeconds: this.heating,
      filamentMm: this.filament,
      bounds: finite ? { min: this.min, max: this.max } : { min: [0, 0, 0], max: [0, 0, 0] },
      unknownCommands: this.unknown,
      featureSegments: this.featureSegments,
      displaySegments: { extrusion: this.extrusion.total, travel: this.travelPaths.total },
      sourceSegments: this.sourceSegments,
      arcs: this.arcs,
      truncated: this.budget.truncated,
      chunks: this.chunks,
    };
  }
}

/** Analyse a whole file from a line stream. */
export async function analyzeGcode(
  lines: AsyncIterable<{ text: string }> | Iterable<{ text: string }>,
  machine: MachineModel,
  options: AnalyzerOptions = {},
): Promise<GcodeAnalysis & { chunks: PathChunk[] }> {
  const analyzer = new GcodeAnalyzer(machine, options);
  for await (const line of lines) analyzer.push(line.text);
  return analyzer.result();
}

/** The layer a command index belongs to (binary search over layers); -1 before the first layer. */
export function layerOfCommand(layers: readonly Pick<GcodeLayer, 'firstCommand'>[], commandIndex: number): number {
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

/** How many of a chunk's segments draw commands up to and including `command` (commands are non-decreasing). */
export function segmentsUpTo(commands: Uint32Array, command: number): number {
  let lo = 0;
  let hi = commands.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (commands[mid]! <= command) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
