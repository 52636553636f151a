// The "printer" capability a twin runtime grants to the communication context: a thin adapter over the Marlin host
// protocol (src/lib/printer) on Web Serial or the virtual printer. The granule never sees the transport. Marlin puts
// M105 answers on the "ok" line and auto-reports temperatures, which the host turns into events rather than reply
// lines, so the adapter also keeps the latest temperature and position reports for `telemetry`.
import type { Capability } from './runtime';

export interface PrinterCommander {
  command(command: string): Promise<string[]>;
  on?(event: 'temperature' | 'position', listener: (reading: never) => void): () => void;
}

export interface PrinterCapability extends Capability {
  /** Stops following the host's reports. */
  dispose(): void;
}

export function printerCapability(host: PrinterCommander, status: () => unknown = () => ({ connected: true })): PrinterCapability {
  let temperatures: unknown = null;
  let position: unknown = null;
  const offs = [
    host.on?.('temperature', ((r: unknown) => (temperatures = r)) as (reading: never) => void),
    host.on?.('position', ((p: unknown) => (position = p)) as (reading: never) => void),
  ];
  return {
    operations: {
      command: async (payload) => {
        if (typeof payload !== 'string') throw new TypeError('printer.command takes one G-code line as a string');
        return host.command(payload);
      },
      telemetry: () => ({ temperatures, position }),
      status: () => status(),
    },
    dispose: () => offs.forEach((off) => off?.()),
  };
}
