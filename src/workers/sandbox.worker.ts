/// <reference lib="webworker" />
// A granule sandbox in the browser. Before granule code runs, this worker captures the few things the bootstrap
// needs and then removes every way out: network (fetch, XHR, WebSocket, WebTransport, EventSource, RTC), storage
// (indexedDB, caches, navigator.storage/OPFS), other contexts (BroadcastChannel, nested workers), and compiling code
// from strings (Function, eval, string timers) so `import()` cannot be smuggled in. A worker has no window or DOM,
// so the parent page is out of reach; it only ever sees its own JSON strings.
import { SANDBOX_BOOTSTRAP_SOURCE } from '../lib/twin/sandbox-protocol';

const scope = self as unknown as DedicatedWorkerGlobalScope & Record<string, unknown>;
const post = scope.postMessage.bind(scope);
const nativeSetTimeout = scope.setTimeout.bind(scope) as (fn: () => void, ms: number) => number;
const nativeClearTimeout = scope.clearTimeout.bind(scope) as (id: number | undefined) => void;
const bootstrap = new Function(`return ${SANDBOX_BOOTSTRAP_SOURCE}`)() as (send: (text: string) => void) => (text: string) => void;

const BLOCKED = [
  'fetch', 'XMLHttpRequest', 'WebSocket', 'WebSocketStream', 'WebTransport', 'EventSource', 'RTCPeerConnection', 'RTCDataChannel',
  'indexedDB', 'IDBFactory', 'caches', 'CacheStorage', 'navigator', 'importScripts', 'Worker', 'SharedWorker', 'BroadcastChannel',
  'MessageChannel', 'Request', 'Response', 'FileSystemHandle', 'StorageManager', 'Notification', 'postMessage', 'close', 'eval', 'Function',
  'WebAssembly', 'onmessage', 'addEventListener',
];

function removeEverywhere(name: string): void {
  for (let o: object | null = scope; o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, name);
    if (!d) continue;
    if (d.configurable) delete (o as Record<string, unknown>)[name];
    else if (d.writable) (o as Record<string, unknown>)[name] = undefined;
  }
  try {
    Object.defineProperty(scope, name, { value: undefined, configurable: false, writable: false });
  } catch {
    /* already locked */
  }
}

const receive = bootstrap((text) => {
  if (text.startsWith('{"t":"timer-')) {
    const m = JSON.parse(text) as { t: string; id: number; ms?: number };
    if (m.t === 'timer-set') timers.set(m.id, nativeSetTimeout(() => { timers.delete(m.id); deliver(JSON.stringify({ t: 'timer', id: m.id })); }, m.ms ?? 0));
    else { nativeClearTimeout(timers.get(m.id)); timers.delete(m.id); }
    return;
  }
  post(text);
});
const timers = new Map<number, number>();
function deliver(text: string): void {
  try {
    receive(text);
  } catch (e) {
    post(JSON.stringify({ t: 'fatal', error: 'uncaught: ' + (e instanceof Error ? e.message : String(e)) }));
  }
}
scope.addEventListener('message', (e: MessageEvent) => {
  if (typeof e.data === 'string') deliver(e.data);
});

// Code-from-string constructors are reachable through any function's prototype chain, not only the global names.
for (const fn of [function () {}, async function () {}, function* () {}, async function* () {}]) {
  Object.defineProperty(Object.getPrototypeOf(fn), 'constructor', { value: undefined, configurable: false, writable: false });
}
for (const name of ['setTimeout', 'setInterval'] as const) {
  const original = scope[name].bind(scope) as (handler: unknown, ms?: number) => number;
  Object.defineProperty(scope, name, {
    value: (handler: unknown, ms?: number) => {
      if (typeof handler !== 'function') throw new TypeError(`${name} with a string is not allowed in a granule`);
      return original(handler, ms);
    },
  });
}
for (const name of BLOCKED) removeEverywhere(name);
