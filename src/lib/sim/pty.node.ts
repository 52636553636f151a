// A virtual printer on a pseudo-terminal, for desktop hosts that only speak serial (Printrun, OctoPrint, Cura's USB
// printing): socat holds the pty's master side and relays it over pipes to the simulated board. Node only.
// `ignoreeof` keeps the pty alive when a host closes it, so hosts can disconnect and connect again like with a cable.

import { spawn, type ChildProcess } from 'node:child_process';
import { VirtualPrinter, type VirtualPrinterOptions } from './virtual-printer';
import { PtyUnavailableError } from './errors';

export interface PtyPrinter {
  /** The slave side to open, e.g. /dev/pts/3. */
  pty: string;
  printer: VirtualPrinter;
  close(): Promise<void>;
}

export async function exposeOnPty(options: VirtualPrinterOptions, socat = 'socat'): Promise<PtyPrinter> {
  const printer = new VirtualPrinter(options);
  let child: ChildProcess;
  try {
    child = spawn(socat, ['-d', '-d', 'pty,raw,echo=0,ignoreeof', 'STDIO'], { stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    throw new PtyUnavailableError((e as Error).message);
  }
  const pty = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new PtyUnavailableError('socat did not report its pty within 5 s')), 5000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new PtyUnavailableError(e.message.includes('ENOENT') ? 'socat is not installed' : e.message));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new PtyUnavailableError(`socat exited with code ${code}: ${err.trim().split('\n').pop() ?? ''}`));
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /PTY is (\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  child.removeAllListeners('exit');
  child.stderr!.resume();
  const endpoint = printer.open(printer.baud);
  endpoint.onData((bytes) => child.stdin!.write(bytes));
  child.stdout!.on('data', (d: Buffer) => void endpoint.write(new Uint8Array(d.buffer, d.byteOffset, d.byteLength)).catch(() => {}));
  child.stdin!.on('error', () => {});
  return {
    pty,
    printer,
    close: async () => {
      await endpoint.close().catch(() => {});
      if (child.exitCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await gone;
      }
    },
  };
}
