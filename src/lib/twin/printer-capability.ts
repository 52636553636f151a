// The "printer" capability a twin runtime grants to the communication context: a thin adapter over the Marlin host
// protocol (src/lib/printer) on Web Serial or the virtual printer. The granule never sees the transport. Marlin puts
// M105 answers on the "ok" line and auto-reports temperatures, which the host turns into events rather than reply
// lines, so the adapter also keeps the latest temperature and position reports for `telemetry`.
// With a guard, every command is checked against the machine envelope before it reaches the host; a command outside
// it is refused (CommandRefusedError) and never sent — whatever granule code assembled it.
import type { Capability } from './runtime';
import { CommandRefusedError } from './errors';
import type { GcodeGuard } from './envelope';

export interface PrinterCommander {
  command(command: string): Promise<string[]>;
  on?(event: 'temperature' | 'position', listener: (reading: never) => void): () => void;
}

export interface PrinterCapability extends Capability {
  /** Stops following the host's reports. */
  dispose(): void;
}

export function printerCapability(host: PrinterCommander, status: () => unknown = () => ({ connected: true }), guard?: GcodeGuard): PrinterCapability {
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
        const reason = guard ? guard.admit(payload) : null;
        if (reason) throw new CommandRefusedError(payload, reason);
        return host.command(payload);
      },
      telemetry: () => ({ temperatures, position }),
      status: () => status(),
    },
    dispose: () => offs.forEach((off) => off?.()),
  };
}
