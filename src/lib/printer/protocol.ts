// The Marlin host protocol over any ByteLink: numbered, checksummed lines; `ok` flow control with a bounded send-ahead
// window; Resend handling with exactly-once execution; timeouts with recovery; parsing of reports.
//
// WHY THE SEND-AHEAD WINDOW CANNOT OVERFLOW THE FIRMWARE'S RX BUFFER
// Marlin's UART ISR stores incoming bytes in an RX ring of RX_BUFFER_SIZE bytes (holding RX_BUFFER_SIZE − 1); bytes
// that arrive when it is full are lost. The ring only ever holds bytes of lines the host has sent whose response has
// not been produced yet: a line leaves the ring when Marlin reads it, and Marlin answers every line it reads exactly
// once — `ok` once it is executed, or `Error…/Resend/ok` if it is rejected — while lines it drains after an error
// (`flush_and_request_resend`) simply vanish. The host keeps an entry for every transmission and counts its bytes
// until a response proves the line has left the ring:
//   • a plain `ok` resolves the oldest non-stale entry (Marlin executes in order);
//   • `ok N<n>` (ADVANCED_OK) resolves that line and every older non-stale entry;
//   • after `Resend: k` (acted on at the error line before it, whose "Last Line: k−1" names the same k), the oldest
//     entry for a line ≥ k is released (the answered line, or one read before it), and
//     every other entry for a line ≥ k is "stale": it was drained, or it will be answered by an `Error:Line Number…`
//     (each such answer releases the oldest stale entry). All stale entries are released at the first `ok` for a
//     line sent after the rewind: the serial line is FIFO, so every stale byte reached the ring before it;
//   • after a silent period longer than the firmware's keepalive, nothing is left in the ring (see timeouts);
//   • with ADVANCED_OK, `ok N<n> P<p> B<b>` also says that BUFSIZE − b commands are queued in the firmware: Marlin
//     reads lines in order, so those are the next live entries after n, and their bytes have left the ring. They
//     stop counting at once (they stay in flight until their own ok). This is what keeps the planner fed: while
//     the firmware is busy, the ring can hold new lines instead of lines already read into the queue. BUFSIZE is
//     the largest b seen (the queue is empty right after the handshake). Only done while no entry is stale.
// Releasing never happens before the bytes are out of the ring, so the counted bytes are ≥ the ring's fill at all
// times, and sending only while counted + next ≤ RX_BUFFER_SIZE − 1 keeps the ring from overflowing. (Line noise
// that happens to form an extra valid command would break "one response per line"; the host recognises Marlin's
// `Unknown command` echo for text it did not send and ignores that `ok`. Should anything still overflow, the lost
// bytes surface as a checksum error and the line numbers repair them.)
//
// EXACTLY ONCE: lines are numbered; Marlin accepts line N only after N−1 and asks for the next one otherwise, so a
// line the host sends twice (resend, timeout probe, reconnect) is rejected the second time and never runs twice.

import { frameLine, validateCommand } from './framing';
import { parseFirmwareLine, type FirmwareLine, type PositionReading, type TemperatureReading } from './responses';
import type { ByteLink } from './transport';
import {
  BaudMismatchError,
  CommunicationTimeoutError,
  DisconnectedError,
  NoResponseError,
  PrinterError,
  PrinterHaltedError,
  PrinterResetError,
  ResendOutOfRangeError,
} from './errors';

export interface MarlinHostOptions {
  /** The firmware's RX_BUFFER_SIZE (Marlin default 128). The send-ahead window is one byte less. */
  rxBufferSize?: number;
  /** A smaller send-ahead window in bytes (fewer lines to resend after an error); at most rxBufferSize − 1. */
  windowBytes?: number;
  /** Marlin MAX_CMD_SIZE. */
  maxCommandSize?: number;
  /** Silence (no ok, resend or busy) after which the host probes the firmware. Keep it above Marlin's 2 s keepalive. */
  responseTimeoutMs?: number;
  /** Consecutive probes without an answer before giving up. */
  maxTimeouts?: number;
  /** How many lines may wait ahead of the wire before enqueue() waits (backpressure for streamed files). */
  queueLimit?: number;
  clock?: () => number;
  /** The baud rate the link was opened at, for error messages. */
  baud?: number;
}

export interface HostStats {
  /** Line transmissions, including resends. */
  linesSent: number;
  /** Retransmissions. */
  resends: number;
  /** Resend requests received from the firmware. */
  resendRequests: number;
  /** Bytes of first transmissions. */
  bytesFirstSent: number;
  /** Bytes of retransmissions. */
  bytesResent: number;
  timeouts: number;
  /** Lines confirmed as executed (ok received). */
  linesConfirmed: number;
  /** Lines whose bytes ADVANCED_OK showed had left the RX ring before their own ok. */
  advancedReleases: number;
}

export interface HostEvents {
  line: (line: FirmwareLine, raw: string) => void;
  sent: (n: number, command: string) => void;
  confirmed: (n: number) => void;
  temperature: (reading: TemperatureReading) => void;
  position: (position: PositionReading) => void;
  fatal: (error: PrinterError) => void;
  disconnect: (reason: string) => void;
}

interface Line {
  n: number;
  command: string;
  framed: Uint8Array;
  sent: boolean;
  collected: string[];
  resolve?: (lines: string[]) => void;
  reject?: (error: Error) => void;
}

interface Entry {
  line: Line;
  /** Bytes still counted as in the RX ring (0 once ADVANCED_OK shows the line was read into the queue). */
  bytes: number;
  stale: boolean;
  epoch: number;
  probe: boolean;
}

const encoder = new TextEncoder();

export class MarlinHost {
  readonly options: Required<Omit<MarlinHostOptions, 'windowBytes'>> & { windowBytes: number };
  readonly stats: HostStats = {
    linesSent: 0,
    resends: 0,
    resendRequests: 0,
    bytesFirstSent: 0,
    bytesResent: 0,
    timeouts: 0,
    linesConfirmed: 0,
    advancedReleases: 0,
  };
  /** The firmware's command queue size as learned from ADVANCED_OK (largest B seen); 0 until one arrives. */
  firmwareQueueSize = 0;
  /** Firmware identity from M115 and its Cap: lines. */
  firmwareInfo: Record<string, string> = {};
  capabilities: Record<string, boolean> = {};

  private link: ByteLink | undefined;
  private unlink: (() => void)[] = [];
  private lines = new Map<number, Line>();
  private nextN = 0;
  private sendCursor = 0;
  private confirmedN = -1;
  private inflight: Entry[] = [];
  private inflightBytes = 0;
  private epoch = 0;
  private rewoundTo = -1;
  private expectErrorOk = false;
  private pendingLineError: 'line-number' | 'checksum' | undefined;
  private spuriousOk = false;
  /** The line an error's "Last Line:" already rewound to: the Resend line that follows is then only read. */
  private resendHandled: number | undefined;
  private probing = false;
  private lastProgress = 0;
  private consecutiveTimeouts = 0;
  /** While a handshake runs: how long a silence is before its line is sent again (shorter than the handshake's limit). */
  private handshakeProbeMs: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private partial = '';
  private spaceWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private drainWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];
  private listeners: { [K in keyof HostEvents]: Set<HostEvents[K]> } = {
    line: new Set(),
    sent: new Set(),
    confirmed: new Set(),
    temperature: new Set(),
    position: new Set(),
    fatal: new Set(),
    disconnect: new Set(),
  };
  private sessionOpen = false;
  /** Bytes received and lines that parsed as something Marlin says: tells a baud mismatch from silence. */
  private received = { bytes: 0, validLines: 0 };
  failure: PrinterError | undefined;

  constructor(options: MarlinHostOptions = {}) {
    const rx = options.rxBufferSize ?? 128;
    this.options = {
      rxBufferSize: rx,
      windowBytes: Math.min(options.windowBytes ?? rx - 1, rx - 1),
      maxCommandSize: options.maxCommandSize ?? 96,
      responseTimeoutMs: options.responseTimeoutMs ?? 4000,
      maxTimeouts: options.maxTimeouts ?? 5,
      queueLimit: options.queueLimit ?? 32,
      clock: options.clock ?? (() => performance.now()),
      baud: options.baud ?? 0,
    };
  }

  on<K extends keyof HostEvents>(event: K, listener: HostEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  private fire<K extends keyof HostEvents>(event: K, ...args: Parameters<HostEvents[K]>): void {
    for (const l of this.listeners[event]) (l as (...a: Parameters<HostEvents[K]>) => void)(...args);
  }

  get connected(): boolean {
    return this.link !== undefined;
  }

  /** Lines enqueued but not yet confirmed. */
  get pendingLines(): number {
    return this.nextN - this.confirmedN - 1;
  }

  /** Bytes counted as possibly in the firmware's RX ring. */
  get windowFill(): number {
    return this.inflightBytes;
  }

  /**
   * Attach a link. On the first attach this starts a session (M110 N0, M115, temperature auto-report). On a later
   * attach (after an unplug) it probes the firmware to learn which line it has, and continues from there.
   */
  async attach(link: ByteLink, handshakeTimeoutMs = 3000): Promise<void> {
    this.detach();
    this.link = link;
    this.unlink.push(
      link.onData((bytes) => this.receive(bytes)),
      link.onClose((reason) => this.onLinkClosed(reason)),
    );
    this.lastProgress = this.options.clock();
    this.timer ??= setInterval(() => this.checkTimeout(), Math.max(20, Math.min(250, this.options.responseTimeoutMs / 4)));
    if (!this.sessionOpen) {
      await this.handshake(handshakeTimeoutMs);
    } else {
      this.recover(false);
    }
  }

  private async handshake(timeoutMs: number): Promise<void> {
    this.received = { bytes: 0, validLines: 0 };
    // A handshake line garbled on the wire (or sent while the board was still resetting) gets an error or nothing; a
    // lone "Resend" for a line we never sent confirms nothing. So within the handshake a silence is short: the line is
    // probed again several times before the handshake gives up, as hosts re-send their hello.
    this.handshakeProbeMs = Math.max(200, Math.min(this.options.responseTimeoutMs, Math.floor(timeoutMs / 4)));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          this.received.bytes > 0 && this.received.validLines === 0 ? new BaudMismatchError(this.options.baud || undefined) : new NoResponseError(timeoutMs),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([this.command('M110 N0'), timeout]);
      this.sessionOpen = true;
      const info = await Promise.race([this.command('M115'), timeout]);
      void info;
    } catch (error) {
      const e = error instanceof PrinterError ? error : new NoResponseError(timeoutMs);
      this.fail(e);
      // The link is ours now; a failed handshake closes it so the port can be opened again (at another baud).
      const link = this.link;
      this.detach();
      await link?.close().catch(() => {});
      throw e;
    } finally {
      clearTimeout(timer);
      this.handshakeProbeMs = undefined;
    }
    if (this.capabilities.AUTOREPORT_TEMP) await this.command('M155 S1');
  }

  /** Stop using the link (it stays open); pending lines wait for the next attach. */
  detach(): void {
    for (const u of this.unlink) u();
    this.unlink = [];
    this.link = undefined;
  }

  /** Close everything and reject whatever waits. */
  async close(): Promise<void> {
    const link = this.link;
    this.detach();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.rejectAll(new DisconnectedError('closed by the host'));
    await link?.close();
  }

  /**
   * Queue a command. Resolves once it is queued (waits while `queueLimit` lines are ahead of the wire); `done`
   * resolves with the response lines when the firmware has executed it.
   */
  async enqueue(command: string): Promise<{ n: number; done: Promise<string[]> }> {
    if (this.failure) throw this.failure;
    validateCommand(command, this.options.maxCommandSize);
    while (this.nextN - this.sendCursor >= this.options.queueLimit) {
      await new Promise<void>((resolve, reject) => this.spaceWaiters.push({ resolve, reject }));
      if (this.failure) throw this.failure;
    }
    const n = this.nextN++;
    const line: Line = { n, command, framed: encoder.encode(frameLine(n, command)), sent: false, collected: [] };
    const done = new Promise<string[]>((resolve, reject) => {
      line.resolve = resolve;
      line.reject = reject;
    });
    // A streamed job line nobody awaits must not become an unhandled rejection.
    done.catch(() => {});
    this.lines.set(n, line);
    this.pump();
    return { n, done };
  }

  /** Send a command and wait until it has been executed. Returns the lines the firmware sent for it. */
  async command(command: string): Promise<string[]> {
    const { done } = await this.enqueue(command);
    return done;
  }

  /** Wait until everything queued so far has been executed. */
  drain(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.confirmedN >= this.nextN - 1) return Promise.resolve();
    return new Promise((resolve, reject) => this.drainWaiters.push({ resolve, reject }));
  }

  /** M112: sent at once, outside the line numbering (Marlin's emergency parser acts on it even with a full buffer). */
  async emergencyStop(): Promise<void> {
    await this.link?.write(encoder.encode('M112\n'));
    this.fail(new PrinterHaltedError('emergency stop (M112) requested from the host'));
  }

  /** Start a fresh session after a failure (the firmware was reset or reconnected). */
  async restart(handshakeTimeoutMs = 3000): Promise<void> {
    this.rejectAll(this.failure ?? new DisconnectedError('session restarted'));
    this.failure = undefined;
    this.lines.clear();
    this.nextN = this.sendCursor = 0;
    this.confirmedN = -1;
    this.inflight = [];
    this.inflightBytes = 0;
    this.epoch++;
    this.expectErrorOk = this.spuriousOk = this.probing = false;
    this.pendingLineError = undefined;
    this.resendHandled = undefined;
    this.sessionOpen = false;
    this.consecutiveTimeouts = 0;
    this.lastProgress = this.options.clock();
    if (this.link) await this.handshake(handshakeTimeoutMs);
  }

  // ---- sending ----------------------------------------------------------------------------------------------

  private pump(): void {
    const link = this.link;
    if (!link || this.failure) return;
    while (this.sendCursor < this.nextN) {
      if (this.probing && this.inflight.length > 0) break;
      const line = this.lines.get(this.sendCursor);
      if (!line) {
        this.fail(new ResendOutOfRangeError(this.sendCursor));
        return;
      }
      const bytes = line.framed.length;
      if (this.inflightBytes + bytes > this.options.windowBytes && this.inflight.length > 0) break;
      this.inflight.push({ line, bytes, stale: false, epoch: this.epoch, probe: this.probing });
      this.inflightBytes += bytes;
      this.stats.linesSent++;
      if (line.sent) {
        this.stats.resends++;
        this.stats.bytesResent += bytes;
      } else {
        line.sent = true;
        this.stats.bytesFirstSent += bytes;
      }
      this.sendCursor++;
      if (this.inflight.length === 1) this.lastProgress = this.options.clock();
      link.write(line.framed).catch((e: unknown) => this.onLinkClosed(e instanceof Error ? e.message : String(e)));
      this.fire('sent', line.n, line.command);
    }
    if (this.nextN - this.sendCursor < this.options.queueLimit) {
      const waiters = this.spaceWaiters;
      this.spaceWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  // ---- receiving --------------------------------------------------------------------------------------------

  private receiving = false;
  private receivedLines: string[] = [];

  private receive(bytes: Uint8Array): void {
    this.received.bytes += bytes.length;
    // latin1: every byte maps to one character, so binary garbage cannot break the line splitting.
    let text = this.partial;
    for (let i = 0; i < bytes.length; i++) text += String.fromCharCode(bytes[i]!);
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    if (this.partial.length > 4096) this.partial = '';
    this.receivedLines.push(...parts);
    // A transport may call back while a line is being handled; lines must still be handled in order.
    if (this.receiving) return;
    this.receiving = true;
    try {
      let raw: string | undefined;
      while ((raw = this.receivedLines.shift()) !== undefined) this.handleLine(raw);
    } finally {
      this.receiving = false;
    }
  }

  private oldestLive(): Entry | undefined {
    return this.inflight.find((e) => !e.stale);
  }

  private handleLine(raw: string): void {
    const parsed = parseFirmwareLine(raw);
    if (parsed.kind !== 'other') this.received.validLines++;
    this.fire('line', parsed, raw);
    switch (parsed.kind) {
      case 'ok': {
        this.progress();
        if (parsed.temperatures) this.fire('temperature', parsed.temperatures);
        if (this.expectErrorOk || this.pendingLineError) {
          // The ok that Marlin sends after "Resend:" belongs to the rejected line, already handled (or, if the
          // Resend line was garbled, to be found again through the next error or a probe).
          this.expectErrorOk = false;
          this.pendingLineError = undefined;
          this.resendHandled = undefined;
          return;
        }
        if (this.spuriousOk) {
          this.spuriousOk = false;
          return;
        }
        this.onSuccessOk(parsed.n, parsed.queueFree);
        return;
      }
      case 'resend':
        this.progress();
        this.expectErrorOk = true;
        if (this.resendHandled === parsed.line) {
          // Already acted on at the error line that named the same line.
          this.resendHandled = undefined;
          this.pendingLineError = undefined;
          return;
        }
        this.resendHandled = undefined;
        this.onResend(parsed.line, this.pendingLineError);
        this.pendingLineError = undefined;
        return;
      case 'error': {
        if (parsed.fatal) return this.fail(new PrinterHaltedError(parsed.message));
        if (!parsed.lineError) return this.collect(raw);
        this.pendingLineError = parsed.lineError;
        // Marlin's line errors end with "Last Line: <n>", and the "Resend: <n+1>" that follows always names the line
        // after it: act now rather than one line later (a line's time on the return wire), so the rewind, and the
        // room that a drained line's answer frees in the window, reach the wire sooner.
        const last = /Last Line:\s*(-?\d+)\s*$/i.exec(parsed.message);
        if (last) {
          this.progress();
          const k = Number(last[1]) + 1;
          this.onResend(k, parsed.lineError);
          this.resendHandled = k;
        }
        return;
      }
      case 'busy':
        this.progress();
        return;
      case 'start':
        if (this.sessionOpen) this.fail(new PrinterResetError(this.confirmedN + 1));
        return;
      case 'temperature':
        if (parsed.temperatures.waiting) this.progress();
        this.fire('temperature', parsed.temperatures);
        return;
      case 'position':
        this.fire('position', parsed.position);
        this.collect(raw);
        return;
      case 'firmware':
        this.firmwareInfo = parsed.info;
        this.collect(raw);
        return;
      case 'capability':
        this.capabilities[parsed.name] = parsed.enabled;
        this.collect(raw);
        return;
      case 'unknown-command': {
        // Line noise can form a command that Marlin rejects but still acknowledges: that ok is not ours.
        const head = this.oldestLive();
        if (!head || head.line.command.trim().toUpperCase() !== parsed.command.trim().toUpperCase()) this.spuriousOk = true;
        this.collect(raw);
        return;
      }
      default:
        this.collect(raw);
    }
  }

  private collect(raw: string): void {
    this.oldestLive()?.line.collected.push(raw.trim());
  }

  private progress(): void {
    this.lastProgress = this.options.clock();
  }

  private remove(entry: Entry): void {
    const i = this.inflight.indexOf(entry);
    if (i >= 0) {
      this.inflight.splice(i, 1);
      this.inflightBytes -= entry.bytes;
    }
  }

  private dropStale(): void {
    for (const e of this.inflight.filter((x) => x.stale)) this.remove(e);
  }

  private onSuccessOk(n: number | undefined, queueFree?: number): void {
    let entry: Entry | undefined;
    if (n !== undefined) {
      entry = this.inflight.find((e) => !e.stale && e.line.n === n);
      if (!entry) return; // an ok for a line we did not count (e.g. a late answer to an old probe)
      // Older live entries were answered too (their oks were lost on the way).
      for (const e of this.inflight.filter((x) => !x.stale && this.inflight.indexOf(x) < this.inflight.indexOf(entry!))) this.remove(e);
    } else {
      entry = this.oldestLive();
      if (!entry) {
        // A rejected-looking line was in fact accepted (a cut line's answer misread as stale): release one stale
        // entry, which keeps the count an over-estimate.
        const stale = this.inflight.find((e) => e.stale);
        if (stale) this.remove(stale);
        this.pump();
        return;
      }
    }
    this.remove(entry);
    if (entry.epoch === this.epoch) this.dropStale();
    this.probing = false;
    this.consecutiveTimeouts = 0;
    this.confirm(entry.line.n);
    if (n !== undefined && queueFree !== undefined) this.releaseQueued(queueFree);
    this.pump();
  }

  /** ADVANCED_OK: the commands the firmware has queued are out of its RX ring (see the header). */
  private releaseQueued(queueFree: number): void {
    if (queueFree > this.firmwareQueueSize) this.firmwareQueueSize = queueFree;
    if (this.inflight.some((e) => e.stale || e.probe)) return;
    let queued = this.firmwareQueueSize - queueFree;
    for (const e of this.inflight) {
      if (queued <= 0) break;
      queued--;
      if (e.bytes === 0) continue;
      this.inflightBytes -= e.bytes;
      e.bytes = 0;
      this.stats.advancedReleases++;
    }
  }

  private onResend(k: number, kind: 'line-number' | 'checksum' | undefined): void {
    this.stats.resendRequests++;
    // During a new session's handshake the firmware may still count an earlier session's lines (the link came back
    // without a reset, with half a line in its buffer): our M110 N0 resets its count, so send that again.
    if (!this.sessionOpen && k > this.nextN) k = 0;
    const probed = this.probing;
    this.probing = false;
    const stale = this.inflight.filter((e) => e.stale);
    if (kind === 'line-number' && k === this.rewoundTo && stale.length > 0) {
      // The answer of a line that was already on its way when we rewound.
      this.remove(stale[0]!);
      this.pump();
      return;
    }
    if (k <= this.confirmedN) {
      // The firmware wants a line it has already executed: it lost its line numbers (it was reset).
      return this.fail(new PrinterResetError(this.confirmedN + 1));
    }
    if (k > this.nextN || (k < this.nextN && !this.lines.has(k))) return this.fail(new ResendOutOfRangeError(k));
    this.epoch++;
    // The line that drew this answer has left the ring: Marlin parses in order and lines before k were accepted, so
    // the oldest entry for a line ≥ k is that line or one parsed (or drained) before it. Releasing it guarantees
    // room to resend k even when every other stale line was drained and will never be answered.
    const responder = this.inflight.find((e) => e.line.n >= k || e.probe);
    if (responder) this.remove(responder);
    for (const e of this.inflight) if (e.line.n >= k || e.probe) e.stale = true;
    // Marlin has accepted everything before k: those lines will run (or have run) exactly once.
    this.rewoundTo = k;
    this.sendCursor = k;
    // After a silence and a probe, lines before k have run (their oks were lost): nothing else will confirm them.
    if (probed) this.confirm(k - 1);
    this.pump();
  }

  private confirm(n: number): void {
    if (n <= this.confirmedN) return;
    for (let i = this.confirmedN + 1; i <= n; i++) {
      const line = this.lines.get(i);
      this.stats.linesConfirmed++;
      line?.resolve?.(line.collected);
      this.fire('confirmed', i);
    }
    this.confirmedN = n;
    // Keep a little history behind the confirmed line; Marlin never asks further back than lastN + 1.
    for (const key of this.lines.keys()) {
      if (key > n - 8) break;
      this.lines.delete(key);
    }
    if (this.confirmedN >= this.nextN - 1) {
      const waiters = this.drainWaiters;
      this.drainWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  // ---- timeouts and failures ----------------------------------------------------------------------------------

  private checkTimeout(): void {
    if (!this.link || this.failure) return;
    const waiting = this.inflight.length > 0 || this.sendCursor < this.nextN || this.confirmedN < this.nextN - 1;
    if (!waiting) return;
    const now = this.options.clock();
    if (now - this.lastProgress < (this.handshakeProbeMs ?? this.options.responseTimeoutMs)) return;
    this.stats.timeouts++;
    this.consecutiveTimeouts++;
    if (this.consecutiveTimeouts > this.options.maxTimeouts) {
      return this.fail(new CommunicationTimeoutError(this.consecutiveTimeouts - 1));
    }
    this.recover(true);
  }

  /**
   * After a silence longer than the firmware's 2 s busy keepalive nothing of ours is left in its RX ring: forget the
   * window and send a single probe — the oldest unconfirmed line. Marlin runs it if it never got it, or answers
   * "Resend: lastN+1" if it did, and the stream continues from there.
   */
  private recover(timedOut: boolean): void {
    void timedOut;
    this.inflight = [];
    this.inflightBytes = 0;
    this.epoch++;
    this.expectErrorOk = false;
    this.spuriousOk = false;
    this.pendingLineError = undefined;
    this.resendHandled = undefined;
    this.partial = '';
    this.sendCursor = this.confirmedN + 1;
    this.probing = true;
    this.lastProgress = this.options.clock();
    this.pump();
  }

  private onLinkClosed(reason: string): void {
    if (!this.link) return;
    this.detach();
    this.fire('disconnect', reason);
  }

  private rejectAll(error: Error): void {
    for (const line of this.lines.values()) {
      if (line.n > this.confirmedN) line.reject?.(error);
    }
    const waiters = this.drainWaiters;
    this.drainWaiters = [];
    for (const w of waiters) w.reject(error);
    const space = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of space) w.reject(error);
  }

  /** Stop the session: reject everything pending and tell listeners. */
  fail(error: PrinterError): void {
    if (this.failure) return;
    this.failure = error;
    this.rejectAll(error);
    this.fire('fatal', error);
  }

  /** Give up waiting for a reconnect. */
  abandon(reason: string): void {
    this.fail(new DisconnectedError(reason));
  }
}
