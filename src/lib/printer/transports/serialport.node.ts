// A real serial device (or a pseudo-terminal) through the `serialport` package: the CLI's way to a printer next to a
// small server. Node only.

import { SerialPort } from 'serialport';
import type { ByteLink, Transport } from '../transport';
import { DisconnectedError, SerialPortOpenError } from '../errors';

export class SerialPortTransport implements Transport {
  readonly kind = 'serialport' as const;

  constructor(
    readonly path: string,
    readonly baud: number,
  ) {}

  get label(): string {
    return `${this.path} @ ${this.baud}`;
  }

  async open(): Promise<ByteLink> {
    const port = new SerialPort({ path: this.path, baudRate: this.baud, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(new SerialPortOpenError(this.path, e.message)) : resolve())));
    const closeListeners = new Set<(reason: string) => void>();
    let closed = false;
    const closeWith = (reason: string) => {
      if (closed) return;
      closed = true;
      for (const l of closeListeners) l(reason);
    };
    port.on('close', () => closeWith('the serial port closed'));
    port.on('error', (e: Error) => closeWith(`serial error: ${e.message}`));
    return {
      write: (bytes) =>
        new Promise<void>((resolve, reject) => {
          if (closed) return reject(new DisconnectedError('the serial port is closed'));
          port.write(Buffer.from(bytes), (e) => (e ? reject(new DisconnectedError(e.message)) : resolve()));
        }),
      onData: (listener) => {
        const h = (d: Buffer) => listener(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
        port.on('data', h);
        return () => port.off('data', h);
      },
      onClose: (listener) => {
        closeListeners.add(listener);
        return () => closeListeners.delete(listener);
      },
      close: () =>
        new Promise<void>((resolve) => {
          if (!port.isOpen) return resolve();
          closed = true;
          port.close(() => resolve());
        }),
    };
  }

  async reopen(timeoutMs: number): Promise<ByteLink> {
    const start = performance.now();
    let last: unknown;
    while (performance.now() - start < timeoutMs) {
      try {
        return await this.open();
      } catch (e) {
        last = e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    throw last instanceof Error ? last : new DisconnectedError(`${this.path} did not come back`);
  }
}
