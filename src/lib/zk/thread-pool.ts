// The prover's own thread pool: N workers (Node worker_threads, or nested Web Workers from the prover's worker in
// the browser), each with its own instance of the BN254 WebAssembly module that ffjavascript generates (with
// msm-batch-affine.ts's kernels). Why not ffjavascript's pool: it frees a task's memory after every task, so data
// used by every proof (the key's bases, its fixed-base tables: ~45 MiB for a tree circuit) had to be copied into a
// thread on every proof. Here a worker keeps named buffers resident in its WASM memory between tasks ("keep"), built
// there or sent once, and a task refers to them by name; a proof then sends only its scalars.
//
// Tasks use ffjavascript's task format (ALLOCSET / ALLOC / CALL / GET, memory freed after the task) plus parameters
// { res: name, offset } that point into a resident buffer. A task may go to any worker or to one worker (the one that
// holds the buffers it needs); each worker takes the oldest task it may run. Should a worker fail or stop, every
// pending task is rejected with PoolError and the pool is closed: the caller starts a new one.
import { namedError } from '../errors/index';

/** A worker of the pool failed, stopped or was closed while tasks were pending. */
export class PoolError extends namedError('PoolError', Error) {}

export interface ResidentPool {
  readonly size: number;
  readonly closed: boolean;
  /**
   * Runs one task (ffjavascript's format, plus { res, offset } parameters) on `worker`, or on any worker; `urgent`
   * puts it before every task waiting (a short task that others wait for).
   */
  run(task: readonly unknown[], worker?: number, transfer?: ArrayBuffer[], urgent?: boolean): Promise<Uint8Array[]>;
  /** Whether the workers' module exports a function of that name. */
  hasFunction(name: string): boolean;
  /** Keeps `data` (or `data` zeroed bytes) resident in `worker` under `name` until dropped. */
  keep(worker: number, name: string, data: Uint8Array | number): Promise<void>;
  /** Drops every resident buffer whose name starts with `prefix`, in every worker. */
  drop(prefix: string): Promise<void>;
  /** The resident buffers of a worker (name and bytes). */
  list(worker: number): Promise<{ name: string; bytes: number }[]>;
  /** Reads or overwrites bytes of a resident buffer (tests: damage a table where it lives). */
  peek(worker: number, name: string, offset: number, length: number): Promise<Uint8Array>;
  poke(worker: number, name: string, offset: number, data: Uint8Array): Promise<void>;
  /** Stops one worker at once, as a crash would (tests). */
  kill(worker: number): void;
  terminate(): Promise<void>;
}

// The thread's code, self-contained (it runs from a blob: URL or Node's eval, with no imports). Memory layout: the
// module keeps its free-memory pointer at address 0; resident buffers sit at the bottom, in the order kept, and a
// task's temporaries above them, released when the task ends. Dropping a buffer moves the later ones down.
const THREAD = `
'use strict';
const node = typeof self === 'undefined';
const port = node ? require('node:worker_threads').parentPort : self;
const MAX_PAGES = 32767;
const MARGIN = 1 << 20;
let memory;
let exps;
const resident = [];
const free = () => new Uint32Array(memory.buffer, 0, 1);
function ensure(end) {
  const need = Math.ceil(end / 65536);
  const have = memory.buffer.byteLength / 65536;
  if (need > MAX_PAGES) throw new Error('the proving thread is out of memory');
  if (need > have) memory.grow(need - have);
}
function alloc(len, kept) {
  const f = free();
  const p = (f[0] + 7) & ~7;
  // As ffjavascript's thread: room for as much again behind a task's allocation (the WASM code takes its own
  // temporaries from the same pointer), plus a margin; a resident buffer needs only the margin.
  ensure(p + (kept ? len : 2 * len) + MARGIN);
  free()[0] = p + len;
  return p;
}
function find(name) {
  const r = resident.find((x) => x.name === name);
  if (!r) throw new Error('no resident buffer ' + name);
  return r;
}
function bytes(p, len) { return new Uint8Array(memory.buffer, p, len); }
function runTask(task) {
  const start = free()[0];
  const vars = [];
  const out = [];
  try {
    for (const t of task) {
      switch (t.cmd) {
        case 'ALLOCSET': { const b = new Uint8Array(t.buff.buffer || t.buff, t.buff.byteOffset || 0, t.buff.byteLength); vars[t.var] = alloc(b.byteLength); bytes(vars[t.var], b.byteLength).set(b); break; }
        case 'ALLOC': vars[t.var] = alloc(t.len); break;
        case 'CALL': {
          const params = t.params.map((p) => p.var !== undefined ? vars[p.var] + (p.offset || 0) : p.res !== undefined ? find(p.res).ptr + (p.offset || 0) : p.val);
          exps[t.fnName](...params);
          break;
        }
        case 'GET': out[t.out] = bytes(vars[t.var], t.len).slice(); break;
        default: throw new Error('unknown command ' + t.cmd);
      }
    }
  } finally {
    free()[0] = start;
  }
  return out;
}
function handle(m) {
  switch (m.op) {
    case 'init': {
      memory = new WebAssembly.Memory({ initial: m.pages, maximum: MAX_PAGES });
      exps = new WebAssembly.Instance(m.module, { env: { memory } }).exports;
      return [];
    }
    case 'task': return runTask(m.task);
    case 'keep': {
      if (resident.some((x) => x.name === m.name)) throw new Error('resident buffer ' + m.name + ' exists');
      const len = typeof m.data === 'number' ? m.data : m.data.byteLength;
      const p = alloc(len, true);
      if (typeof m.data === 'number') bytes(p, len).fill(0); else bytes(p, len).set(m.data);
      resident.push({ name: m.name, ptr: p, len });
      return [];
    }
    case 'drop': {
      let top = resident.length ? resident[0].ptr : free()[0];
      const kept = [];
      for (const r of resident) {
        if (r.name.startsWith(m.prefix)) continue;
        const to = (top + 7) & ~7;
        if (to !== r.ptr) new Uint8Array(memory.buffer).copyWithin(to, r.ptr, r.ptr + r.len);
        r.ptr = to;
        top = to + r.len;
        kept.push(r);
      }
      if (kept.length !== resident.length) free()[0] = top;
      resident.length = 0;
      resident.push(...kept);
      return [];
    }
    case 'list': return resident.map((r) => ({ name: r.name, bytes: r.len }));
    case 'peek': { const r = find(m.name); return [bytes(r.ptr + m.offset, m.length).slice()]; }
    case 'poke': { const r = find(m.name); bytes(r.ptr + m.offset, m.data.byteLength).set(m.data); return []; }
    default: throw new Error('unknown operation ' + m.op);
  }
}
const onMessage = (m) => {
  let reply;
  try {
    const out = handle(m);
    reply = { id: m.id, out };
    const transfer = Array.isArray(out) ? out.filter((o) => o instanceof Uint8Array).map((o) => o.buffer) : [];
    port.postMessage(reply, transfer);
  } catch (e) {
    port.postMessage({ id: m.id, error: String(e && e.message || e) });
  }
};
if (node) port.on('message', onMessage); else self.onmessage = (e) => onMessage(e.data);
`;

interface Thread {
  post(message: unknown, transfer: ArrayBuffer[]): void;
  terminate(): void;
  /** Node: keep the process alive only while the thread has work. */
  hold(busy: boolean): void;
}

async function spawnThread(onMessage: (data: unknown) => void, onFail: (why: string) => void): Promise<Thread> {
  const W = (globalThis as { Worker?: typeof Worker }).Worker;
  if (W) {
    const url = URL.createObjectURL(new Blob([THREAD], { type: 'text/javascript' }));
    const w = new W(url);
    w.onmessage = (e) => onMessage(e.data);
    w.onerror = (e) => onFail(e.message || 'the proving thread failed');
    w.onmessageerror = () => onFail('a message from the proving thread could not be read');
    return {
      post: (m, t) => w.postMessage(m, t),
      terminate: () => {
        w.terminate();
        URL.revokeObjectURL(url);
      },
      hold: () => undefined,
    };
  }
  // Node: a specifier the browser bundle does not try to resolve.
  const spec = 'node:worker_threads';
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ spec)) as typeof import('node:worker_threads');
  const w = new NodeWorker(THREAD, { eval: true });
  let ending = false;
  w.on('message', onMessage);
  w.on('error', (e: Error) => onFail(e.message));
  w.on('exit', (code: number) => {
    if (!ending) onFail(`the proving thread stopped (exit code ${code})`);
  });
  w.unref();
  return {
    post: (m, t) => w.postMessage(m, t),
    terminate: () => {
      ending = true;
      void w.terminate();
    },
    hold: (busy) => (busy ? w.ref() : w.unref()),
  };
}

interface Job {
  seq: number;
  message: Record<string, unknown>;
  transfer: ArrayBuffer[];
  resolve(out: unknown): void;
  reject(e: Error): void;
}

/** Starts `size` workers, each instantiating `module` (the engine's WASM module) with its own memory. */
export async function startResidentPool(module: WebAssembly.Module, size: number, initialPages = 25): Promise<ResidentPool> {
  const shared: Job[] = [];
  const own: Job[][] = Array.from({ length: size }, () => []);
  const current: (Job | undefined)[] = Array.from({ length: size }, () => undefined);
  const threads: Thread[] = [];
  let seq = 0;
  let urgentSeq = -1;
  let nextId = 0;
  let closed = false;
  let failure: PoolError | undefined;

  const fail = (why: string): void => {
    if (closed) return;
    closed = true;
    failure = new PoolError(`The proving threads stopped (${why}).`);
    const pending = [...shared, ...own.flat(), ...current.filter((j): j is Job => !!j)];
    shared.length = 0;
    for (const q of own) q.length = 0;
    current.fill(undefined);
    for (const t of threads) t.terminate();
    for (const j of pending) j.reject(failure);
  };
  const pump = (): void => {
    for (let i = 0; i < threads.length; i++) {
      if (current[i]) continue;
      const a = own[i]![0];
      const b = shared[0];
      const job = a && (!b || a.seq < b.seq) ? own[i]!.shift() : b ? shared.shift() : undefined;
      if (!job) {
        threads[i]!.hold(false);
        continue;
      }
      current[i] = job;
      threads[i]!.hold(true);
      threads[i]!.post(job.message, job.transfer);
    }
  };
  const onMessage = (i: number, data: unknown): void => {
    const job = current[i];
    const reply = data as { id: number; out?: unknown; error?: string };
    if (!job || job.message.id !== reply.id) return;
    current[i] = undefined;
    if (reply.error !== undefined) job.reject(new PoolError(`A proving task failed: ${reply.error}`));
    else job.resolve(reply.out);
    pump();
  };
  const submit = <T>(message: Record<string, unknown>, worker?: number, transfer: ArrayBuffer[] = [], urgent = false): Promise<T> => {
    if (closed) return Promise.reject(failure ?? new PoolError('The proving threads were closed.'));
    return new Promise<T>((resolve, reject) => {
      const job: Job = {
        seq: urgent ? urgentSeq-- : seq++,
        message: { ...message, id: nextId++ },
        transfer,
        resolve: resolve as (out: unknown) => void,
        reject,
      };
      const queue = worker === undefined ? shared : own[worker]!;
      if (urgent) queue.unshift(job);
      else queue.push(job);
      pump();
    });
  };

  for (let i = 0; i < size; i++)
    threads.push(
      await spawnThread(
        (data) => onMessage(i, data),
        (why) => fail(why),
      ),
    );
  await Promise.all(threads.map((_, i) => submit({ op: 'init', module, pages: initialPages }, i)));

  const exported = new Set(WebAssembly.Module.exports(module).map((e) => e.name));
  return {
    size,
    get closed() {
      return closed;
    },
    hasFunction: (name) => exported.has(name),
    run: (task, worker, transfer, urgent) => submit<Uint8Array[]>({ op: 'task', task }, worker, transfer, urgent),
    keep: async (worker, name, data) => {
      await submit({ op: 'keep', name, data }, worker);
    },
    drop: async (prefix) => {
      await Promise.all(threads.map((_, i) => submit({ op: 'drop', prefix }, i)));
    },
    list: (worker) => submit<{ name: string; bytes: number }[]>({ op: 'list' }, worker),
    peek: async (worker, name, offset, length) => (await submit<Uint8Array[]>({ op: 'peek', name, offset, length }, worker))[0]!,
    poke: async (worker, name, offset, data) => {
      await submit({ op: 'poke', name, offset, data }, worker);
    },
    kill: (worker) => {
      threads[worker]?.terminate();
      fail(`thread ${worker} was stopped`);
    },
    terminate: async () => {
      if (closed) return;
      fail('closed');
    },
  };
}
