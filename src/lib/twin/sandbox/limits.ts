// What one granule may use before it is stopped. The same numbers apply in the browser worker and in Node.

export interface SandboxLimits {
  /** QuickJS heap of the granule (objects, strings, ArrayBuffers: QuickJS allocates them all on this heap). */
  memoryBytes: number;
  /** QuickJS stack; deeper recursion throws a RangeError inside the granule. */
  stackBytes: number;
  /** Longest the granule may run without returning (one message, timer or operation, with its promise jobs). */
  sliceMs: number;
  /** Processor time the granule may use within any `windowMs` (a busy chain of short timers counts too). */
  busyMs: number;
  windowMs: number;
  /** Largest message (in characters of JSON) either way; the load message with the granule's files may be larger. */
  maxMessageChars: number;
  maxLoadChars: number;
  /** Messages, and characters, per second a granule may send (sustained) and in one burst. */
  messagesPerSecond: number;
  messageBurst: number;
  charsPerSecond: number;
  charBurst: number;
  /** Timers one granule may have pending at once. */
  maxTimers: number;
  /** The host checks the sandbox's thread every heartbeatMs while it is idle; no answer within heartbeatTimeoutMs stops it. */
  heartbeatMs: number;
  heartbeatTimeoutMs: number;
}

const DEFAULT_LIMITS: SandboxLimits = {
  memoryBytes: 32 * 2 ** 20,
  stackBytes: 256 * 1024,
  sliceMs: 1000,
  busyMs: 6000,
  windowMs: 10_000,
  maxMessageChars: 1 * 2 ** 20,
  maxLoadChars: 16 * 2 ** 20,
  messagesPerSecond: 2000,
  messageBurst: 5000,
  charsPerSecond: 16 * 2 ** 20,
  charBurst: 64 * 2 ** 20,
  maxTimers: 1000,
  heartbeatMs: 2000,
  heartbeatTimeoutMs: 4000,
};

export function withLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/** Messages between the host and the trusted worker code around QuickJS (objects, never strings, so granule text
 * — always a string — cannot pass for one). */
export type WorkerControl = { k: 'stop'; reason: 'cpu' | 'memory' | 'limit' | 'error'; detail: string } | { k: 'beat'; id: number; heapBytes: number };
export type HostControl = { k: 'beat'; id: number };
