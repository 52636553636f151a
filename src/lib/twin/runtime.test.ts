import { afterEach, describe, expect, it } from 'vitest';
import { packGranule, unpackGranule, type GranuleManifest } from '../granule/index';
import { sampleFiles } from '../granule/test-fixture';
import { TwinRuntime, type RuntimeGranule } from './runtime';
import { nodeSandboxFactory } from './sandbox.node.ts';
import { ContextUnavailableError, GranuleOperationError, UnknownOperationError } from './errors';

const enc = new TextEncoder();

function granule(context: string, controller: string, overrides: Record<string, unknown> = {}): RuntimeGranule {
  const files = sampleFiles({ name: `test/${context}`, context, ...overrides });
  files['controller.js'] = controller;
  const packed = packGranule({ files });
  const { manifest, files: unpacked, alphaHex } = unpackGranule({ bytes: packed.bytes });
  return { context, manifest: manifest as GranuleManifest, files: unpacked, alpha: alphaHex };
}

const echo = (context: string) =>
  granule(
    context,
    "const m = require('./model.js'); let s = m.initial(); exports.operations = { echo: (p) => { s.count++; return { p, count: s.count, ctx: twin.context }; } };",
  );

let runtime: TwinRuntime | undefined;
afterEach(() => runtime?.stop());

function newRuntime(extra: Partial<ConstructorParameters<typeof TwinRuntime>[0]> = {}) {
  runtime = new TwinRuntime({ sandboxFactory: nodeSandboxFactory({ maxHeapMb: 32 }), requestTimeoutMs: 3000, startTimeoutMs: 8000, ...extra });
  return runtime;
}

describe('TwinRuntime', () => {
  it('runs granules, answers requests, and keeps each granule state separate', async () => {
    const rt = newRuntime();
    await rt.start([echo('a'), echo('b')]);
    expect(await rt.request('a', 'echo', { x: 1 })).toEqual({ p: { x: 1 }, count: 1, ctx: 'a' });
    expect(await rt.request('a', 'echo', 2)).toMatchObject({ count: 2 });
    expect(await rt.request('b', 'echo', 3)).toMatchObject({ count: 1, ctx: 'b' });
    await expect(rt.request('a', 'nope')).rejects.toThrow(UnknownOperationError);
    await expect(rt.request('zzz', 'echo')).rejects.toThrow(ContextUnavailableError);
  });

  it('contexts talk through requests and declared events only', async () => {
    const rt = newRuntime();
    const producer = granule('producer', "exports.operations = { echo: async (p) => { twin.emit('tick', { n: p }); return 'sent'; } };", {
      provides: { operations: ['echo'], events: ['tick'] },
    });
    const consumer = granule(
      'consumer',
      "let seen = []; exports.start = () => twin.on('producer:tick', (e) => seen.push(e.n)); exports.operations = { echo: async (p) => { const r = await twin.request('producer', 'echo', p); return { r, seen }; } };",
      { dependencies: { granules: [{ name: 'producer', version: '^1.0.0' }], libraries: [] }, consumes: { events: ['producer:tick'] } },
    );
    await rt.start([producer, consumer]);
    const events: unknown[] = [];
    rt.on('producer:tick', (e) => events.push(e));
    // Messages keep their order: the event reaches the consumer before the producer's answer does.
    expect(await rt.request('consumer', 'echo', 7)).toEqual({ r: 'sent', seen: [7] });
    expect(await rt.request('consumer', 'echo', 8)).toEqual({ r: 'sent', seen: [7, 8] });
    expect(events).toEqual([{ n: 7 }, { n: 8 }]);
    // An undeclared event is dropped and reported.
    const rogue = granule('rogue', "exports.operations = { echo: () => { twin.emit('secret', 1); return 1; } };");
    await rt.replace(rogue);
    await rt.request('rogue', 'echo');
    expect(rt.incidents.some((i) => i.context === 'rogue' && i.kind === 'protocol')).toBe(true);
  });

  it('an operation that throws is reported and the granule keeps serving', async () => {
    const rt = newRuntime();
    await rt.start([granule('t', "let n = 0; exports.operations = { echo: (p) => { n++; if (p === 'boom') throw new Error('kaboom'); return n; } };")]);
    await expect(rt.request('t', 'echo', 'boom')).rejects.toThrow(GranuleOperationError);
    expect(await rt.request('t', 'echo', 1)).toBe(2);
    expect(rt.incidents[0]).toMatchObject({ context: 't', kind: 'operation-error' });
  });

  it('replacing one granule touches no other context', async () => {
    const rt = newRuntime();
    await rt.start([echo('a'), echo('b')]);
    await rt.request('b', 'echo', 1);
    await rt.replace(granule('a', "exports.operations = { echo: () => 'v2' };"));
    expect(await rt.request('a', 'echo')).toBe('v2');
    expect(await rt.request('b', 'echo', 1)).toMatchObject({ count: 2 });
  });
});

describe('hostile granules are contained and reported, the rest keeps running', () => {
  it('an infinite loop in an operation', async () => {
    const rt = newRuntime();
    await rt.start([echo('good'), granule('loop', 'exports.operations = { echo: () => { for (;;) {} } };')]);
    await expect(rt.request('loop', 'echo')).rejects.toThrow(ContextUnavailableError);
    expect(rt.status('loop')).toBe('failed');
    expect(rt.incidents).toEqual([expect.objectContaining({ context: 'loop', kind: 'hang' })]);
    expect(await rt.request('good', 'echo', 1)).toMatchObject({ count: 1 });
  });

  it('an infinite loop while loading', async () => {
    const rt = newRuntime({ startTimeoutMs: 3000 });
    await rt.start([echo('good'), granule('loadloop', 'while (true) {}\nexports.operations = { echo: () => 1 };')]);
    expect(rt.status('loadloop')).toBe('failed');
    expect(rt.incidents[0]).toMatchObject({ context: 'loadloop', kind: 'hang' });
    expect(await rt.request('good', 'echo', 1)).toMatchObject({ count: 1 });
  });

  it('a huge allocation', async () => {
    const rt = newRuntime();
    await rt.start([
      echo('good'),
      granule('hog', "exports.operations = { echo: () => { const a = []; for (;;) a.push(new Array(1e6).fill('x' + a.length)); } };"),
    ]);
    await expect(rt.request('hog', 'echo')).rejects.toThrow(ContextUnavailableError);
    expect(rt.incidents.find((i) => i.context === 'hog')?.kind).toBe('memory');
    expect(rt.status('hog')).toBe('failed');
    expect(await rt.request('good', 'echo', 1)).toMatchObject({ count: 1 });
  });

  it('a granule that throws while loading', async () => {
    const rt = newRuntime();
    await rt.start([echo('good'), granule('thrower', "throw new Error('nope');")]);
    expect(rt.status('thrower')).toBe('failed');
    expect(rt.incidents[0]).toMatchObject({ context: 'thrower', kind: 'load', message: 'nope' });
    expect(await rt.request('good', 'echo', 1)).toMatchObject({ count: 1 });
  });

  it('an uncaught error in a timer stops the granule', async () => {
    const rt = newRuntime();
    await rt.start([granule('late', "exports.operations = { echo: () => { twin.setTimeout(() => { throw new Error('late boom'); }, 5); return 'ok'; } };")]);
    expect(await rt.request('late', 'echo')).toBe('ok');
    await new Promise((r) => setTimeout(r, 300));
    expect(rt.status('late')).toBe('failed');
    expect(rt.incidents[0]).toMatchObject({ kind: 'crash' });
  });

  it('cannot reach indexedDB, fetch, process, require, the parent or other granules', async () => {
    const rt = newRuntime();
    const probe = `
      const tryIt = (f) => { try { const v = f(); return v === undefined ? 'undefined' : typeof v; } catch (e) { return 'blocked: ' + e.message; } };
      exports.operations = { echo: () => ({
        indexedDB: typeof indexedDB,
        fetch: typeof fetch,
        process: typeof process,
        requireFs: tryIt(() => require('fs')),
        requireEscape: tryIt(() => require('../../etc/passwd')),
        parent: typeof parent + '/' + typeof self + '/' + typeof window + '/' + typeof postMessage,
        viaGlobalThis: Object.getOwnPropertyNames(globalThis).filter((n) => /^(fetch|process|require|indexedDB|Buffer|setTimeout|postMessage|window|self|send|setTimer|clearTimer|fault)$/.test(n)).join(','),
        otherState: typeof model,
      }) };`;
    await rt.start([echo('victim'), granule('spy', probe)]);
    const seen = (await rt.request('spy', 'echo')) as Record<string, string>;
    expect(seen.indexedDB).toBe('undefined');
    expect(seen.fetch).toBe('undefined');
    expect(seen.process).toBe('undefined');
    expect(seen.requireFs).toMatch(/blocked: .*own files/);
    expect(seen.requireEscape).toMatch(/blocked/);
    expect(seen.parent).toBe('undefined/undefined/undefined/undefined');
    expect(seen.viaGlobalThis).toBe('');
    expect(seen.otherState).toBe('undefined');
    expect(await rt.request('victim', 'echo', 1)).toMatchObject({ count: 1 });
  });

  // Every way granule code can compile a string or walk up to a caller: each must land in the granule's own QuickJS
  // global, where neither the host's objects nor the bootstrap's host functions (send, setTimer, clearTimer, fault) are.
  // Putting one of those host functions on the global object makes this test fail (checked by hand).
  it('finds no host object through any constructor, eval or caller path', async () => {
    const rt = newRuntime();
    const names = 'process, fetch, send, setTimer, clearTimer, fault, indexedDB, Buffer'; // not require: the granule's own (granule-relative) require is in its module scope, so direct eval sees it
    const body = names
      .split(', ')
      .map((n) => `typeof ${n}`)
      .join(" + ',' + ");
    const paths: Record<string, string> = {
      functionOfTwin: `twin.constructor.constructor(${JSON.stringify('return ' + body)})()`,
      functionOfRequest: `twin.request.constructor(${JSON.stringify('return ' + body)})()`,
      functionOfLiteral: `(function () {}).constructor(${JSON.stringify('return ' + body)})()`,
      functionOfString: `''.constructor.constructor(${JSON.stringify('return ' + body)})()`,
      functionOfError: `new Error().constructor.constructor(${JSON.stringify('return ' + body)})()`,
      asyncFunction: `(async function () {}).constructor(${JSON.stringify('return ' + body)})()`,
      generatorFunction: `(function* () {}).constructor(${JSON.stringify('yield ' + body)})().next().value`,
      asyncGenerator: `(async function* () {}).constructor(${JSON.stringify('yield ' + body)})().next()`,
      directEval: `eval(${JSON.stringify(body)})`,
      indirectEval: `(0, eval)(${JSON.stringify(body)})`,
      sloppyThis: `(function () { return this; })() === undefined ? 'undefined,'.repeat(8).slice(0, -1) : Function('return ' + ${JSON.stringify(body)})()`,
      callerOfOperation: `(function up() { try { const c = up.caller; return c ? typeof c : 'undefined,'.repeat(8).slice(0, -1); } catch (e) { return 'undefined,'.repeat(8).slice(0, -1); } })()`,
    };
    const probe = `exports.operations = { echo: async (name) => {
      const paths = { ${Object.entries(paths)
        .map(([k, v]) => `${k}: () => ${v}`)
        .join(',\n')} };
      try { return await (await paths[name]()); } catch (e) { return 'threw: ' + e.message; }
    } };`;
    await rt.start([granule('spy', probe)]);
    const nothing = names
      .split(', ')
      .map(() => 'undefined')
      .join(',');
    for (const name of Object.keys(paths)) {
      const got = await rt.request('spy', 'echo', name);
      const value = typeof got === 'object' && got !== null && 'value' in got ? (got as { value: unknown }).value : got;
      expect({ name, value }).toEqual({ name, value: nothing });
    }
  });

  it('refuses dynamic import in granule code', async () => {
    const rt = newRuntime();
    await rt.start([granule('importer', "exports.operations = { echo: () => import('node:fs') };")]);
    expect(rt.status('importer')).toBe('failed');
    expect(rt.incidents[0]?.message).toMatch(/import/);
  });

  it('a slow answer from a granule that still responds is not a hang; an endless one is abandoned alone', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const rt = newRuntime({
      requestTimeoutMs: 200,
      pingTimeoutMs: 1000,
      maxRequestMs: 2500,
      capabilities: { printer: { operations: { send: async (p) => (p === 'M109' ? (await slow, 'heated') : new Promise(() => undefined)) } } },
      grants: { comm: ['printer'] },
    });
    await rt.start([granule('comm', "exports.operations = { echo: (p) => twin.request('printer', 'send', p) };")]);
    setTimeout(release, 1200);
    expect(await rt.request('comm', 'echo', 'M109')).toBe('heated');
    expect(rt.incidents).toEqual([]);
    await expect(rt.request('comm', 'echo', 'never')).rejects.toThrow(GranuleOperationError);
    expect(rt.status('comm')).toBe('running');
  });

  it('capabilities only reach the contexts they were granted to', async () => {
    const calls: unknown[] = [];
    const rt = newRuntime({ capabilities: { printer: { operations: { send: (p) => (calls.push(p), ['ok']) } } }, grants: { comm: ['printer'] } });
    const caller = (ctx: string) => granule(ctx, "exports.operations = { echo: (p) => twin.request('printer', 'send', p) };");
    await rt.start([caller('comm'), caller('other')]);
    expect(await rt.request('comm', 'echo', 'M105')).toEqual(['ok']);
    await expect(rt.request('other', 'echo', 'M112')).rejects.toThrow(/not granted/);
    expect(calls).toEqual(['M105']);
    expect(rt.incidents.some((i) => i.context === 'other' && i.kind === 'denied')).toBe(true);
  });
});

void enc;
