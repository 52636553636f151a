// A print job: a G-code file streamed line by line into the host protocol, with progress, ETA, pause/resume with
// parking, cancel with cool-down, and a safe stop when the printer fails.

import type { MarlinHost } from './protocol';
import type { PrinterProfile } from '../machines/index';
import { readLines, type LineSource } from './line-source';
import { stripComment, validateCommand } from './framing';
import { JobCancelledError, JobStateError, PrinterError } from './errors';

export type JobState = 'queued' | 'running' | 'pausing' | 'paused' | 'cancelling' | 'done' | 'cancelled' | 'failed';

export interface JobProgress {
  state: JobState;
  /** Bytes of the file read so far. */
  bytesRead: number;
  /** Bytes of the file whose commands the firmware has executed. */
  bytesDone: number;
  size: number;
  /** Commands handed to the protocol / confirmed executed by the firmware. */
  commandsSent: number;
  commandsDone: number;
  /** 0..1 by executed bytes. */
  fraction: number;
  elapsedMs: number;
  /** Remaining time estimate, ms (undefined until it can be estimated). */
  etaMs: number | undefined;
  error: string | undefined;
}

export interface PrintJobOptions {
  profile: PrinterProfile;
  /** The simulation context's estimate for the whole file, seconds (improves the early ETA). */
  estimateSeconds?: number;
  /** Lift in mm when parking. */
  parkLift?: number;
  clock?: () => number;
}

export class PrintJob {
  state: JobState = 'queued';
  private bytesRead = 0;
  private bytesDone = 0;
  private commandsSent = 0;
  private commandsDone = 0;
  private startedAt = 0;
  private pausedMs = 0;
  private pausedAt = 0;
  private error: PrinterError | undefined;
  /** Numbered lines in flight → their place in the file. */
  private pending: { n: number; offset: number }[] = [];
  private resumeGate: { promise: Promise<void>; resolve: () => void } | undefined;
  private listeners = new Set<(p: JobProgress) => void>();
  private commandListeners = new Set<(commandIndex: number) => void>();
  private parked: { x: number; y: number; z: number; e: number; relative: boolean; relativeE: boolean } | undefined;
  private relative = false;
  private relativeE = false;
  private readonly clock: () => number;
  private finished: Promise<void> | undefined;

  constructor(
    readonly host: MarlinHost,
    readonly source: LineSource,
    readonly options: PrintJobOptions,
  ) {
    this.clock = options.clock ?? (() => performance.now());
  }

  onProgress(listener: (p: JobProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called with the index (among the file's commands) of each command the firmware has executed. */
  onCommandDone(listener: (commandIndex: number) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  progress(): JobProgress {
    const now = this.clock();
    const elapsedMs = this.startedAt ? now - this.startedAt - this.pausedMs - (this.pausedAt ? now - this.pausedAt : 0) : 0;
    const fraction = this.source.size > 0 ? this.bytesDone / this.source.size : 0;
    let etaMs: number | undefined;
    if (this.state === 'done') etaMs = 0;
    else if (fraction > 0.02 && elapsedMs > 0) etaMs = (elapsedMs / fraction) * (1 - fraction);
    else if (this.options.estimateSeconds !== undefined) etaMs = this.options.estimateSeconds * 1000 * (1 - fraction);
    return {
      state: this.state,
      bytesRead: this.bytesRead,
      bytesDone: this.bytesDone,
      size: this.source.size,
      commandsSent: this.commandsSent,
      commandsDone: this.commandsDone,
      fraction,
      elapsedMs,
      etaMs,
      error: this.error?.message,
    };
  }

  private emit(): void {
    const p = this.progress();
    for (const l of this.listeners) l(p);
  }

  /** Run the job to its end. Resolves when done or cancelled; rejects with the error that stopped it. */
  run(): Promise<void> {
    this.finished ??= this.execute();
    return this.finished;
  }

  private async execute(): Promise<void> {
    if (this.state !== 'queued') throw new JobStateError(`a ${this.state} job cannot be started again`);
    this.state = 'running';
    this.startedAt = this.clock();
    const offConfirmed = this.host.on('confirmed', (n) => this.onConfirmed(n));
    // A failed session must end the job even if the host is restarted right away (to switch heaters off).
    let fatal: PrinterError | undefined;
    const offFatal = this.host.on('fatal', (e) => (fatal ??= e));
    this.emit();
    try {
      let commandIndex = 0;
      for await (const line of readLines(this.source)) {
        this.bytesRead = line.endOffset;
        const command = stripComment(line.text);
        if (!command) continue;
        validateCommand(command, this.host.options.maxCommandSize, line.lineNumber);
        await this.gate();
        if (fatal) throw fatal;
        if (this.cancelling()) break;
        this.trackModes(command);
        const { n } = await this.host.enqueue(command);
        this.pending.push({ n, offset: line.endOffset });
        this.commandIndexByN.set(n, commandIndex++);
        this.commandsSent++;
        if (this.commandsSent % 256 === 0) this.emit();
      }
      await this.host.drain();
      if (fatal) throw fatal;
      if (this.cancelling()) {
        await this.coolDown();
        this.state = 'cancelled';
        this.emit();
        throw new JobCancelledError();
      }
      this.bytesDone = this.source.size;
      this.state = 'done';
      this.emit();
    } catch (error) {
      if (error instanceof JobCancelledError) throw error;
      const e = fatal ?? error;
      this.error = e instanceof PrinterError ? e : new PrinterError(String((e as Error)?.message ?? e));
      this.state = 'failed';
      this.emit();
      throw this.error;
    } finally {
      offConfirmed();
      offFatal();
    }
  }

  private commandIndexByN = new Map<number, number>();

  /** Read through a method: the state changes while run() awaits, which narrowing cannot see. */
  private cancelling(): boolean {
    return this.state === 'cancelling';
  }

  private onConfirmed(n: number): void {
    while (this.pending.length > 0 && this.pending[0]!.n <= n) {
      const p = this.pending.shift()!;
      this.bytesDone = p.offset;
      this.commandsDone++;
      const index = this.commandIndexByN.get(p.n);
      this.commandIndexByN.delete(p.n);
      if (index !== undefined) for (const l of this.commandListeners) l(index);
    }
  }

  private trackModes(command: string): void {
    const c = command.toUpperCase();
    if (/^G90\b/.test(c)) this.relative = this.relativeE = false;
    else if (/^G91\b/.test(c)) this.relative = this.relativeE = true;
    else if (/^M82\b/.test(c)) this.relativeE = false;
    else if (/^M83\b/.test(c)) this.relativeE = true;
  }

  private async gate(): Promise<void> {
    while (this.state === 'pausing' || this.state === 'paused') {
      await this.resumeGate?.promise;
    }
  }

  /** Pause: stop feeding, let the planner empty, retract, lift and move the head aside. */
  async pause(): Promise<void> {
    if (this.state !== 'running') throw new JobStateError(`only a running job can be paused (this one is ${this.state})`);
    this.state = 'pausing';
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.resumeGate = { promise, resolve };
    this.emit();
    await this.host.drain();
    await this.host.command('M400');
    const pos = parsePosition(await this.host.command('M114'));
    this.parked = { ...pos, relative: this.relative, relativeE: this.relativeE };
    const v = this.options.profile.volume;
    const lift = this.options.parkLift ?? 10;
    for (const c of ['M83', 'G1 E-2 F2400', 'G91', `G1 Z${Math.min(lift, v.z - pos.z).toFixed(2)} F600`, 'G90', `G1 X0 Y${v.y.toFixed(0)} F6000`, 'M400']) {
      await this.host.command(c);
    }
    this.pausedAt = this.clock();
    this.state = 'paused';
    this.emit();
  }

  /** Resume: return over the part, lower, prime, restore the modes, and continue streaming. */
  async resume(): Promise<void> {
    if (this.state !== 'paused' || !this.parked) throw new JobStateError(`only a paused job can be resumed (this one is ${this.state})`);
    const p = this.parked;
    for (const c of [
      'G90',
      `G1 X${p.x.toFixed(2)} Y${p.y.toFixed(2)} F6000`,
      `G1 Z${p.z.toFixed(2)} F600`,
      'M83',
      'G1 E2 F2400',
      `G92 E${p.e.toFixed(4)}`,
      p.relative ? 'G91' : 'G90',
      p.relativeE ? 'M83' : 'M82',
    ]) {
      await this.host.command(c);
    }
    this.pausedMs += this.clock() - this.pausedAt;
    this.pausedAt = 0;
    this.parked = undefined;
    this.state = 'running';
    this.resumeGate?.resolve();
    this.emit();
  }

  /** Cancel: stop feeding; when what was sent has run, park and switch the heaters and fan off. */
  async cancel(): Promise<void> {
    if (this.state === 'done' || this.state === 'cancelled' || this.state === 'failed') return;
    const wasPaused = this.state === 'paused' || this.state === 'pausing';
    this.state = 'cancelling';
    this.emit();
    if (wasPaused) this.resumeGate?.resolve();
    await this.run().catch(() => {});
  }

  private async coolDown(): Promise<void> {
    const f = this.options.profile.features;
    const v = this.options.profile.volume;
    const cmds = ['M400', 'G91', 'G1 Z10 F600', 'G90', `G1 X0 Y${v.y.toFixed(0)} F6000`];
    for (let t = 0; t < f.extruders; t++) cmds.push(`M104 T${t} S0`);
    if (f.heatedBed) cmds.push('M140 S0');
    if (f.fan) cmds.push('M107');
    cmds.push('M84');
    for (const c of cmds) await this.host.command(c);
  }
}

function parsePosition(lines: string[]): { x: number; y: number; z: number; e: number } {
  for (const l of lines) {
    const m = /X:\s*(-?[\d.]+)\s+Y:\s*(-?[\d.]+)\s+Z:\s*(-?[\d.]+)\s+E:\s*(-?[\d.]+)/.exec(l);
    if (m) return { x: Number(m[1]), y: Number(m[2]), z: Number(m[3]), e: Number(m[4]) };
  }
  return { x: 0, y: 0, z: 0, e: 0 };
}
