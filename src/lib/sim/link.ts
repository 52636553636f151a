// One direction of a serial cable, paced at its baud rate in wall-clock time: 8N1 framing puts 10 bits on the wire per
// byte, so a byte written at time t arrives (baud/10)⁻¹ seconds after the previous one finished.

export class PacedPipe {
  private chunks: { bytes: Uint8Array; start: number; offset: number }[] = [];
  private lastEnd = 0;
  /** Time the wire stood idle between one write's last byte and the next write (ms): what the sender left unused. */
  idleMs = 0;
  /** Milliseconds per byte. */
  readonly byteMs: number;

  constructor(
    readonly baud: number,
    private readonly clock: () => number,
  ) {
    this.byteMs = 10_000 / baud;
  }

  /** `at`: when the sender wrote them (default now; a sender on its own clock may say it wrote them earlier). */
  push(bytes: Uint8Array, at = this.clock()): void {
    if (bytes.length === 0) return;
    if (this.lastEnd > 0 && at > this.lastEnd) this.idleMs += at - this.lastEnd;
    const start = Math.max(this.lastEnd, at);
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

  /** Like take(), but one piece per write with the wall time its last byte arrived, oldest first. */
  takeEach(): { bytes: Uint8Array; at: number }[] {
    const now = this.clock();
    const out: { bytes: Uint8Array; at: number }[] = [];
    while (this.chunks.length > 0) {
      const c = this.chunks[0]!;
      const arrived = Math.min(c.bytes.length, Math.floor((now - c.start) / this.byteMs + 1e-9));
      if (arrived > c.offset) {
        out.push({ bytes: c.bytes.subarray(c.offset, arrived), at: c.start + arrived * this.byteMs });
        c.offset = arrived;
      }
      if (c.offset >= c.bytes.length) this.chunks.shift();
      else break;
    }
    return out;
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
