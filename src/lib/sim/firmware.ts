// A Marlin-speaking firmware model. It receives bytes into a finite serial RX ring (bytes that do not fit are lost,
// as on a real UART), validates line numbers and checksums like Marlin's GCodeQueue, queues BUFSIZE commands, runs
// moves through a finite planner, and answers with Marlin's exact response lines. Wall-clock time is used only for
// command parsing and keepalives; motion and heating run on a simulated clock that may jump over waits.

import { Heater, knowsCommand, motionLimitsOf, type PrinterProfile } from '../machines/index';
import {
  GcodeInterpreter,
  MotionPlanner,
  applyLimitCommand,
  arg,
  copyLimits,
  homingSeconds,
  limitsReport,
  parseCommand,
  probingSeconds,
  PROBE_GRID,
  type GcodeCommand,
  type MotionLimits,
  type Vec4,
} from '../gcode/index';

export interface FirmwareFaults {
  /** Probability that a valid line is answered as if its checksum were wrong (a spontaneous resend request). */
  resendRate?: number;
  /** Probability that an `ok` is not sent. */
  lostOkRate?: number;
  /** Probability that `echo:busy: processing` is sent before an `ok`. */
  busyRate?: number;
}

export interface FirmwareOptions {
  profile: PrinterProfile;
  /** Simulated seconds per wall-clock second while nothing waits (1 = real time). */
  timeScale?: number;
  /** Jump the simulated clock over waits (full planner, M109/M190, G4, homing) instead of waiting. */
  skipWaits?: boolean;
  /** Wall-clock milliseconds Marlin spends parsing and dispatching one command. */
  commandDelayMs?: number;
  /** Answer `ok N<line> P<planner free> B<queue free>` (Marlin ADVANCED_OK); the profile's setting by default. */
  advancedOk?: boolean;
  /** Simulated seconds the owner takes to reload filament after M600 when no M108 comes from the host. */
  filamentChangeSeconds?: number;
  faults?: FirmwareFaults;
  random?: () => number;
  /** Wall clock in ms (performance.now by default). */
  clock?: () => number;
}

export interface ExecutedCommand {
  /** Line number the host gave it, or undefined for an unnumbered line. */
  n: number | undefined;
  command: string;
  /** Simulated time (s) when it was dispatched. */
  simTime: number;
}

export interface FirmwareSnapshot {
  simTime: number;
  /** Interpolated toolhead position at simTime. */
  position: Vec4;
  /** Commanded position (what M114 reports). */
  target: Vec4;
  hotends: { temperature: number; target: number; power: number }[];
  bed: { temperature: number; target: number; power: number } | undefined;
  activeTool: number;
  fan: number;
  led: { r: number; g: number; b: number } | undefined;
  speedPercent: number;
  flowPercent: number;
  homed: boolean;
  halted: boolean;
  rxOverflows: number;
  executedCount: number;
}

interface Block {
  from: Vec4;
  to: Vec4;
  start: number;
  end: number;
}

type Wait =
  | { kind: 'heater'; heater: Heater; value: number; cooling: boolean; nextReport: number }
  | { kind: 'until'; simTime: number }
  | { kind: 'planner' }
  | { kind: 'drain' }
  | { kind: 'user'; until: number; resume: Vec4 };

interface QueuedCommand {
  n: number | undefined;
  text: string;
  /** Wall time (ms) at which the firmware read the line out of its RX ring. */
  at: number;
}

const encoder = new TextEncoder();

function checksum(text: string): number {
  let cs = 0;
  for (let i = 0; i < text.length; i++) cs ^= text.charCodeAt(i);
  return cs & 0xff;
}

export class VirtualMarlin {
  readonly profile: PrinterProfile;
  private readonly opts: Required<Omit<FirmwareOptions, 'faults'>> & { faults: Required<FirmwareFaults> };

  // Serial receive ring (ISR side) and the line being assembled from it.
  private ring: Uint8Array;
  private ringHead = 0;
  private ringCount = 0;
  private lineBuf: number[] = [];
  private lineOverflow = false;
  private emergency = '';
  rxOverflows = 0;

  private queue: QueuedCommand[] = [];
  private lastN = 0;
  private blocks: Block[] = [];
  private wait: Wait | undefined;
  private current: QueuedCommand | undefined;

  private sim = 0;
  private wallBase: number;
  private cpuClock = 0;
  private lastKeepalive = 0;
  private lastTempReport = 0;
  private lastPosReport = 0;
  private tempInterval = 0;
  private posInterval = 0;

  // Modal state and moves come from the one G-code interpreter; the planner is the estimate's planner.
  private readonly interp: GcodeInterpreter;
  private limits: MotionLimits;
  private planner: MotionPlanner;
  /** Pieces of the current move not yet in the planner (an arc waits for room chord by chord). */
  private pieces: { from: Vec4; to: Vec4; feed: number }[] = [];
  /** End of the last block handed to the steppers, and the earliest start of a move from rest. */
  private lastEnd = 0;
  private deliverAt = 0;
  private hotends: Heater[];
  private bed: Heater | undefined;
  private fan = 0;
  private led = { r: 0, g: 0, b: 0 };
  private progress = { percent: -1, remainingMin: -1 };
  private advanceK = 0;
  private mesh: number[][] | undefined;
  private leveling = false;
  private userContinue = false;
  halted = false;
  private executed = 0;

  private outputListeners = new Set<(bytes: Uint8Array, at: number) => void>();
  /** The firmware's own time for what it emits now: when the command being run started, or the service time. */
  private outAt = Number.NaN;
  /** The service call's time: lines read from the RX ring now were read at this moment. */
  private serviceAt = 0;
  private executeListeners = new Set<(cmd: ExecutedCommand) => void>();

  constructor(options: FirmwareOptions) {
    this.profile = options.profile;
    this.opts = {
      profile: options.profile,
      timeScale: options.timeScale ?? 1,
      skipWaits: options.skipWaits ?? true,
      commandDelayMs: options.commandDelayMs ?? 0.1,
      advancedOk: options.advancedOk ?? options.profile.advancedOk,
      filamentChangeSeconds: options.filamentChangeSeconds ?? 60,
      random: options.random ?? Math.random,
      clock: options.clock ?? (() => performance.now()),
      faults: { resendRate: 0, lostOkRate: 0, busyRate: 0, ...options.faults },
    };
    this.ring = new Uint8Array(this.profile.rxBufferSize);
    this.hotends = Array.from({ length: this.profile.features.extruders }, () => new Heater(this.profile.hotend));
    this.bed = this.profile.features.heatedBed ? new Heater(this.profile.bed) : undefined;
    this.wallBase = this.opts.clock();
    this.interp = new GcodeInterpreter({ volume: this.profile.volume });
    this.limits = motionLimitsOf(this.profile);
    this.planner = new MotionPlanner(copyLimits(this.limits));
  }

  private get pos(): Vec4 {
    return this.interp.position;
  }

  /** `at` is the wall time (ms) the firmware sent the bytes in its own timeline (see service()). */
  onOutput(listener: (bytes: Uint8Array, at: number) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  onExecute(listener: (cmd: ExecutedCommand) => void): () => void {
    this.executeListeners.add(listener);
    return () => this.executeListeners.delete(listener);
  }

  setFaults(faults: FirmwareFaults): void {
    Object.assign(this.opts.faults, faults);
  }

  setTiming(timing: { timeScale?: number; skipWaits?: boolean }): void {
    this.advanceClock();
    this.wallBase = this.opts.clock();
    if (timing.timeScale !== undefined) this.opts.timeScale = timing.timeScale;
    if (timing.skipWaits !== undefined) this.opts.skipWaits = timing.skipWaits;
  }

  /** Power-on or reset: everything volatile is lost, as on a real board. */
  boot(reason = 'External Reset'): void {
    const keepListeners = [this.outputListeners, this.executeListeners] as const;
    this.ringHead = this.ringCount = 0;
    this.lineBuf = [];
    this.lineOverflow = false;
    this.queue = [];
    this.lastN = 0;
    this.blocks = [];
    this.wait = undefined;
    this.current = undefined;
    this.interp.reset();
    this.limits = motionLimitsOf(this.profile);
    this.planner = new MotionPlanner(copyLimits(this.limits));
    this.pieces = [];
    this.lastEnd = this.deliverAt = this.sim;
    this.progress = { percent: -1, remainingMin: -1 };
    this.advanceK = 0;
    this.mesh = undefined;
    this.leveling = false;
    for (const h of this.hotends) h.setTarget(0, this.sim);
    this.bed?.setTarget(0, this.sim);
    this.fan = 0;
    this.led = { r: 0, g: 0, b: 0 };
    this.halted = false;
    this.tempInterval = this.posInterval = 0;
    void keepListeners;
    this.emit(`start\necho:${reason}\necho:Marlin 2.1.2.5 (twingrain virtual ${this.profile.name})\n`);
  }

  /** Serial ISR: bytes from the wire go into the RX ring; what does not fit is lost. */
  receive(bytes: Uint8Array): void {
    for (const byte of bytes) {
      this.emergencyParse(byte);
      if (this.halted) continue;
      if (this.ringCount >= this.ring.length - 1) {
        this.rxOverflows++;
        continue;
      }
      this.ring[(this.ringHead + this.ringCount) % this.ring.length] = byte;
      this.ringCount++;
    }
  }

  /** Bytes waiting in the RX ring. */
  get rxPending(): number {
    return this.ringCount;
  }

  get simTime(): number {
    this.advanceClock();
    return this.sim;
  }

  /**
   * Run the firmware's main loop up to the current wall-clock time. Returns the wall time (ms) at which it wants to
   * run again, or undefined when it is idle until more bytes arrive.
   */
  service(at?: number): number | undefined {
    // The firmware runs on its own microcontroller: a host process that gets the CPU late must not make the firmware
    // answer late. `at` is the (possibly past) wall time to run up to — the arrival of the bytes just received — and
    // every command runs at max(CPU free, line read), so its answer is stamped in the firmware's own timeline.
    const now = Math.min(at ?? this.opts.clock(), this.opts.clock());
    this.serviceAt = now;
    this.outAt = now;
    this.advanceClock();
    if (this.halted) return undefined;
    let guard = 0;
    while (guard++ < 10_000) {
      this.readSerial();
      if (this.wait) {
        if (!this.resolveWait(now)) break;
        continue;
      }
      const next = this.queue[0];
      if (!next) break;
      const start = Math.max(this.cpuClock, next.at);
      if (start > now) break;
      this.queue.shift();
      this.cpuClock = start + this.opts.commandDelayMs;
      this.outAt = this.cpuClock;
      this.current = next;
      this.dispatch(next);
      if (!this.wait) this.finish();
    }
    this.outAt = now;
    this.autoReports(now);
    this.outAt = Number.NaN;
    if (this.halted) return undefined;
    if (this.wait) return now + (this.opts.skipWaits ? 0 : 20);
    if (this.queue.length > 0 || this.ringCount > 0) return Math.max(now, this.cpuClock);
    if (this.tempInterval > 0 || this.posInterval > 0) return now + 100;
    if (this.blocks.length > 0) return now + 50;
    return undefined;
  }

  snapshot(): FirmwareSnapshot {
    this.advanceClock();
    const t = this.sim;
    return {
      simTime: t,
      position: this.toolheadAt(t),
      target: { ...this.pos },
      hotends: this.hotends.map((h) => ({ temperature: h.temperature(t), target: h.target, power: h.power(t) })),
      bed: this.bed ? { temperature: this.bed.temperature(t), target: this.bed.target, power: this.bed.power(t) } : undefined,
      activeTool: this.interp.tool,
      fan: this.fan,
      led: this.profile.features.led ? { ...this.led } : undefined,
      speedPercent: this.interp.speedPercent,
      flowPercent: this.interp.flowPercent,
      homed: this.interp.homed,
      halted: this.halted,
      rxOverflows: this.rxOverflows,
      executedCount: this.executed,
    };
  }

  // ---- clock -------------------------------------------------------------------------------------------------

  private advanceClock(): void {
    const wall = this.opts.clock();
    const dt = ((wall - this.wallBase) / 1000) * this.opts.timeScale;
    this.wallBase = wall;
    if (dt > 0) this.sim += dt;
    this.release();
  }

  private jumpTo(t: number): void {
    if (t > this.sim) this.sim = t;
    this.release();
  }

  /**
   * Hand planned blocks to the steppers as the previous one ends: each is fixed with the look-ahead known at its start.
   * A move from rest waits a moment (Marlin's delay before the first move) so that the planner can see what follows.
   */
  private release(): void {
    while (this.planner.length > 0) {
      const start = Math.max(this.lastEnd, this.deliverAt);
      if (start > this.sim) break;
      this.schedule(start);
    }
    while (this.blocks.length > 0 && this.blocks[0]!.end <= this.sim) this.blocks.shift();
  }

  private schedule(start: number): void {
    const b = this.planner.shift();
    if (!b) return;
    this.blocks.push({ from: b.from, to: b.to, start, end: start + b.seconds });
    this.lastEnd = start + b.seconds;
  }

  /** Everything planned goes to the steppers now (M400, G4, G28 and the like synchronize the planner first). */
  private synchronize(): void {
    while (this.planner.length > 0) this.schedule(Math.max(this.lastEnd, this.deliverAt));
  }

  /** Blocks in the planner buffer: those waiting and those the steppers have not finished. */
  private get plannerCount(): number {
    return this.planner.length + this.blocks.length;
  }

  private toolheadAt(t: number): Vec4 {
    const b = this.blocks.find((blk) => blk.start <= t && t < blk.end);
    if (!b) {
      const next = this.blocks.find((blk) => blk.start > t);
      if (next) return { ...next.from };
      const waiting = this.planner.peek();
      return waiting ? { ...waiting } : { ...this.pos };
    }
    const f = (t - b.start) / (b.end - b.start);
    return {
      x: b.from.x + (b.to.x - b.from.x) * f,
      y: b.from.y + (b.to.y - b.from.y) * f,
      z: b.from.z + (b.to.z - b.from.z) * f,
      e: b.from.e + (b.to.e - b.from.e) * f,
    };
  }

  private plannerEnd(): number {
    return Math.max(this.lastEnd, this.sim);
  }

  // ---- serial parsing (Marlin GCodeQueue::get_serial_commands) ----------------------------------------------------

  private emergencyParse(byte: number): void {
    // EMERGENCY_PARSER: M112 acts as soon as its bytes arrive, even when the queue is full.
    const c = String.fromCharCode(byte).toUpperCase();
    if (c === '\n' || c === '\r') {
      const word = this.emergency.trim();
      if (word === 'M112' && !this.halted) this.kill('kill() called!');
      if (word === 'M108') this.userContinue = true;
      this.emergency = '';
    } else if (this.emergency.length < 8) {
      this.emergency += c === ' ' && this.emergency === '' ? '' : c;
    }
  }

  private readSerial(): void {
    while (this.ringCount > 0 && this.queue.length < this.profile.commandQueueSize) {
      const byte = this.ring[this.ringHead]!;
      this.ringHead = (this.ringHead + 1) % this.ring.length;
      this.ringCount--;
      if (byte === 10 || byte === 13) {
        const bytes = this.lineBuf;
        const overflow = this.lineOverflow;
        this.lineBuf = [];
        this.lineOverflow = false;
        if (bytes.length === 0) continue;
        if (overflow) {
          this.emit(`Error:Line too long\n`);
          continue;
        }
        this.acceptLine(String.fromCharCode(...bytes));
        if (this.halted) return;
      } else if (this.lineBuf.length >= this.profile.maxCommandSize - 1) {
        this.lineOverflow = true;
      } else {
        this.lineBuf.push(byte);
      }
    }
  }

  private acceptLine(raw: string): void {
    // Comments end the command text (Marlin strips ';' comments while reading).
    let line = raw;
    const semi = line.indexOf(';');
    if (semi >= 0) line = line.slice(0, semi);
    line = line.trim();
    if (!line) return;
    let n: number | undefined;
    const nMatch = /^N(-?\d+)\s*/.exec(line);
    if (line[0] === 'N') {
      if (!nMatch) return this.lineError('Line Number is not Last Line Number+1');
      n = Number(nMatch[1]);
      const isM110 = /^N-?\d+\s*M110\b/.test(line);
      if (n !== this.lastN + 1 && !isM110) return this.lineError('Line Number is not Last Line Number+1');
      const star = line.lastIndexOf('*');
      if (star < 0) return this.lineError('No Checksum with line number');
      const given = line.slice(star + 1);
      if (!/^\d{1,3}$/.test(given) || Number(given) !== checksum(line.slice(0, star))) {
        return this.lineError('checksum mismatch');
      }
      if (this.opts.random() < this.opts.faults.resendRate) return this.lineError('checksum mismatch');
      this.lastN = n;
      line = line.slice(nMatch[0].length, star).trim();
    } else if (line.includes('*')) {
      return this.lineError('No Line Number with checksum');
    }
    if (/^M110\b/.test(line)) {
      // M110 N<n> sets the line number at once so the next numbered line is checked against it.
      const set = /N(-?\d+)/.exec(line.slice(4));
      if (set) this.lastN = Number(set[1]);
    }
    this.queue.push({ n, text: line, at: this.serviceAt });
  }

  private lineError(message: string): void {
    if (!Number.isNaN(this.outAt)) this.outAt = Math.max(this.outAt, this.serviceAt);
    this.emit(`Error:${message}, Last Line: ${this.lastN}\n`);
    // Marlin drains the RX buffer and asks for the next line again; everything in flight is lost.
    this.ringHead = this.ringCount = 0;
    this.lineBuf = [];
    this.emit(`Resend: ${this.lastN + 1}\nok\n`);
  }

  // ---- execution ---------------------------------------------------------------------------------------------

  private finish(): void {
    const cmd = this.current;
    this.current = undefined;
    this.executed++;
    if (cmd) {
      const event: ExecutedCommand = { n: cmd.n, command: cmd.text, simTime: this.sim };
      for (const l of this.executeListeners) l(event);
    }
    if (this.halted) return;
    const f = this.opts.faults;
    if (this.opts.random() < f.busyRate) this.emit('echo:busy: processing\n');
    const extra = this.pendingOkExtra;
    this.pendingOkExtra = '';
    if (this.opts.random() < f.lostOkRate) return;
    this.emit(this.okLine(cmd?.n, extra));
  }

  private pendingOkExtra = '';

  private okLine(n: number | undefined, extra: string): string {
    let ok = 'ok';
    // M105 prints its own "ok T:…" (Marlin skips the regular ok for it), so it carries no ADVANCED_OK fields.
    if (this.opts.advancedOk && !extra) {
      // ADVANCED_OK names the line just executed (if it had a number) and the free planner and queue slots.
      if (n !== undefined) ok += ` N${n}`;
      ok += ` P${Math.max(0, this.profile.plannerSize - this.plannerCount)} B${this.profile.commandQueueSize - this.queue.length}`;
    }
    return `${ok}${extra ? ' ' + extra : ''}\n`;
  }

  private dispatch(queued: QueuedCommand): void {
    const cmd = parseCommand(queued.text);
    if (!cmd || !knowsCommand(this.profile, cmd.word)) {
      // Marlin answers what it does not know and moves on (the ok follows).
      this.emit(`echo:Unknown command: "${queued.text}"\n`);
      return;
    }
    if (applyLimitCommand(this.limits, cmd)) {
      if (Object.keys(cmd.args).length === 0) this.emit(`${limitsReport(this.limits, cmd.code as 201 | 203 | 204 | 205)}\n`);
      Object.assign(this.planner.limits, copyLimits(this.limits));
      return;
    }
    if (cmd.letter === 'T') return this.selectTool(cmd);
    if (cmd.letter === 'G') {
      switch (cmd.code) {
        case 0:
        case 1:
        case 2:
        case 3:
          return this.move(cmd);
        case 4: {
          this.synchronize();
          const secs = arg(cmd, 'P', 0)! / 1000 + arg(cmd, 'S', 0)!;
          this.wait = { kind: 'until', simTime: this.plannerEnd() + secs };
          return;
        }
        case 28:
          return this.home(cmd);
        case 29:
          return this.probeGrid();
        default:
          // G20/G21, G90/G91, G92: modal state only.
          this.interp.execute(cmd);
          return;
      }
    }
    switch (cmd.code) {
      case 73:
        return this.setProgress(cmd);
      case 104:
      case 109:
        return this.setHotend(cmd.code === 109, cmd);
      case 140:
      case 190:
        return this.setBed(cmd.code === 190, cmd);
      case 105:
        this.pendingOkExtra = this.tempReport();
        return;
      case 106: {
        // M106 P<fan>: this board has one part-cooling fan; Marlin ignores other indexes.
        if (arg(cmd, 'P', 0) !== 0) return;
        this.fan = Math.max(0, Math.min(255, arg(cmd, 'S', 255)!));
        return;
      }
      case 107:
        if (arg(cmd, 'P', 0) === 0) this.fan = 0;
        return;
      case 112:
        return this.kill('kill() called!');
      case 114: {
        const p = this.pos;
        this.emit(`X:${p.x.toFixed(2)} Y:${p.y.toFixed(2)} Z:${p.z.toFixed(2)} E:${p.e.toFixed(2)} Count X:0 Y:0 Z:0\n`);
        return;
      }
      case 115:
        return this.capabilities();
      case 150:
        this.led = { r: clampByte(arg(cmd, 'R', 0)!), g: clampByte(arg(cmd, 'U', 0)!), b: clampByte(arg(cmd, 'B', 0)!) };
        return;
      case 154:
        this.posInterval = arg(cmd, 'S', 0)!;
        return;
      case 155:
        this.tempInterval = arg(cmd, 'S', 0)!;
        return;
      case 220:
        if (arg(cmd, 'S') === undefined) this.emit(`FR:${this.interp.speedPercent}%\n`);
        else this.interp.execute(cmd);
        return;
      case 221:
        if (arg(cmd, 'S') === undefined) this.emit(`echo:E${this.interp.tool} Flow: ${this.interp.flowPercent}%\n`);
        else this.interp.execute(cmd);
        return;
      case 400:
        this.synchronize();
        this.wait = { kind: 'drain' };
        return;
      case 420:
        return this.bedLeveling(cmd);
      case 600:
        return this.filamentChange();
      case 862:
        return this.printerCheck(cmd);
      case 900: {
        const k = arg(cmd, 'K');
        if (k === undefined) this.emit(`echo:Advance K=${this.advanceK.toFixed(2)}\n`);
        else this.advanceK = Math.max(0, Math.min(10, k));
        return;
      }
      default:
        // M17/M18/M84, M82/M83, M108, M110, M111, M117, M300, M999: nothing the simulation shows, or modal state.
        this.interp.execute(cmd);
    }
  }

  private setProgress(cmd: GcodeCommand): void {
    const p = arg(cmd, 'P');
    const r = arg(cmd, 'R');
    if (p === undefined && r === undefined) {
      const { percent, remainingMin } = this.progress;
      this.emit(`echo: M73 Progress: ${Math.max(0, percent)}%;${remainingMin >= 0 ? ` Time left: ${remainingMin}m;` : ''}\n`);
      return;
    }
    if (p !== undefined) this.progress.percent = Math.max(0, Math.min(100, Math.round(p)));
    if (r !== undefined) this.progress.remainingMin = Math.max(0, Math.round(r));
  }

  private selectTool(cmd: GcodeCommand): void {
    if (!(cmd.code < this.hotends.length)) {
      this.emit(`echo:T${cmd.code} Invalid extruder\n`);
      return;
    }
    this.interp.execute(cmd);
    this.emit(`echo:Active Extruder: ${this.interp.tool}\n`);
  }

  private move(cmd: GcodeCommand): void {
    const motion = this.interp.execute(cmd);
    if (motion?.kind !== 'move') return;
    let from = motion.from;
    for (const to of motion.points) {
      this.pieces.push({ from, to, feed: motion.feed });
      from = to;
    }
    if (!this.feedPlanner()) this.wait = { kind: 'planner' };
  }

  /** Put waiting pieces into the planner while it has room. Returns true when all are in. */
  private feedPlanner(): boolean {
    while (this.pieces.length > 0) {
      if (this.plannerCount >= this.profile.plannerSize) return false;
      const piece = this.pieces.shift()!;
      if (this.plannerCount === 0) this.deliverAt = this.sim + 0.1;
      this.planner.add(piece.from, piece.to, piece.feed);
    }
    return true;
  }

  /** Move to `to` as its own block after everything planned (homing, probing, parking). */
  private queueBlock(from: Vec4, to: Vec4, secs: number): void {
    this.synchronize();
    const start = this.plannerEnd();
    if (secs > 0) {
      this.blocks.push({ from, to: { ...to }, start, end: start + secs });
      this.lastEnd = start + secs;
    }
  }

  private home(cmd: GcodeCommand): void {
    const motion = this.interp.execute(cmd);
    if (motion?.kind !== 'home') return;
    this.queueBlock(motion.from, motion.to, homingSeconds(motion.from, motion.axes, this.profile.homingFeedrate));
    this.wait = { kind: 'drain' };
  }

  /** G29 (bilinear): probe a 3×3 grid; needs the axes homed first, as Marlin does. */
  private probeGrid(): void {
    if (!this.interp.homed) {
      this.emit('echo:Home XYZ First\n');
      return;
    }
    const v = this.profile.volume;
    const grid: number[][] = [];
    for (let j = 0; j < PROBE_GRID; j++) {
      const row: number[] = [];
      // A gently tilted bed, the same on every run.
      for (let i = 0; i < PROBE_GRID; i++) row.push(Number((0.02 * (i - 1) - 0.015 * (j - 1) + 0.005 * i * j).toFixed(3)));
      grid.push(row);
    }
    void v;
    this.queueBlock(this.pos, this.pos, probingSeconds());
    this.mesh = grid;
    this.leveling = true;
    this.emit(
      `Bilinear Leveling Grid:\n      0      1      2\n${grid.map((r, j) => ` ${j} ${r.map((z) => (z >= 0 ? '+' : '') + z.toFixed(3)).join(' ')}`).join('\n')}\n`,
    );
    this.wait = { kind: 'drain' };
  }

  private bedLeveling(cmd: GcodeCommand): void {
    const s = arg(cmd, 'S');
    if (s !== undefined) {
      if (s > 0 && !this.mesh) {
        this.emit('echo:Invalid mesh.\nError:Failed to enable Bed Leveling\n');
        return;
      }
      this.leveling = s > 0;
    }
    this.emit(`echo:Bed Leveling ${this.leveling ? 'ON' : 'OFF'}\necho:Fade Height Off\n`);
  }

  /** M600: retract, park, wait for the owner to reload (M108 from the host, or the reload time), return, resume. */
  private filamentChange(): void {
    const resume = { ...this.pos };
    const park = { x: 0, y: 0, z: Math.min(this.profile.volume.z, resume.z + 10), e: resume.e };
    this.queueBlock(resume, park, 2 + Math.hypot(resume.x, resume.y) / this.profile.homingFeedrate);
    this.userContinue = false;
    this.emit('echo:Insert filament and send M108\n');
    this.wait = { kind: 'user', until: this.plannerEnd() + this.opts.filamentChangeSeconds, resume };
  }

  /** Prusa's M862.x checks: answer Q queries, warn when the file was sliced for other hardware, never stop. */
  private printerCheck(cmd: GcodeCommand): void {
    const p = this.profile;
    const query = /\bQ\b/i.test(cmd.text.slice(cmd.word.length));
    const value = /\bP\s*"?([^"]*)"?/i.exec(cmd.text.slice(cmd.word.length))?.[1]?.trim();
    switch (cmd.sub) {
      case 1: {
        if (query) return this.emit(`  M862.1 P${p.nozzleDiameter.min.toFixed(2)}\n`);
        const d = Number(value);
        if (value && !(d >= p.nozzleDiameter.min && d <= p.nozzleDiameter.max)) {
          this.emit(`echo:Nozzle diameter ${value} differs from this printer's (${p.nozzleDiameter.min}–${p.nozzleDiameter.max} mm)\n`);
        }
        return;
      }
      case 3:
        if (query) return this.emit(`  M862.3 P "${p.id}"\n`);
        if (value && value.toLowerCase() !== p.id) this.emit(`echo:G-code sliced for a different printer type (${value})\n`);
        return;
      case 4:
        if (query) this.emit('  M862.4 P2.1.2\n');
        return;
      default:
        if (query) this.emit(`  ${cmd.word} P0\n`);
    }
  }

  private setHotend(waitFor: boolean, cmd: GcodeCommand): void {
    const index = arg(cmd, 'T', this.interp.tool)!;
    const heater = this.hotends[index];
    if (!heater) {
      this.emit(`echo:T${index} Invalid extruder\n`);
      return;
    }
    const value = arg(cmd, 'S') ?? arg(cmd, 'R');
    if (value === undefined) return;
    const target = Math.max(0, Math.min(this.profile.hotend.maxTarget, value));
    heater.setTarget(target, this.sim);
    if (waitFor) this.wait = { kind: 'heater', heater, value: target, cooling: arg(cmd, 'R') !== undefined, nextReport: 0 };
  }

  private setBed(waitFor: boolean, cmd: GcodeCommand): void {
    const bed = this.bed!;
    const value = arg(cmd, 'S') ?? arg(cmd, 'R');
    if (value === undefined) return;
    const target = Math.max(0, Math.min(this.profile.bed.maxTarget, value));
    bed.setTarget(target, this.sim);
    if (waitFor) this.wait = { kind: 'heater', heater: bed, value: target, cooling: arg(cmd, 'R') !== undefined, nextReport: 0 };
  }

  /** Returns true when the wait is over (and the command finished). */
  private resolveWait(now: number): boolean {
    const w = this.wait!;
    const skip = this.opts.skipWaits;
    if (w.kind === 'planner') {
      // Wait for room chord by chord, jumping over the motion when waits are skipped.
      while (!this.feedPlanner()) {
        const doneAt = Math.min(this.blocks[0]?.end ?? Infinity, Math.max(this.lastEnd, this.deliverAt));
        if (this.sim < doneAt) {
          if (!skip) return this.keepalive(now);
          this.jumpTo(doneAt);
        } else this.jumpTo(this.sim);
      }
      this.wait = undefined;
      this.lastKeepalive = now;
      this.finish();
      return true;
    }
    let doneAt: number;
    switch (w.kind) {
      case 'until':
        doneAt = w.simTime;
        break;
      case 'drain':
        doneAt = this.plannerEnd();
        break;
      case 'user':
        doneAt = this.userContinue ? this.sim : w.until;
        break;
      case 'heater': {
        // M109 S waits only while heating; M109 R also waits for cooling. A target of 0 does not wait.
        const temp = w.heater.temperature(this.sim);
        const needed = w.value <= 0 || (!w.cooling && temp >= w.value - 1) ? 0 : w.heater.secondsUntil(w.value, this.sim);
        doneAt = this.sim + (Number.isFinite(needed) ? needed : 0);
        if (!skip && this.sim < doneAt && now >= w.nextReport) {
          w.nextReport = now + 1000;
          this.emit(` ${this.tempReport()} W:?\n`);
        }
        break;
      }
    }
    if (this.sim < doneAt) {
      if (!skip) return this.keepalive(now, w.kind === 'user' ? 'paused for user' : 'processing');
      this.jumpTo(doneAt);
    }
    if (w.kind === 'heater' && skip) this.emit(` ${this.tempReport()}\n`);
    this.wait = undefined;
    if (w.kind === 'user') {
      this.userContinue = false;
      this.queueBlock({ ...w.resume, x: 0, y: 0 }, w.resume, 2 + Math.hypot(w.resume.x, w.resume.y) / this.profile.homingFeedrate);
    }
    this.lastKeepalive = now;
    this.finish();
    return true;
  }

  /** Marlin's busy keepalive while a command waits (every 2 s). Returns false: the wait goes on. */
  private keepalive(now: number, what = 'processing'): false {
    if (now - this.lastKeepalive >= 2000) {
      this.lastKeepalive = now;
      this.emit(`echo:busy: ${what}\n`);
    }
    return false;
  }

  private tempReport(): string {
    const t = this.sim;
    const f = (v: number) => v.toFixed(2);
    const active = this.hotends[this.interp.tool] ?? this.hotends[0]!;
    let s = `T:${f(active.temperature(t))} /${f(active.target)}`;
    if (this.bed) s += ` B:${f(this.bed.temperature(t))} /${f(this.bed.target)}`;
    if (this.hotends.length > 1) {
      this.hotends.forEach((h, i) => (s += ` T${i}:${f(h.temperature(t))} /${f(h.target)}`));
    }
    s += ` @:${active.power(t)}`;
    if (this.bed) s += ` B@:${this.bed.power(t)}`;
    if (this.hotends.length > 1) this.hotends.forEach((h, i) => (s += ` @${i}:${h.power(t)}`));
    return s;
  }

  private capabilities(): void {
    const f = this.profile.features;
    const p = this.profile;
    const caps: [string, boolean][] = [
      ['SERIAL_XON_XOFF', false],
      ['BINARY_FILE_TRANSFER', false],
      ['EEPROM', false],
      ['AUTOREPORT_TEMP', true],
      ['AUTOREPORT_POS', true],
      ['PROGRESS', true],
      ['AUTOLEVEL', p.probe],
      ['Z_PROBE', p.probe],
      ['LEVELING_DATA', p.probe],
      ['SOFTWARE_POWER', false],
      ['TOGGLE_LIGHTS', f.led],
      ['EMERGENCY_PARSER', true],
      ['HOST_ACTION_COMMANDS', false],
      ['PROMPT_SUPPORT', false],
      ['ADVANCED_OK', this.opts.advancedOk],
      ['EXTENDED_M20', false],
      ['THERMAL_PROTECTION', true],
    ];
    let text =
      `FIRMWARE_NAME:Marlin 2.1.2.5 (twingrain virtual) SOURCE_CODE_URL:github.com/MarlinFirmware/Marlin ` +
      `PROTOCOL_VERSION:1.0 MACHINE_TYPE:${p.name} EXTRUDER_COUNT:${f.extruders} UUID:00000000-0000-4000-8000-${p.id.length.toString(16).padStart(12, '0')}\n`;
    for (const [name, on] of caps) text += `Cap:${name}:${on ? 1 : 0}\n`;
    // Not Marlin capabilities, but what a twin needs to show the right controls (Table 2).
    text += `echo:twingrain model=${p.id} rx=${p.rxBufferSize} bufsize=${p.commandQueueSize} planner=${p.plannerSize}\n`;
    this.emit(text);
  }

  private autoReports(now: number): void {
    if (this.tempInterval > 0 && now - this.lastTempReport >= (this.tempInterval * 1000) / Math.max(1, this.opts.timeScale)) {
      this.lastTempReport = now;
      this.emit(` ${this.tempReport()}\n`);
    }
    if (this.posInterval > 0 && now - this.lastPosReport >= (this.posInterval * 1000) / Math.max(1, this.opts.timeScale)) {
      this.lastPosReport = now;
      const p = this.toolheadAt(this.sim);
      this.emit(`X:${p.x.toFixed(2)} Y:${p.y.toFixed(2)} Z:${p.z.toFixed(2)} E:${p.e.toFixed(2)}\n`);
    }
  }

  /** kill(): heaters off, steppers off, nothing more is processed until a reset. */
  kill(reason: string): void {
    for (const h of this.hotends) h.setTarget(0, this.sim);
    this.bed?.setTarget(0, this.sim);
    this.fan = 0;
    this.queue = [];
    this.wait = undefined;
    this.blocks = [];
    this.planner.clear();
    this.pieces = [];
    this.ringHead = this.ringCount = 0;
    this.halted = true;
    this.emit(`Error:Printer halted. ${reason}\n`);
  }

  private emit(text: string): void {
    const bytes = encoder.encode(text);
    const wall = this.opts.clock();
    const at = Number.isNaN(this.outAt) ? wall : Math.min(this.outAt, wall);
    for (const l of this.outputListeners) l(bytes, at);
  }
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}
