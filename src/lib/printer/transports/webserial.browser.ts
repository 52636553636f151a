// Web Serial (and its WebUSB polyfill, which has the same shape) as a Transport. Browser only.

import type { ByteLink, Transport } from '../transport';
import { DisconnectedError, PortNotChosenError, SerialUnavailableError } from '../errors';

/** The parts of the Web Serial API used here (TypeScript's DOM library does not declare it). */
export interface SerialPortLike {
  open(options: { baudRate: number; bufferSize?: number }): Promise<void>;
  close(): Promise<void>;
  readonly readable: ReadableStream<Uint8Array> | null;
  readonly writable: WritableStream<Uint8Array> | null;
  getInfo?(): { usbVendorId?: number; usbProductId?: number };
}

export interface SerialLike {
  requestPort(options?: { filters?: unknown[] }): Promise<SerialPortLike>;
  getPorts(): Promise<SerialPortLike[]>;
  addEventListener?(type: 'connect' | 'disconnect', listener: (event: Event) => void): void;
  removeEventListener?(type: 'connect' | 'disconnect', listener: (event: Event) => void): void;
}

/** navigator.serial where the browser has it. */
export function nativeSerial(): SerialLike | undefined {
  return (globalThis.navigator as unknown as { serial?: SerialLike } | undefined)?.serial;
}

/** The WebUSB polyfill (Android Chrome has WebUSB but no Web Serial). Loaded only when needed. */
export async function polyfillSerial(): Promise<SerialLike> {
  if (!(globalThis.navigator as unknown as { usb?: unknown } | undefined)?.usb) throw new SerialUnavailableError();
  const mod = await import('web-serial-polyfill');
  return mod.serial as unknown as SerialLike;
}

export class WebSerialTransport implements Transport {
  private port: SerialPortLike;

  constructor(
    port: SerialPortLike,
    readonly baud: number,
    private readonly serial: SerialLike,
    readonly kind: 'webserial' | 'webusb' = 'webserial',
  ) {
    this.port = port;
  }

  /** Ask the person for a port (needs a user gesture). */
  static async request(baud: number, serial: SerialLike | undefined = nativeSerial(), kind: 'webserial' | 'webusb' = 'webserial'): Promise<WebSerialTransport> {
    if (!serial) throw new SerialUnavailableError();
    try {
      return new WebSerialTransport(await serial.requestPort(), baud, serial, kind);
    } catch (error) {
      if ((error as DOMException)?.name === 'NotFoundError') throw new PortNotChosenError();
      throw error;
    }
  }

  get label(): string {
    const info = this.port.getInfo?.() ?? {};
    const id = info.usbVendorId !== undefined ? `USB ${hex(info.usbVendorId)}:${hex(info.usbProductId ?? 0)}` : 'serial port';
    return `${this.kind === 'webusb' ? 'WebUSB ' : ''}${id} @ ${this.baud}`;
  }

  async open(): Promise<ByteLink> {
    await this.port.open({ baudRate: this.baud, bufferSize: 4096 });
    return new SerialLink(this.port);
  }

  /** After an unplug the same device comes back as a new port object: wait for it, then open it. */
  async reopen(timeoutMs: number): Promise<ByteLink> {
    const info = this.port.getInfo?.() ?? {};
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      const ports = await this.serial.getPorts();
      const same = ports.find((p) => {
        const i = p.getInfo?.() ?? {};
        return i.usbVendorId === info.usbVendorId && i.usbProductId === info.usbProductId;
      });
      if (same) {
        try {
          this.port = same;
          return await this.open();
        } catch {
          // Still settling (the OS re-enumerates the device); try again shortly.
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new DisconnectedError('the serial port did not come back');
  }
}

class SerialLink implements ByteLink {
  private dataListeners = new Set<(b: Uint8Array) => void>();
  private closeListeners = new Set<(r: string) => void>();
  private writer: WritableStreamDefaultWriter<Uint8Array>;
  private reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  private closed = false;

  constructor(private readonly port: SerialPortLike) {
    if (!port.writable || !port.readable) throw new DisconnectedError('the port opened without streams');
    this.writer = port.writable.getWriter();
    void this.readLoop(port.readable);
  }

  private async readLoop(readable: ReadableStream<Uint8Array>): Promise<void> {
    this.reader = readable.getReader();
    try {
      for (;;) {
        const { value, done } = await this.reader.read();
        if (done) break;
        if (value) for (const l of this.dataListeners) l(value);
      }
    } catch (error) {
      // A read error is how an unplugged USB device shows up.
      this.shut(`the serial port failed: ${(error as Error).message}`);
      return;
    }
    this.shut('the serial port closed');
  }

  private shut(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const l of this.closeListeners) l(reason);
  }

  async write(bytes: Uint8Array): Promise<void> {
    if (this.closed) throw new DisconnectedError('the serial port is closed');
    await this.writer.write(bytes);
  }

  onData(listener: (b: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (r: string) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.shut('closed by the host');
    await this.reader?.cancel().catch(() => {});
    this.reader?.releaseLock();
    this.writer.releaseLock();
    await this.port.close().catch(() => {});
  }
}

function hex(n: number): string {
  return n.toString(16).padStart(4, '0');
}
