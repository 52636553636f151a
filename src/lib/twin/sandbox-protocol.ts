// The boundary between the twin runtime (host) and one granule running in its sandbox. Only JSON strings cross it,
// so no object — and no function or prototype — of the host's realm ever reaches granule code.
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
//                  {t:'timer-set', id, ms} | {t:'timer-clear', id}

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
  | { t: 'timer-set'; id: number; ms: number }
  | { t: 'timer-clear'; id: number }
  | { t: 'pong'; id: number };

/** Why a sandbox stopped on its own. */
export type SandboxExit = { reason: 'error' | 'memory' | 'exit'; detail: string };

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
 * The code that runs inside the sandbox, as source text (evaluated in a fresh realm in Node, in a locked-down Worker
 * in the browser). It is a function expression taking `send(string)` and returning `receive(string)`.
 * Granule code is CommonJS-shaped: each file gets (exports, require, module, twin); `require` resolves only
 * granule-relative files; `twin` is the whole capability API:
 *   twin.request(target, op, payload) → Promise   (another context by name, or a granted capability like "printer")
 *   twin.emit(event, payload) · twin.on("<context>:<event>", handler) · twin.log(...values)
 *   twin.setTimeout(fn, ms) / twin.clearTimeout(id) · twin.environment (frozen) · twin.context
 * The entry controller exports `operations: { [op]: (payload) => value | Promise }` and may export `start()`.
 */
export const SANDBOX_BOOTSTRAP_SOURCE = String.raw`(function bootstrap(send) {
  'use strict';
  var Fn = Function;
  var files = Object.create(null);
  var cache = Object.create(null);
  var pending = new Map();
  var subs = new Map();
  var timers = new Map();
  var nextId = 1;
  var controller = null;
  var out = function (m) { send(JSON.stringify(m)); };
  var describe = function (e) { return e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e); };
  function deepFreeze(o) { if (o && typeof o === 'object' && !Object.isFrozen(o)) { Object.freeze(o); Object.keys(o).forEach(function (k) { deepFreeze(o[k]); }); } return o; }
  var twin = {
    context: '',
    environment: null,
    request: function (target, op, payload) {
      return new Promise(function (resolve, reject) {
        var id = nextId++;
        pending.set(id, { resolve: resolve, reject: reject });
        out({ t: 'call', id: id, target: String(target), op: String(op), payload: payload === undefined ? null : payload });
      });
    },
    emit: function (event, payload) { out({ t: 'emit', topic: String(event), payload: payload === undefined ? null : payload }); },
    on: function (topic, handler) {
      topic = String(topic);
      if (typeof handler !== 'function') throw new TypeError('twin.on needs a function');
      if (!subs.has(topic)) { subs.set(topic, []); out({ t: 'sub', topic: topic }); }
      subs.get(topic).push(handler);
    },
    log: function () { out({ t: 'log', text: Array.prototype.map.call(arguments, function (a) { return typeof a === 'string' ? a : JSON.stringify(a); }).join(' ') }); },
    setTimeout: function (fn, ms) {
      if (typeof fn !== 'function') throw new TypeError('twin.setTimeout needs a function');
      var id = nextId++;
      timers.set(id, fn);
      out({ t: 'timer-set', id: id, ms: Math.max(0, Number(ms) || 0) });
      return id;
    },
    clearTimeout: function (id) { if (timers.delete(id)) out({ t: 'timer-clear', id: id }); }
  };
  function resolvePath(from, spec) {
    if (typeof spec !== 'string' || !(spec.indexOf('./') === 0 || spec.indexOf('../') === 0)) throw new Error('require("' + spec + '"): a granule can only require its own files (./x.js)');
    var parts = from.split('/'); parts.pop();
    spec.split('/').forEach(function (s) { if (s === '..') { if (!parts.length) throw new Error('require("' + spec + '") leaves the granule'); parts.pop(); } else if (s !== '.' && s !== '') parts.push(s); });
    var p = parts.join('/');
    if (p in files) return p;
    if ((p + '.js') in files) return p + '.js';
    if ((p + '.json') in files) return p + '.json';
    throw new Error('require("' + spec + '"): no such file in the granule');
  }
  function load(path) {
    if (path in cache) return cache[path].exports;
    var module = { exports: {} };
    cache[path] = module;
    if (/\.json$/.test(path)) { module.exports = deepFreeze(JSON.parse(files[path])); return module.exports; }
    var fn = new Fn('exports', 'require', 'module', 'twin', files[path] + '\n//# sourceURL=granule:///' + twin.context + '/' + path);
    fn.call(undefined, module.exports, function (spec) { return load(resolvePath(path, spec)); }, module, twin);
    return module.exports;
  }
  function answer(id, run) {
    var result;
    try { result = run(); } catch (e) { out({ t: 'res', id: id, ok: false, error: describe(e) }); return; }
    Promise.resolve(result).then(
      function (value) { try { out({ t: 'res', id: id, ok: true, value: value === undefined ? null : value }); } catch (e) { out({ t: 'res', id: id, ok: false, error: 'the result is not JSON: ' + describe(e) }); } },
      function (e) { out({ t: 'res', id: id, ok: false, error: describe(e) }); });
  }
  return function receive(text) {
    var m = JSON.parse(text);
    if (m.t === 'load') {
      try {
        Object.keys(m.files).forEach(function (p) {
          if (/\bimport\b/.test(m.files[p])) throw new Error(p + ' uses "import": granule code is CommonJS-shaped (require/exports) so the sandbox can contain it');
          files[p] = m.files[p];
        });
        twin.context = m.context;
        twin.environment = deepFreeze(m.environment);
        Object.freeze(twin);
        controller = load(m.entry);
        if (!controller || typeof controller.operations !== 'object' || controller.operations === null) throw new Error(m.entry + ' must export "operations"');
        var ready = function () { out({ t: 'ready', operations: Object.keys(controller.operations) }); };
        if (typeof controller.start === 'function') Promise.resolve().then(function () { return controller.start(); }).then(ready, function (e) { out({ t: 'fatal', error: 'start() failed: ' + describe(e) }); });
        else ready();
      } catch (e) { out({ t: 'fatal', error: describe(e) }); }
    } else if (m.t === 'req') {
      answer(m.id, function () {
        var op = controller && Object.prototype.hasOwnProperty.call(controller.operations, m.op) ? controller.operations[m.op] : null;
        if (typeof op !== 'function') throw new Error('no operation "' + m.op + '"');
        return op.call(controller.operations, m.payload);
      });
    } else if (m.t === 'res') {
      var p = pending.get(m.id);
      if (p) { pending.delete(m.id); if (m.ok) p.resolve(m.value); else p.reject(new Error(m.error)); }
    } else if (m.t === 'event') {
      (subs.get(m.topic) || []).forEach(function (h) { try { h(m.payload); } catch (e) { twin.log('event handler for ' + m.topic + ' threw: ' + describe(e)); } });
    } else if (m.t === 'ping') {
      out({ t: 'pong', id: m.id });
    } else if (m.t === 'timer') {
      var f = timers.get(m.id);
      if (f) { timers.delete(m.id); f(); }
    }
  };
})`;
