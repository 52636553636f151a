// Node implementation of the granule sandbox: one worker thread per granule (so a hang or a huge allocation is
// stopped with the thread and other granules' state is out of reach), and inside it a fresh V8 context (node:vm)
// that has only the JavaScript built-ins — no process, require, fetch, timers or host objects. Only strings cross.
import { Worker } from 'node:worker_threads';
import { SANDBOX_BOOTSTRAP_SOURCE, type Sandbox, type SandboxExit, type SandboxFactory } from './sandbox-protocol';

export interface NodeSandboxOptions {
  /** Heap cap of the granule's thread; exceeding it stops the granule (reported as "memory"). */
  maxHeapMb?: number;
}

const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const vm = require('node:vm');
const context = vm.createContext({}, { name: 'granule', codeGeneration: { strings: true, wasm: false } });
const bootstrap = vm.runInContext(workerData.bootstrap, context, { filename: 'twingrain-sandbox-bootstrap.js' });
const timers = new Map();
let receive = null;
function fatal(e) {
  parentPort.postMessage(JSON.stringify({ t: 'fatal', error: 'uncaught: ' + (e && e.message ? e.message : String(e)) }));
}
function deliver(text) {
  try { receive(text); } catch (e) { fatal(e); }
}
receive = bootstrap(function send(text) {
  if (typeof text !== 'string') return;
  if (text.startsWith('{"t":"timer-')) {
    const m = JSON.parse(text);
    if (m.t === 'timer-set') timers.set(m.id, setTimeout(() => { timers.delete(m.id); deliver(JSON.stringify({ t: 'timer', id: m.id })); }, Math.min(m.ms, 2147483647)));
    else if (m.t === 'timer-clear') { clearTimeout(timers.get(m.id)); timers.delete(m.id); }
    return;
  }
  parentPort.postMessage(text);
});
parentPort.on('message', deliver);
`;

export function createNodeSandbox(options: NodeSandboxOptions = {}): Sandbox {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { bootstrap: SANDBOX_BOOTSTRAP_SOURCE },
    env: {},
    argv: [],
    execArgv: [],
    stdout: true,
    stderr: true,
    resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb ?? 64, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
  });
  // The thread's own output is not the host's concern; drain it so it never blocks.
  worker.stdout.resume();
  worker.stderr.resume();
  let terminated = false;
  let exitHandler: ((exit: SandboxExit) => void) | undefined;
  let lastError: SandboxExit | undefined;
  worker.on('error', (err: Error & { code?: string }) => {
    lastError = err.code === 'ERR_WORKER_OUT_OF_MEMORY' ? { reason: 'memory', detail: 'it used more memory than the sandbox allows' } : { reason: 'error', detail: err.message };
  });
  worker.on('exit', (code) => {
    if (terminated) return;
    terminated = true;
    exitHandler?.(lastError ?? { reason: 'exit', detail: `its thread exited (code ${code})` });
  });
  return {
    post: (message) => {
      if (!terminated) worker.postMessage(message);
    },
    onMessage: (handler) => worker.on('message', (m: unknown) => typeof m === 'string' && handler(m)),
    onExit: (handler) => (exitHandler = handler),
    terminate: () => {
      if (terminated) return;
      terminated = true;
      void worker.terminate();
    },
  };
}

export const nodeSandboxFactory = (options: NodeSandboxOptions = {}): SandboxFactory => () => createNodeSandbox(options);
