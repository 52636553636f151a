// A virtual printer on a virtual cable: the firmware model behind two paced pipes, with line faults injected on the
// way in and out. The host side is a plain byte endpoint, so the same object backs a Node test, the CLI, a TCP port
// and a stand-in for navigator.serial in the browser.

import { VirtualMarlin, type FirmwareFaults, type ExecutedCommand } from './firmware';
import { PacedPipe } from './link';
import { getPrinterProfile, type PrinterProfile } from '../machines/index';
import { schedule } from './schedule';
import { seededRandom } from './random';
import { InvalidFaultConfigError, PortClosedError } from './errors';

export interface LineFaults {
  /** Per host line: flip one byte so the firmware sees a checksum (or line number) error. */
  checksumErrorRate?: number;
  /** Per host line: lose one byte on the wire. */
  dropRate?: number;
  /** Per host line: insert a burst of random bytes (binary garbage). */
  garbageRate?: number;
  /** Per firmware line: insert random bytes on the way back to the host. */
  returnGarbageRate?: number;
}

export type Faults = LineFaults & FirmwareFaults;

export interface VirtualPrinterOptions {
  model: string | PrinterProfile;
  /** The baud rate the firmware runs at (the profile's by default). A host opening at another rate sees garbage. */
  baud?: number;
  faults?: Faults;
  seed?: number;
  /** Simulated seconds per wall second; with skipWaits the clock also jumps over waits. */
  timeScale?: number;
  skipWaits?: boolean;
  advancedOk?: boolean;
  commandDelayMs?: number;
  /** Reset the board when the port is opened (DTR reset of AVR boards). Native-USB boards do not. */
  resetOnOpen?: boolean;
  /** Deliver bytes at once instead of at the baud rate (TCP bridges, where the remote end paces itself). */
  unpaced?: boolean;
  clock?: () => number;
}

/** The host's side of the virtual cable. */
export interface VirtualEndpoint {
  readonly baud: number;
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): () => void;
  onClose(listener: (reason: string) => void): () => void;
  close(): Promise<void>;
  readonly closed: boolean;
}

const faultFields = ['checksumErrorRate', 'dropRate', 'garbageRate', 'returnGarbageRate', 'resendRate', 'lostOkRate', 'busyRate'] as const;

function validateFaults(faults: Faults): void {
  for (const f of faultFields) {
    const v = faults[f];
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new InvalidFaultConfigError(f, v);
  }
}

export class VirtualPrinter {
  readonly profile: PrinterProfile;
  readonly firmware: VirtualMarlin;
  readonly baud: number;
  private readonly clock: () => number;
  private readonly random: () => number;
  private lineFaults: LineFaults;
  private endpoint: Endpoint | undefined;
  private cancelTimer: (() => void) | undefined;
  private timerAt = Infinity;
  private booted = false;
  /** Counters of what the cable did, for tests and the UI. */
  readonly stats = { corrupted: 0, dropped: 0, garbage: 0, returnGarbage: 0, unplugs: 0, resets: 0 };

  constructor(private readonly options: VirtualPrinterOptions) {
    this.profile = typeof options.model === 'string' ? getPrinterProfile(options.model) : options.model;
    this.baud = options.baud ?? this.profile.baud;
    this.clock = options.clock ?? (() => performance.now());
    this.random = options.seed === undefined ? Math.random : seededRandom(options.seed);
    const faults = options.faults ?? {};
    validateFaults(faults);
    this.lineFaults = faults;
    this.firmware = new VirtualMarlin({
      profile: this.profile,
      timeScale: options.timeScale ?? 1,
      skipWaits: options.skipWaits ?? true,
      commandDelayMs: options.commandDelayMs ?? 0.1,
      advancedOk: options.advancedOk ?? false,
      faults,
      random: this.random,
      clock: this.clock,
    });
    this.firmware.onOutput((bytes, at) => this.endpoint?.fromFirmware(bytes, at));
  }

  /** Milliseconds the host-to-printer wire of the open port has stood idle between writes. */
  get wireIdleMs(): number {
    return this.endpoint?.toFirmware.idleMs ?? 0;
  }

  setFaults(faults: Faults): void {
    validateFaults(faults);
    this.lineFaults = { ...this.lineFaults, ...faults };
    this.firmware.setFaults(faults);
  }

  onExecute(listener: (cmd: ExecutedCommand) => void): () => void {
    return this.firmware.onExecute(listener);
  }

  /** Plug the cable in and open the port at the host's baud rate. */
  open(hostBaud: number): VirtualEndpoint {
    if (this.endpoint && !this.endpoint.closed) throw new Error('the virtual port is already open; close it first');
    const ep = new Endpoint(this, hostBaud);
    this.endpoint = ep;
    if (!this.booted || this.options.resetOnOpen) {
      this.booted = true;
      this.firmware.boot(this.options.resetOnOpen && this.stats.unplugs > 0 ? 'External Reset' : 'Power-Up');
    }
    // Run the cable only after the caller has had a chance to listen: the boot banner must not be lost.
    queueMicrotask(() => this.kick());
    return ep;
  }

  /** Pull the cable: the host's port closes, bytes on the wire are lost, the firmware keeps its state. */
  unplug(): void {
    this.stats.unplugs++;
    // Cleared before the close callbacks run: a host may plug straight back in from inside them.
    const ep = this.endpoint;
    this.endpoint = undefined;
    ep?.shut('the printer was unplugged');
  }

  /** Reset the board (watchdog, power glitch): everything volatile is lost. */
  reset(): void {
    this.stats.resets++;
    this.firmware.boot('Watchdog Reset');
    this.kick();
  }

  // ---- internals used by the endpoint ------------------------------------------------------------------------

  /** @internal */ injectLineFaults(bytes: Uint8Array): Uint8Array {
    const f = this.lineFaults;
    if (!f.checksumErrorRate && !f.dropRate && !f.garbageRate) return bytes;
    const out: number[] = [];
    let line: number[] = [];
    const flushLine = (terminator: number | undefined) => {
      if (line.length > 0) {
        if (f.checksumErrorRate && this.random() < f.checksumErrorRate) {
          const i = Math.floor(this.random() * line.length);
          line[i] = line[i]! ^ 1;
          this.stats.corrupted++;
        }
        if (f.dropRate && this.random() < f.dropRate) {
          line.splice(Math.floor(this.random() * line.length), 1);
          this.stats.dropped++;
        }
        if (f.garbageRate && this.random() < f.garbageRate) {
          const burst = Array.from({ length: 1 + Math.floor(this.random() * 8) }, () => Math.floor(this.random() * 256));
          line.splice(Math.floor(this.random() * line.length), 0, ...burst);
          this.stats.garbage++;
        }
      }
      out.push(...line);
      if (terminator !== undefined) out.push(terminator);
      line = [];
    };
    for (const b of bytes) {
      if (b === 10) flushLine(b);
      else line.push(b);
    }
    flushLine(undefined);
    return Uint8Array.from(out);
  }

  /** @internal */ injectReturnFaults(bytes: Uint8Array): Uint8Array {
    const rate = this.lineFaults.returnGarbageRate;
    if (!rate || this.random() >= rate) return bytes;
    this.stats.returnGarbage++;
    const burst = Array.from({ length: 1 + Math.floor(this.random() * 6) }, () => 128 + Math.floor(this.random() * 128));
    const at = Math.floor(this.random() * bytes.length);
    return Uint8Array.from([...bytes.subarray(0, at), ...burst, ...bytes.subarray(at)]);
  }

  /** @internal */ get isUnpaced(): boolean {
    return this.options.unpaced === true;
  }

  /** @internal */ get now(): number {
    return this.clock();
  }

  /** Run the cable and firmware now and schedule the next run. */
  /** @internal */ kick(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
    this.pump();
  }

  private pumping = false;
  private pumpAgain = false;

  private pump(): void {
    // Host callbacks run inside deliverToHost and write back at once; running the cable re-entrantly would deliver
    // later bytes before earlier ones have been handled, so a nested request only asks for another round.
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.pumpAgain = false;
        this.pumpOnce();
      } while (this.pumpAgain);
    } finally {
      this.pumping = false;
    }
  }

  private pumpOnce(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.timerAt = Infinity;
    const ep = this.endpoint;
    let next = Infinity;
    for (let round = 0; round < 4; round++) {
      // Each line is handed to the firmware at the time it arrived, so its answer leaves at the firmware's time
      // even when this process got the CPU late (the firmware has its own microcontroller).
      if (ep && !ep.closed) {
        for (const piece of ep.toFirmware.takeEach()) {
          this.firmware.receive(ep.scramble(piece.bytes));
          this.firmware.service(piece.at);
          ep.deliverToHost();
        }
      }
      const fw = this.firmware.service();
      if (ep && !ep.closed) ep.deliverToHost();
      next = Math.min(fw ?? Infinity, ep?.nextEvent() ?? Infinity);
      if (next > this.clock()) break;
    }
    if (next === Infinity) return;
    this.timerAt = next;
    this.cancelTimer = schedule(() => {
      this.cancelTimer = undefined;
      this.timerAt = Infinity;
      this.pump();
    }, next - this.clock());
  }

  /** @internal */ wake(at: number): void {
    if (at < this.timerAt) this.kick();
  }
}

class Endpoint implements VirtualEndpoint {
  readonly toFirmware: PacedPipe;
  readonly toHost: PacedPipe;
  private dataListeners = new Set<(bytes: Uint8Array) => void>();
  private closeListeners = new Set<(reason: string) => void>();
  closed = false;
  private readonly mismatch: boolean;

  constructor(
    private readonly printer: VirtualPrinter,
    readonly baud: number,
  ) {
    const clock = () => printer.now;
    // A pipe paced at the host's rate; if it differs from the firmware's rate, every byte is misread.
    const pace = printer.isUnpaced ? 1e12 : baud;
    this.toFirmware = new PacedPipe(pace, clock);
    this.toHost = new PacedPipe(pace, clock);
    this.mismatch = baud !== printer.baud;
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new PortClosedError();
    this.toFirmware.push(this.printer.injectLineFaults(bytes));
    this.printer.wake(this.toFirmware.nextArrival() ?? Infinity);
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (reason: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.shut('closed by the host');
  }

  shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.toFirmware.clear();
    this.toHost.clear();
    for (const l of this.closeListeners) l(reason);
  }

  /** Bytes misread at a wrong baud rate: each turns into a different, deterministic byte. */
  scramble(bytes: Uint8Array): Uint8Array {
    if (!this.mismatch) return bytes;
    return bytes.map((b) => ((b * 167 + 13) ^ 0xa5) & 0xff);
  }

  fromFirmware(bytes: Uint8Array, at?: number): void {
    if (this.closed) return;
    this.toHost.push(this.scramble(this.printer.injectReturnFaults(bytes)), at);
  }

  deliverToHost(): void {
    const bytes = this.toHost.take();
    if (!bytes) return;
    for (const l of this.dataListeners) l(bytes);
  }

  nextEvent(): number | undefined {
    const a = this.toFirmware.nextArrival();
    const b = this.toHost.nextArrival();
    if (a === undefined) return b;
    if (b === undefined) return a;
    return Math.min(a, b);
  }
}
