// Zero-delay scheduling without the browser's 4 ms clamp on nested timers: a paced serial link needs to react within
// a byte time (40 µs at 250000 baud), so "now" callbacks go through setImmediate (Node) or a MessageChannel (browser).

type Cancel = () => void;

const g = globalThis as unknown as { setImmediate?: (fn: () => void) => unknown; clearImmediate?: (h: unknown) => void };

let channel: MessageChannel | undefined;
const channelQueue: (() => void)[] = [];

function soon(fn: () => void): Cancel {
  if (g.setImmediate) {
    const h = g.setImmediate(fn);
    return () => g.clearImmediate?.(h);
  }
  if (!channel) {
    channel = new MessageChannel();
    channel.port1.onmessage = () => channelQueue.shift()?.();
  }
  let live = true;
  channelQueue.push(() => live && fn());
  channel.port2.postMessage(0);
  return () => (live = false);
}

/** Run `fn` after `delayMs` (fractional delays under a millisecond run as soon as possible). */
export function schedule(fn: () => void, delayMs: number): Cancel {
  if (delayMs < 1) return soon(fn);
  const h = setTimeout(fn, delayMs);
  return () => clearTimeout(h);
}
