// One printer: a transport, the host protocol, its twin's controls, a job queue, and the live state the views read.

import { MarlinHost, type MarlinHostOptions } from './protocol';
import type { Transport } from './transport';
import type { PrinterProfile } from '../machines/index';
import type { PositionReading, TemperatureReading } from './responses';
import { PrintJob, type JobProgress } from './job';
import type { LineSource } from './line-source';
import { controlsFor, gcodeFor, type ControlSet } from './controls';
import { PrinterError, PrinterHaltedError } from './errors';

export type PrinterStatus = 'disconnected' | 'connecting' | 'ready' | 'printing' | 'paused' | 'reconnecting' | 'error';

export interface TemperatureSample {
  /** ms since connect. */
  t: number;
  hotends: { temperature: number; target: number }[];
  bed?: { temperature: number; target: number };
}

export interface PrinterSnapshot {
  status: PrinterStatus;
  label: string;
  temperatures: TemperatureReading | undefined;
  position: PositionReading | undefined;
  firmware: Record<string, string>;
  error: string | undefined;
  job: JobProgress | undefined;
  queue: string[];
}

export interface PrinterOptions {
  host?: MarlinHostOptions;
  /** How long to wait for an unplugged printer to come back before stopping the job. */
  reconnectGraceMs?: number;
  /** Temperature samples kept for the charts. */
  historySize?: number;
}

export class Printer {
  readonly host: MarlinHost;
  readonly controls: ControlSet;
  status: PrinterStatus = 'disconnected';
  temperatures: TemperatureReading | undefined;
  position: PositionReading | undefined;
  error: string | undefined;
  readonly history: TemperatureSample[] = [];
  /** Console lines, newest last. */
  readonly consoleLog: { dir: 'in' | 'out'; text: string }[] = [];
  job: PrintJob | undefined;
  private queue: { source: LineSource; estimateSeconds?: number }[] = [];
  private listeners = new Set<() => void>();
  /** The clean-up after a fatal error (a fresh session, heaters off), while it runs. */
  private recovering: Promise<void> | undefined;
  private connectedAt = 0;
  private readonly grace: number;
  private readonly historySize: number;

  constructor(
    readonly transport: Transport,
    readonly profile: PrinterProfile,
    options: PrinterOptions = {},
  ) {
    this.host = new MarlinHost({ rxBufferSize: profile.rxBufferSize, maxCommandSize: profile.maxCommandSize, baud: transport.baud, ...options.host });
    this.controls = controlsFor(profile);
    this.grace = options.reconnectGraceMs ?? 10_000;
    this.historySize = options.historySize ?? 600;
    this.host.on('temperature', (r) => this.onTemperature(r));
    this.host.on('position', (p) => {
      this.position = p;
      this.changed();
    });
    this.host.on('line', (_l, raw) => this.log('in', raw));
    this.host.on('fatal', (e) => void (this.recovering = this.onFatal(e)));
    this.host.on('disconnect', (reason) => void this.onDisconnect(reason));
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private log(dir: 'in' | 'out', text: string): void {
    // Busy chatter and ok lines are left out of the console; they would drown what matters.
    if (dir === 'in' && (/^ok\b/.test(text) || /^\s*T\d?:/.test(text))) return;
    this.consoleLog.push({ dir, text });
    if (this.consoleLog.length > 500) this.consoleLog.splice(0, this.consoleLog.length - 500);
  }

  snapshot(): PrinterSnapshot {
    return {
      status: this.status,
      label: this.transport.label,
      temperatures: this.temperatures,
      position: this.position,
      firmware: this.host.firmwareInfo,
      error: this.error,
      job: this.job?.progress(),
      queue: this.queue.map((q) => q.source.name),
    };
  }

  async connect(): Promise<void> {
    this.status = 'connecting';
    this.error = undefined;
    this.changed();
    try {
      const link = await this.transport.open();
      this.connectedAt = performance.now();
      await this.host.attach(link);
      // Position auto-report lets the 3D view follow the toolhead without polling.
      if (this.host.capabilities.AUTOREPORT_POS) await this.host.command('M154 S1');
      this.status = 'ready';
    } catch (error) {
      this.status = 'error';
      this.error = (error as Error).message;
      throw error;
    } finally {
      this.changed();
    }
  }

  async disconnect(): Promise<void> {
    await this.host.close();
    this.status = 'disconnected';
    this.changed();
  }

  /**
   * After a failed session (the printer was reset or power-cycled, or its link stayed away): open the link again if
   * it is gone and start a fresh session, so the printer is ready for a new or resumed print.
   */
  async restartSession(): Promise<void> {
    if (this.status === 'printing' || this.status === 'paused') return;
    this.status = 'connecting';
    this.changed();
    try {
      await this.recovering;
      if (!this.host.connected) await this.host.attach(await this.transport.open());
      // The clean-up after the failure may already have started a fresh session.
      if (this.host.failure || !this.host.connected) await this.host.restart();
      if (this.host.capabilities.AUTOREPORT_POS) await this.host.command('M154 S1');
      this.status = 'ready';
      this.error = undefined;
    } catch (error) {
      this.status = 'error';
      this.error = (error as Error).message;
      throw error;
    } finally {
      this.changed();
    }
  }

  /** Send a console command; resolves with what the firmware answered. */
  async send(command: string): Promise<string[]> {
    this.log('out', command);
    this.changed();
    const lines = await this.host.command(command.trim());
    this.changed();
    return lines;
  }

  private async run(cmds: string[]): Promise<void> {
    for (const c of cmds) await this.send(c);
  }

  home(axes?: ('X' | 'Y' | 'Z')[]) {
    return this.run(gcodeFor.home(this.profile, axes));
  }
  jog(axis: 'X' | 'Y' | 'Z' | 'E', distance: number, feed?: number) {
    return this.run(gcodeFor.jog(this.profile, axis, distance, feed));
  }
  setHotend(celsius: number, index = 0) {
    return this.run(gcodeFor.hotend(this.profile, celsius, index));
  }
  setBed(celsius: number) {
    return this.run(gcodeFor.bed(this.profile, celsius));
  }
  setFan(percent: number) {
    return this.run(gcodeFor.fan(this.profile, percent));
  }
  setLed(r: number, g: number, b: number) {
    return this.run(gcodeFor.led(this.profile, r, g, b));
  }
  setSpeed(percent: number) {
    return this.run(gcodeFor.speed(this.profile, percent));
  }
  setFlow(percent: number) {
    return this.run(gcodeFor.flow(this.profile, percent));
  }
  selectTool(index: number) {
    return this.run(gcodeFor.tool(this.profile, index));
  }

  async emergencyStop(): Promise<void> {
    this.job?.cancel().catch(() => {});
    await this.host.emergencyStop();
  }

  /** Add a file to the queue; it starts at once if nothing is printing. */
  enqueueJob(source: LineSource, estimateSeconds?: number): void {
    this.queue.push({ source, ...(estimateSeconds !== undefined ? { estimateSeconds } : {}) });
    this.changed();
    if (!this.job || ['done', 'cancelled', 'failed'].includes(this.job.state)) void this.startNext();
  }

  private async startNext(): Promise<void> {
    const next = this.queue.shift();
    if (!next || this.status !== 'ready') return;
    const job = new PrintJob(this.host, next.source, {
      profile: this.profile,
      ...(next.estimateSeconds !== undefined ? { estimateSeconds: next.estimateSeconds } : {}),
    });
    this.job = job;
    this.status = 'printing';
    job.onProgress((p) => {
      if (p.state === 'paused') this.status = 'paused';
      else if (p.state === 'running') this.status = 'printing';
      this.changed();
    });
    try {
      await job.run();
      this.status = 'ready';
    } catch {
      if ((this.status as PrinterStatus) !== 'error') this.status = 'ready';
    }
    this.changed();
    if (this.status === 'ready' && this.queue.length > 0) await this.startNext();
  }

  private onTemperature(r: TemperatureReading): void {
    this.temperatures = r;
    this.history.push({ t: performance.now() - this.connectedAt, hotends: r.hotends, ...(r.bed ? { bed: r.bed } : {}) });
    if (this.history.length > this.historySize) this.history.splice(0, this.history.length - this.historySize);
    this.changed();
  }

  private async onDisconnect(reason: string): Promise<void> {
    if (this.status === 'disconnected') return;
    const before = this.status;
    this.status = 'reconnecting';
    this.error = `${reason}; waiting up to ${Math.round(this.grace / 1000)} s for it to come back`;
    this.changed();
    try {
      const link = await this.transport.reopen(this.grace);
      await this.host.attach(link);
      this.status = before === 'reconnecting' ? 'ready' : before;
      this.error = undefined;
    } catch {
      this.host.abandon(reason);
    }
    this.changed();
  }

  /**
   * A fatal error stops the job. Unless the firmware halted by itself (which switches its heaters off), start a fresh
   * session and switch every heater and the fan off, so no heater is left on.
   */
  private async onFatal(error: PrinterError): Promise<void> {
    this.status = 'error';
    this.error = error.message;
    this.changed();
    if (error instanceof PrinterHaltedError || !this.host.connected) return;
    try {
      await this.host.restart();
      const f = this.profile.features;
      for (let t = 0; t < f.extruders; t++) await this.host.command(`M104 T${t} S0`);
      if (f.heatedBed) await this.host.command('M140 S0');
      if (f.fan) await this.host.command('M107');
      this.error = `${error.message} (heaters switched off)`;
    } catch (e) {
      this.error = `${error.message}; switching the heaters off failed too (${(e as Error).message}) — switch the printer off`;
    }
    this.changed();
  }
}

export { PrinterError };
