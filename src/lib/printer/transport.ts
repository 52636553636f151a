// What the host protocol needs from a connection: a byte pipe. Web Serial, WebUSB (polyfill), the virtual printer
// and TCP all reduce to this.

export interface ByteLink {
  /** Queue bytes for the wire. Resolves when the transport has accepted them (not when they arrive). */
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** Called once when the link goes away (unplugged, closed, read error). */
  onClose(listener: (reason: string) => void): () => void;
  close(): Promise<void>;
}

/** Something that can (re)open a ByteLink: one per physical or virtual printer. */
export interface Transport {
  readonly kind: 'webserial' | 'webusb' | 'virtual' | 'tcp' | 'serialport';
  /** A short label for the UI ("USB 1a86:7523 @ 115200"). */
  readonly label: string;
  readonly baud: number;
  open(): Promise<ByteLink>;
  /** Open again after an unplug, waiting up to `timeoutMs` for the device to come back. */
  reopen(timeoutMs: number): Promise<ByteLink>;
}

/** Standard baud rates offered in the UI; Marlin boards mostly use 115200 or 250000. */
export const BAUD_RATES = [9600, 19200, 38400, 57600, 115200, 230400, 250000, 500000, 1000000] as const;
