// Node implementation of the granule sandbox: one worker thread per granule, and inside it the granule in QuickJS
// (WebAssembly) — the same engine and worker code as in the browser (sandbox/worker-main.ts). Granule code has no
// Node API, no `process`, no `require` of the host and no way to compile code in the host's realm; only strings
// cross. The thread has its own heap cap as well (resourceLimits), and the host side (sandbox/guard.ts) enforces
// message sizes, rates and shapes and sends heartbeats.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Sandbox, SandboxExit, SandboxFactory } from './sandbox-protocol';
import { guardSandbox, type RawWorker } from './sandbox/guard';
import { withLimits, type SandboxLimits } from './sandbox/limits';

export interface NodeSandboxOptions {
  /** The granule's QuickJS heap in MiB (objects, strings and ArrayBuffers alike); over it the granule is stopped. */
  maxHeapMb?: number;
  /** Any other limit (sandbox/limits.ts). */
  limits?: Partial<SandboxLimits>;
}

interface Prepared {
  source: string;
  wasm: WebAssembly.Module;
}

let prepared: Promise<Prepared> | undefined;

/** Bundles the worker code (TypeScript, shared with the browser) into one script and compiles QuickJS once per
 * process; every granule's thread gets both, so a thread starts without loading anything from disk. */
function prepare(): Promise<Prepared> {
  prepared ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = new URL('./sandbox/node-worker.ts', import.meta.url);
    // esbuild comes with tsx, which runs the CLI and the tests.
    const esbuild = createRequire(require.resolve('tsx'))('esbuild') as typeof import('esbuild');
    const [bundle, bytes] = await Promise.all([
      esbuild.build({
        entryPoints: [fileURLToPath(entry)],
        // The engine's ES module build asks import.meta.url only to create a require() for node:fs (the WebAssembly
        // itself comes compiled in the init message).
        define: { 'import.meta.url': JSON.stringify(entry.href) },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        write: false,
        logLevel: 'silent',
      }),
      readFile(require.resolve('@jitl/quickjs-wasmfile-release-sync/wasm')),
    ]);
    return { source: bundle.outputFiles[0]!.text, wasm: await WebAssembly.compile(bytes) };
  })();
  prepared.catch(() => (prepared = undefined));
  return prepared;
}

/** A worker thread that is started once the bundle is ready; messages posted before that wait in order. */
function nodeWorker(): RawWorker {
  let worker: Worker | undefined;
  let dead = false;
  const queue: unknown[] = [];
  let messageHandler: ((m: unknown) => void) | undefined;
  let deathHandler: ((exit: SandboxExit) => void) | undefined;
  let lastError: SandboxExit | undefined;
  const die = (exit: SandboxExit) => {
    if (dead) return;
    dead = true;
    deathHandler?.(exit);
  };
  void prepare().then(
    ({ source, wasm }) => {
      if (dead) return wasm;
      const w = new Worker(source, {
        eval: true,
        env: {},
        argv: [],
        execArgv: [],
        stdout: true,
        stderr: true,
        // The worker's own JS heap (QuickJS's heap lives in WebAssembly memory and has its own, smaller limit).
        resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8, stackSizeMb: 4 },
      });
      worker = w;
      // The thread's own output is not the host's concern; drain it so it never blocks.
      w.stdout.resume();
      w.stderr.resume();
      w.on('message', (m: unknown) => messageHandler?.(m));
      w.on('error', (err: Error & { code?: string }) => {
        lastError =
          err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { reason: 'memory', detail: 'its thread ran out of memory' } : { reason: 'error', detail: err.message };
      });
      w.on('exit', (code) => die(lastError ?? { reason: 'exit', detail: `its thread exited (code ${code})` }));
      // The init message (the guard's first) gets the compiled engine.
      for (const m of queue.splice(0)) w.postMessage(m && typeof m === 'object' && (m as { k?: unknown }).k === 'init' ? { ...m, wasmModule: wasm } : m);
      return wasm;
    },
    (e: unknown) => {
      die({ reason: 'error', detail: `the sandbox could not be prepared: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    },
  );
  return {
    post: (m) => {
      if (dead) return;
      if (worker) worker.postMessage(m);
      else queue.push(m);
    },
    onMessage: (h) => (messageHandler = h),
    onDeath: (h) => (deathHandler = h),
    terminate: () => {
      dead = true;
      if (worker) void worker.terminate();
    },
    unrefTimer: (t) => t.unref(),
  };
}

function createNodeSandbox(options: NodeSandboxOptions = {}): Sandbox {
  const limits = withLimits({ ...(options.maxHeapMb ? { memoryBytes: options.maxHeapMb * 2 ** 20 } : {}), ...options.limits });
  return guardSandbox(nodeWorker(), limits);
}

export const nodeSandboxFactory =
  (options: NodeSandboxOptions = {}): SandboxFactory =>
  () =>
    createNodeSandbox(options);
