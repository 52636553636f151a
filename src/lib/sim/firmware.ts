// A Marlin-speaking firmware model. It receives bytes into a finite serial RX ring (bytes that do not fit are lost,
// as on a real UART), validates line numbers and checksums like Marlin's GCodeQueue, queues BUFSIZE commands, runs
// moves through a finite planner, and answers with Marlin's exact response lines. Wall-clock time is used only for
// command parsing and keepalives; motion and heating run on a simulated clock that may jump over waits.

import { Heater } from './thermal';
import { linearMoveSeconds, type Vec4 } from './motion';
import type { PrinterProfile } from './profiles';

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
  /** Answer `ok N<line> P<planner free> B<queue free>` (Marlin ADVANCED_OK). */
  advancedOk?: boolean;
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
  | { kind: 'drain' };

interface QueuedCommand {
  n: number | undefined;
  text: string;
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

  private pos: Vec4 = { x: 0, y: 0, z: 0, e: 0 };
  private feed = 1500;
  private relative = false;
  private relativeE = false;
  private hotends: Heater[];
  private bed: Heater | undefined;
  private tool = 0;
  private fan = 0;
  private led = { r: 0, g: 0, b: 0 };
  private speedPercent = 100;
  private flowPercent = 100;
  private homed = false;
  halted = false;
  private executed = 0;

  private outputListeners = new Set<(bytes: Uint8Array) => void>();
  private executeListeners = new Set<(cmd: ExecutedCommand) => void>();

  constructor(options: FirmwareOptions) {
    this.profile = options.profile;
    this.opts = {
      profile: options.profile,
      timeScale: options.timeScale ?? 1,
      skipWaits: options.skipWaits ?? true,
      commandDelayMs: options.commandDelayMs ?? 0.1,
      advancedOk: options.advancedOk ?? false,
      random: options.random ?? Math.random,
      clock: options.clock ?? (() => performance.now()),
      faults: { resendRate: 0, lostOkRate: 0, busyRate: 0, ...options.faults },
    };
    this.ring = new Uint8Array(this.profile.rxBufferSize);
    this.hotends = Array.from({ length: this.profile.features.extruders }, () => new Heater(this.profile.hotend));
    this.bed = this.profile.features.heatedBed ? new Heater(this.profile.bed) : undefined;
    this.wallBase = this.opts.clock();
  }

  onOutput(listener: (bytes: Uint8Array) => void): () => void {
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
    this.pos = { x: 0, y: 0, z: 0, e: 0 };
    this.relative = this.relativeE = false;
    for (const h of this.hotends) h.setTarget(0, this.sim);
    this.bed?.setTarget(0, this.sim);
    this.fan = 0;
    this.led = { r: 0, g: 0, b: 0 };
    this.speedPercent = this.flowPercent = 100;
    this.homed = false;
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
  service(): number | undefined {
    const now = this.opts.clock();
    this.advanceClock();
    if (this.halted) return undefined;
    if (this.cpuClock < now - 2) this.cpuClock = now - 2;
    let guard = 0;
    while (guard++ < 10_000) {
      this.readSerial();
      if (this.wait) {
        if (!this.resolveWait(now)) break;
        continue;
      }
      if (this.cpuClock > now) break;
      const next = this.queue.shift();
      if (!next) break;
      this.cpuClock += this.opts.commandDelayMs;
      this.current = next;
      this.dispatch(next);
      if (!this.wait) this.finish();
    }
    this.autoReports(now);
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
      activeTool: this.tool,
      fan: this.fan,
      led: this.profile.features.led ? { ...this.led } : undefined,
      speedPercent: this.speedPercent,
      flowPercent: this.flowPercent,
      homed: this.homed,
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
    while (this.blocks.length > 0 && this.blocks[0]!.end <= this.sim) this.blocks.shift();
  }

  private jumpTo(t: number): void {
    if (t > this.sim) this.sim = t;
    while (this.blocks.length > 0 && this.blocks[0]!.end <= this.sim) this.blocks.shift();
  }

  private toolheadAt(t: number): Vec4 {
    const b = this.blocks.find((blk) => blk.start <= t && t < blk.end);
    if (!b) {
      const pending = this.blocks[0];
      return pending && pending.start > t ? { ...pending.from } : { ...this.pos };
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
    const last = this.blocks[this.blocks.length - 1];
    return last ? Math.max(last.end, this.sim) : this.sim;
  }

  // ---- serial parsing (Marlin GCodeQueue::get_serial_commands) ----------------------------------------------------

  private emergencyParse(byte: number): void {
    // EMERGENCY_PARSER: M112 acts as soon as its bytes arrive, even when the queue is full.
    const c = String.fromCharCode(byte).toUpperCase();
    if (c === '\n' || c === '\r') {
      if (this.emergency.trim() === 'M112' && !this.halted) this.kill('kill() called!');
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
    this.queue.push({ n, text: line });
  }

  private lineError(message: string): void {
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
    if (this.opts.advancedOk) {
      // ADVANCED_OK names the line just executed (if it had a number) and the free planner and queue slots.
      if (n !== undefined) ok += ` N${n}`;
      ok += ` P${this.profile.plannerSize - this.blocks.length} B${this.profile.commandQueueSize - this.queue.length}`;
    }
    return `${ok}${extra ? ' ' + extra : ''}\n`;
  }

  private dispatch(cmd: QueuedCommand): void {
    const text = cmd.text.toUpperCase();
    const m = /^([GMT])(\d+)(?:\.\d+)?\s*(.*)$/.exec(text);
    if (!m) {
      this.emit(`echo:Unknown command: "${cmd.text}"\n`);
      return;
    }
    const letter = m[1]!;
    const code = Number(m[2]);
    const args = parseArgs(m[3] ?? '');
    const feat = this.profile.features;
    if (letter === 'T') return this.selectTool(code);
    if (letter === 'G') {
      switch (code) {
        case 0:
        case 1:
        case 2:
        case 3:
          return this.move(args);
        case 4: {
          const secs = (args.P ?? 0) / 1000 + (args.S ?? 0);
          this.wait = { kind: 'until', simTime: this.plannerEnd() + secs };
          return;
        }
        case 28:
          return this.home(args);
        case 90:
          this.relative = false;
          this.relativeE = false;
          return;
        case 91:
          this.relative = true;
          this.relativeE = true;
          return;
        case 92:
          for (const axis of ['x', 'y', 'z', 'e'] as const) {
            const v = args[axis.toUpperCase()];
            if (v !== undefined) this.pos[axis] = v;
          }
          return;
      }
    } else {
      switch (code) {
        case 17:
        case 18:
        case 84:
        case 117:
        case 73:
        case 300:
        case 111:
        case 108:
        case 999:
          return;
        case 82:
          this.relativeE = false;
          return;
        case 83:
          this.relativeE = true;
          return;
        case 104:
        case 109:
          return this.setHotend(code === 109, args);
        case 140:
        case 190:
          if (!this.bed) break;
          return this.setBed(code === 190, args);
        case 105:
          this.pendingOkExtra = this.tempReport();
          return;
        case 106:
          if (!feat.fan) break;
          this.fan = Math.max(0, Math.min(255, args.S ?? 255));
          return;
        case 107:
          if (!feat.fan) break;
          this.fan = 0;
          return;
        case 110:
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
          if (!feat.led) break;
          this.led = { r: clampByte(args.R ?? 0), g: clampByte(args.U ?? 0), b: clampByte(args.B ?? 0) };
          return;
        case 154:
          this.posInterval = args.S ?? 0;
          return;
        case 155:
          this.tempInterval = args.S ?? 0;
          return;
        case 220:
          if (!feat.printSpeed) break;
          if (args.S !== undefined) this.speedPercent = Math.max(10, Math.min(999, args.S));
          else this.emit(`FR:${this.speedPercent}%\n`);
          return;
        case 221:
          if (!feat.printSpeed) break;
          if (args.S !== undefined) this.flowPercent = Math.max(10, Math.min(999, args.S));
          else this.emit(`echo:E0 Flow: ${this.flowPercent}%\n`);
          return;
        case 400:
          this.wait = { kind: 'drain' };
          return;
      }
    }
    this.emit(`echo:Unknown command: "${cmd.text}"\n`);
  }

  private selectTool(t: number): void {
    if (t >= this.hotends.length) {
      this.emit(`echo:T${t} Invalid extruder\n`);
      return;
    }
    this.tool = t;
    this.emit(`echo:Active Extruder: ${t}\n`);
  }

  private move(args: Record<string, number>): void {
    if (args.F !== undefined && args.F > 0) this.feed = args.F;
    const to: Vec4 = { ...this.pos };
    const v = this.profile.volume;
    for (const axis of ['x', 'y', 'z'] as const) {
      const value = args[axis.toUpperCase()];
      if (value !== undefined) to[axis] = this.relative ? this.pos[axis] + value : value;
    }
    if (args.E !== undefined) to.e = this.relativeE ? this.pos.e + args.E * (this.flowPercent / 100) : args.E;
    // Software endstops keep the nozzle inside the build volume.
    to.x = Math.max(0, Math.min(v.x, to.x));
    to.y = Math.max(0, Math.min(v.y, to.y));
    to.z = Math.max(0, Math.min(v.z, to.z));
    const secs = linearMoveSeconds(this.pos, to, this.feed, this.profile, this.speedPercent);
    this.queueBlock(to, secs);
  }

  private queueBlock(to: Vec4, secs: number): void {
    const from = { ...this.pos };
    this.pos = to;
    if (secs <= 0) return;
    if (this.blocks.length >= this.profile.plannerSize) {
      this.pendingBlock = { from, to, secs };
      this.wait = { kind: 'planner' };
      return;
    }
    const start = this.plannerEnd();
    this.blocks.push({ from, to, start, end: start + secs });
  }

  private pendingBlock: { from: Vec4; to: Vec4; secs: number } | undefined;

  private home(args: Record<string, number>): void {
    const all = args.X === undefined && args.Y === undefined && args.Z === undefined;
    const to = { ...this.pos };
    let secs = 0;
    for (const axis of ['x', 'y', 'z'] as const) {
      if (all || args[axis.toUpperCase()] !== undefined) {
        secs = Math.max(secs, this.pos[axis] / this.profile.homingFeedrate + 1);
        to[axis] = 0;
      }
    }
    this.queueBlock(to, secs);
    if (all) this.homed = true;
    if (!this.wait) this.wait = { kind: 'drain' };
  }

  private setHotend(waitFor: boolean, args: Record<string, number>): void {
    const index = args.T ?? this.tool;
    const heater = this.hotends[index];
    if (!heater) {
      this.emit(`echo:T${index} Invalid extruder\n`);
      return;
    }
    const value = args.S ?? args.R;
    if (value === undefined) return;
    const target = Math.max(0, Math.min(this.profile.hotend.maxTarget, value));
    heater.setTarget(target, this.sim);
    if (waitFor) this.wait = { kind: 'heater', heater, value: target, cooling: args.R !== undefined, nextReport: 0 };
  }

  private setBed(waitFor: boolean, args: Record<string, number>): void {
    const bed = this.bed!;
    const value = args.S ?? args.R;
    if (value === undefined) return;
    const target = Math.max(0, Math.min(this.profile.bed.maxTarget, value));
    bed.setTarget(target, this.sim);
    if (waitFor) this.wait = { kind: 'heater', heater: bed, value: target, cooling: args.R !== undefined, nextReport: 0 };
  }

  /** Returns true when the wait is over (and the command finished). */
  private resolveWait(now: number): boolean {
    const w = this.wait!;
    const skip = this.opts.skipWaits;
    let doneAt: number;
    switch (w.kind) {
      case 'until':
        doneAt = w.simTime;
        break;
      case 'drain':
        doneAt = this.plannerEnd();
        break;
      case 'planner':
        doneAt = this.blocks[0]?.end ?? this.sim;
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
      if (!skip) {
        if (now - this.lastKeepalive >= 2000) {
          this.lastKeepalive = now;
          this.emit('echo:busy: processing\n');
        }
        return false;
      }
      this.jumpTo(doneAt);
    }
    if (w.kind === 'planner') {
      const pb = this.pendingBlock!;
      this.pendingBlock = undefined;
      const start = this.plannerEnd();
      this.blocks.push({ from: pb.from, to: pb.to, start, end: start + pb.secs });
    }
    if (w.kind === 'heater' && skip) this.emit(` ${this.tempReport()}\n`);
    this.wait = undefined;
    this.lastKeepalive = now;
    this.finish();
    return true;
  }

  private tempReport(): string {
    const t = this.sim;
    const f = (v: number) => v.toFixed(2);
    const active = this.hotends[this.tool] ?? this.hotends[0]!;
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
    const caps: [string, boolean][] = [
      ['SERIAL_XON_XOFF', false],
      ['BINARY_FILE_TRANSFER', false],
      ['EEPROM', false],
      ['AUTOREPORT_TEMP', true],
      ['AUTOREPORT_POS', true],
      ['PROGRESS', true],
      ['AUTOLEVEL', false],
      ['Z_PROBE', false],
      ['LEVELING_DATA', false],
      ['SOFTWARE_POWER', false],
      ['TOGGLE_LIGHTS', f.led],
      ['EMERGENCY_PARSER', true],
      ['HOST_ACTION_COMMANDS', false],
      ['PROMPT_SUPPORT', false],
      ['ADVANCED_OK', this.opts.advancedOk],
      ['EXTENDED_M20', false],
      ['THERMAL_PROTECTION', true],
    ];
    const p = this.profile;
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
    this.ringHead = this.ringCount = 0;
    this.halted = true;
    this.emit(`Error:Printer halted. ${reason}\n`);
  }

  private emit(text: string): void {
    const bytes = encoder.encode(text);
    for (const l of this.outputListeners) l(bytes);
  }
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

function parseArgs(rest: string): Record<string, number> {
  const args: Record<string, number> = {};
  const re = /([A-Z])\s*(-?\d*\.?\d*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest))) {
    const v = m[2] === '' || m[2] === '-' ? 0 : Number(m[2]);
    args[m[1]!] = Number.isFinite(v) ? v : 0;
  }
  return args;
}
