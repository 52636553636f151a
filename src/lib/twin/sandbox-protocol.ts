// The boundary between the twin runtime (host) and one granule running in its sandbox. Only JSON strings cross it,
// so no object — and no function or prototype — of the host's realm ever reaches granule code. The granule runs in
// QuickJS (WebAssembly) inside a worker of its own (sandbox/engine.ts), the same design in the browser and in Node;
// the host side (sandbox/guard.ts) caps sizes and rates both ways and validates every message's shape.
import { GUEST_SOURCE } from './sandbox/guest';

//
// host → granule:  {t:'load', files, entry, environment, context}
//                  {t:'req', id, op, payload}            a request to this context's controller
//                  {t:'res', id, ok, value | error}      the answer to a call the granule made
//                  {t:'event', topic, payload}           an event it subscribed to ("<context>:<event>")
//                  {t:'timer', id}                       a timer it set has fired
//                  {t:'ping', id}                        liveness check, answered with {t:'pong', id}
// granule → host:  {t:'ready', operations} | {t:'fatal', error}
//                  {t:'res', id, ok, value | error}
//                  {t:'call', id, target, op, payload}   request to another context or a granted capability
//                  {t:'emit', topic, payload} | {t:'sub', topic} | {t:'log', text}
// Timers are set through the worker's host functions, not through messages to the host.

export type HostToGranule =
  | { t: 'load'; files: Record<string, string>; entry: string; environment: unknown; context: string }
  | { t: 'req'; id: number; op: string; payload: unknown }
  | { t: 'res'; id: number; ok: boolean; value?: unknown; error?: string }
  | { t: 'event'; topic: string; payload: unknown }
  | { t: 'timer'; id: number }
  | { t: 'ping'; id: number };

export type GranuleToHost =
  | { t: 'ready'; operations: string[] }
  | { t: 'fatal'; error: string }
  | { t: 'res'; id: number; ok: boolean; value?: unknown; error?: string }
  | { t: 'call'; id: number; target: string; op: string; payload: unknown }
  | { t: 'emit'; topic: string; payload: unknown }
  | { t: 'sub'; topic: string }
  | { t: 'log'; text: string }
  | { t: 'pong'; id: number };

/**
 * Why a sandbox stopped on its own: 'cpu' — it used too much processor time or stopped answering heartbeats;
 * 'memory' — over its heap limit; 'limit' — a message too large, too many messages, or a malformed one.
 */
export type SandboxExit = { reason: 'error' | 'memory' | 'exit' | 'cpu' | 'limit'; detail: string };

/** One granule's sandbox; the same interface over node:worker_threads and the browser's Worker. */
export interface Sandbox {
  post(message: string): void;
  onMessage(handler: (message: string) => void): void;
  onExit(handler: (exit: SandboxExit) => void): void;
  /** Stops the granule at once, even inside an infinite loop. */
  terminate(): void;
}

export type SandboxFactory = () => Sandbox;

/**
 * The code that runs inside each granule's QuickJS context before the granule (see sandbox/guest.ts): it freezes the
 * built-ins, gives granule code its `twin` API and returns `receive(text)`.
 */
export const SANDBOX_BOOTSTRAP_SOURCE = GUEST_SOURCE;
