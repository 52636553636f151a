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
