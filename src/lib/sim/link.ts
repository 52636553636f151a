// One direction of a serial cable, paced at its baud rate in wall-clock time: 8N1 framing puts 10 bits on the wire per
// byte, so a byte written at time t arrives (baud/10)⁻¹ seconds after the previous one finished.

export class PacedPipe {
  private chunks: { bytes: Uint8Array; start: number; offset: number }[] = [];
  private lastEnd = 0;
  /** Milliseconds per byte. */
  readonly byteMs: number;

  constructor(
    readonly baud: number,
    private readonly clock: () => number,
  ) {
    this.byteMs = 10_000 / baud;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const start = Math.max(this.lastEnd, this.clock());
    this.lastEnd = start + bytes.length * this.byteMs;
    this.chunks.push({ bytes, start, offset: 0 });
  }

  /** Bytes whose last bit has arrived by now. */
  take(): Uint8Array | undefined {
    const now = this.clock();
    const out: Uint8Array[] = [];
    while (this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const arrived = Math.min(c.bytes.length, Math.floor((now - c.start) / this.byteMs + 1e-9));
      if (arrived > c.offset) {
        out.push(c.bytes.subarray(c.offset, arrived));
        c.offset = arrived;
      }
      if (c.offset >= c.bytes.length) this.chunks.shift();
      else break;
    }
    if (out.length === 0) return undefined;
    if (out.length === 1) return out[0];
    const total = out.reduce((s, b) => s + b.length, 0);
    const joined = new Uint8Array(total);
    let at = 0;
    for (const b of out) {
      joined.set(b, at);
      at += b.length;
    }
    return joined;
  }

  /**
   * Wall time (ms) at which the first chunk on the wire (usually one line) has fully arrived, or undefined if the
   * wire is empty. Waking per chunk rather than per byte keeps the CPU free; take() still delivers by byte time.
   */
  nextArrival(): number | undefined {
    const c = this.chunks[0];
    return c ? c.start + c.bytes.length * this.byteMs : undefined;
  }

  /** Bytes written but not yet arrived. */
  get inFlight(): number {
    return this.chunks.reduce((s, c) => s + c.bytes.length - c.offset, 0);
  }

  clear(): void {
    this.chunks = [];
  }
}
