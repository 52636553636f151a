// The virtual printer as a Transport. Works the same in Node and in the browser.

import { VirtualPrinter, type VirtualPrinterOptions } from '../../sim/index';
import type { ByteLink, Transport } from '../transport';
import { DisconnectedError } from '../errors';

export interface VirtualTransportOptions extends VirtualPrinterOptions {
  /** The baud rate the host opens the port at (the printer's own rate unless set: a different one garbles bytes). */
  hostBaud?: number;
}

export class VirtualTransport implements Transport {
  readonly kind = 'virtual' as const;
  readonly printer: VirtualPrinter;
  readonly baud: number;

  constructor(options: VirtualTransportOptions | VirtualPrinter, hostBaud?: number) {
    this.printer = options instanceof VirtualPrinter ? options : new VirtualPrinter(options);
    this.baud = hostBaud ?? (options instanceof VirtualPrinter ? undefined : options.hostBaud) ?? this.printer.baud;
  }

  get label(): string {
    return `virtual ${this.printer.profile.name} @ ${this.baud}`;
  }

  /** While true the cable is out: the port cannot be opened until `plugIn()`. */
  private cut = false;

  async open(): Promise<ByteLink> {
    if (this.cut) throw new DisconnectedError("the virtual printer's cable is unplugged; plug it in first");
    return this.printer.open(this.baud);
  }

  /** Pull the cable and leave it out (a lost link): the host waits for it, then gives up. */
  unplug(): void {
    this.cut = true;
    this.printer.unplug();
  }

  /** Put the cable back. */
  plugIn(): void {
    this.cut = false;
  }

  /**
   * A power cut: the cable drops and the board restarts with everything volatile lost (position, heater targets,
   * line numbers); the heaters cool from where they were.
   */
  powerCycle(): void {
    this.printer.unplug();
    this.printer.firmware.boot('Power-Up');
  }

  async reopen(timeoutMs: number): Promise<ByteLink> {
    // A virtual cable is plugged back in at once; the wait stands for the time a person takes to do it.
    const start = performance.now();
    while (performance.now() - start < timeoutMs) {
      try {
        if (!this.cut) return this.printer.open(this.baud);
      } catch {
        // Still plugged in on the printer's side; try again shortly.
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new DisconnectedError('the virtual printer did not come back');
  }
}
