// The code that runs inside each granule's QuickJS context before any granule code: it freezes every built-in
// (so granule code cannot poison JSON, Promise, Map… that this bootstrap relies on) and returns `receive(text)`.
// QuickJS has no web or Node API at all; the only ways out are the four host functions handed to the bootstrap as
// arguments (never put on the global object), and they only move strings and numbers:
//   send(text)           a protocol message to the host (sandbox-protocol.ts GranuleToHost, JSON)
//   setTimer(id, ms)     ask the worker to deliver {"t":"timer","id"} after ms
//   clearTimer(id)
//   fault(kind)          tell the worker the granule ran out of memory ("memory"), so it is stopped
//
// Granule code is CommonJS-shaped: each file gets (exports, require, module, twin); `require` resolves only
// granule-relative files; `twin` is the whole capability API:
//   twin.request(target, op, payload) → Promise   (another context by name, or a granted capability like "printer")
//   twin.emit(event, payload) · twin.on("<context>:<event>", handler) · twin.log(...values)
//   twin.setTimeout(fn, ms) / twin.clearTimeout(id) · twin.environment (frozen) · twin.context
// The entry controller exports `operations: { [op]: (payload) => value | Promise }` and may export `start()`.
export const GUEST_SOURCE = String.raw`(function bootstrap(send, setTimer, clearTimer, fault) {
  'use strict';
  // Lock down: freeze every intrinsic reachable from the global object and from the hidden prototypes
  // (function kinds, iterators, typed arrays), and the global object itself.
  var seen = new Set();
  function harden(o) {
    if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) return;
    seen.add(o);
    Object.freeze(o);
    Reflect.ownKeys(o).forEach(function (k) {
      var d = Object.getOwnPropertyDescriptor(o, k);
      if (!d) return;
      if ('value' in d) harden(d.value); else { harden(d.get); harden(d.set); }
    });
    harden(Object.getPrototypeOf(o));
  }
  [globalThis, async function () {}, function* () {}, async function* () {}, (function* () {})(), (async function* () {})(),
    [][Symbol.iterator](), new Map().entries(), new Set().values(), ''[Symbol.iterator](), /x/[Symbol.matchAll](''),
    new Uint8Array(0), Promise.resolve(), (function () { return arguments; })(), Object.getOwnPropertyDescriptor(function () { 'use strict'; return arguments; }(), 'callee').get
  ].forEach(harden);
  seen = null;

  var files = Object.create(null);
  var cache = Object.create(null);
  var pending = new Map();
  var subs = new Map();
  var timers = new Map();
  var nextId = 1;
  var controller = null;
  var out = function (m) { send(JSON.stringify(m)); };
  var describe = function (e) {
    if (e instanceof InternalError && e.message === 'out of memory') fault('memory');
    return e && typeof e === 'object' && 'message' in e ? String(e.message) : String(e);
  };
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
      setTimer(id, Math.max(0, Number(ms) || 0));
      return id;
    },
    clearTimeout: function (id) { if (timers.delete(id)) clearTimer(id); }
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
    var fn = new Function('exports', 'require', 'module', 'twin', files[path]);
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
          if (/\bimport\b/.test(m.files[p])) throw new Error(p + ' uses "import": granule code is CommonJS-shaped (require/exports)');
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
      if (f) { timers.delete(m.id); try { f(); } catch (e) { out({ t: 'fatal', error: 'uncaught: ' + describe(e) }); } }
    }
  };
})`;
