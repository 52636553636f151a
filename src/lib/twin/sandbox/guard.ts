// The host side of a granule's sandbox, shared by the browser Worker and the Node worker_thread: it caps the size
// and rate of messages both ways, checks the shape of everything the granule sends, sends heartbeats, and turns
// the worker's own reports (processor time, memory, limits) into a stop of this one granule — never of the host.
import type { Sandbox, SandboxExit } from '../sandbox-protocol';
import type { SandboxLimits, WorkerControl } from './limits';
import { parseGranuleMessage } from './validate';

/** The bare worker under a sandbox. */
export interface RawWorker {
  post(message: unknown): void;
  onMessage(handler: (message: unknown) => void): void;
  /** The worker died on its own (crash, its own memory cap). */
  onDeath(handler: (exit: SandboxExit) => void): void;
  terminate(): void;
  /** Node: let the host process exit even while the heartbeat timer runs. */
  unrefTimer?: (timer: ReturnType<typeof setInterval>) => void;
}

/** A token bucket: `rate` per second, at most `burst` at once. */
class Bucket {
  private tokens: number;
  private last = performance.now();
  constructor(
    private readonly rate: number,
    private readonly burst: number,
  ) {
    this.tokens = burst;
  }
  take(n: number): boolean {
    const t = performance.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
    this.last = t;
    if (this.tokens < n) return false;
    this.tokens -= n;
    return true;
  }
}

export function guardSandbox(raw: RawWorker, limits: SandboxLimits, init: Record<string, unknown> = {}): Sandbox {
  let finished = false;
  let exitHandler: ((exit: SandboxExit) => void) | undefined;
  let messageHandler: ((text: string) => void) | undefined;
  const messages = new Bucket(limits.messagesPerSecond, limits.messageBurst);
  const chars = new Bucket(limits.charsPerSecond, limits.charBurst);
  let beatId = 0;
  let beatSent = 0;
  let awaiting: number | undefined;

  const finish = (exit: SandboxExit) => {
    if (finished) return;
    finished = true;
    clearInterval(heartbeat);
    raw.terminate();
    exitHandler?.(exit);
  };
  const heartbeat = setInterval(() => {
    if (finished) return;
    if (awaiting !== undefined) {
      if (performance.now() - beatSent > limits.heartbeatTimeoutMs) finish({ reason: 'cpu', detail: 'it stopped responding' });
      return;
    }
    awaiting = ++beatId;
    beatSent = performance.now();
    raw.post({ k: 'beat', id: awaiting });
  }, limits.heartbeatMs);
  raw.unrefTimer?.(heartbeat);

  raw.onDeath((exit) => finish(exit));
  raw.onMessage((m) => {
    if (finished) return;
    if (typeof m !== 'string') {
      const c = m as WorkerControl | null;
      if (c?.k === 'stop') finish({ reason: c.reason, detail: String(c.detail) });
      else if (c?.k === 'beat' && c.id === awaiting) awaiting = undefined;
      return;
    }
    if (m.length > limits.maxMessageChars)
      return finish({ reason: 'limit', detail: `it sent a message of ${m.length} characters; the limit is ${limits.maxMessageChars}` });
    if (!messages.take(1)) return finish({ reason: 'limit', detail: `it sent more than ${limits.messagesPerSecond} messages a second` });
    if (!chars.take(m.length)) return finish({ reason: 'limit', detail: `it sent more than ${limits.charsPerSecond} characters a second` });
    const parsed = parseGranuleMessage(m);
    if ('problem' in parsed) return finish({ reason: 'limit', detail: parsed.problem });
    messageHandler?.(m);
  });
  raw.post({ k: 'init', limits, ...init });

  return {
    post(message) {
      if (finished) return;
      const cap = message.startsWith('{"t":"load"') ? limits.maxLoadChars : limits.maxMessageChars + 4096;
      if (message.length > cap) {
        finish({ reason: 'limit', detail: `it was sent a message of ${message.length} characters; the limit is ${cap}` });
        return;
      }
      raw.post(message);
    },
    onMessage(handler) {
      messageHandler = handler;
    },
    onExit(handler) {
      exitHandler = handler;
    },
    terminate() {
      if (finished) return;
      finished = true;
      clearInterval(heartbeat);
      raw.terminate();
    },
  };
}
