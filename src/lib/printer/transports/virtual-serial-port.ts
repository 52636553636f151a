// A Web Serial-shaped port (open/readable/writable/close) over a virtual printer. It lets the browser's Web Serial
// code path — WebSerialTransport — run against the simulator, e.g. behind a stand-in navigator.serial in tests.

import { VirtualPrinter, type VirtualPrinterOptions, type VirtualEndpoint } from '../../sim/index';
import type { SerialPortLike } from './webserial.browser';

export function virtualSerialPort(options: VirtualPrinterOptions | VirtualPrinter): SerialPortLike & { printer: VirtualPrinter } {
  const printer = options instanceof VirtualPrinter ? options : new VirtualPrinter(options);
  let endpoint: VirtualEndpoint | undefined;
  let readable: ReadableStream<Uint8Array> | null = null;
  let writable: WritableStream<Uint8Array> | null = null;
  return {
    printer,
    get readable() {
      return readable;
    },
    get writable() {
      return writable;
    },
    getInfo: () => ({ usbVendorId: 0x1d50, usbProductId: 0x6029 }),
    async open({ baudRate }) {
      const ep = printer.open(baudRate);
      endpoint = ep;
      readable = new ReadableStream<Uint8Array>({
        start(controller) {
          ep.onData((bytes) => controller.enqueue(bytes.slice()));
          ep.onClose(() => {
            try {
              controller.error(new DOMException('The device has been lost.', 'NetworkError'));
            } catch {
              // already closed
            }
          });
        },
      });
      writable = new WritableStream<Uint8Array>({ write: (chunk) => ep.write(chunk) });
    },
    async close() {
      await endpoint?.close();
      readable = writable = null;
    },
  };
}
