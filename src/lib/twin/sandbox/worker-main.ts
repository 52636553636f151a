// The trusted code of a granule's worker, the same in the browser and in Node: it starts QuickJS, hands it the
// host's JSON strings, posts the granule's strings back, answers heartbeats and reports limits as control objects.
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import releaseSync from '@jitl/quickjs-wasmfile-release-sync';
import { GranuleEngine, type StopReason } from './engine';
import type { HostControl, SandboxLimits, WorkerControl } from './limits';

export interface WorkerPort {
  post(message: string | WorkerControl): void;
  onMessage(handler: (message: unknown) => void): void;
}

/** The first message the host sends: the limits, and (in Node) the already compiled engine. */
interface WorkerInit {
  k: 'init';
  limits: SandboxLimits;
  wasmModule?: WebAssembly.Module;
}

/** What the engine's own data and stack take before any granule allocation (Emscripten's INITIAL_MEMORY). */
const ENGINE_BASE_BYTES = 16 * 2 ** 20;
const PAGE = 65536;

/** The engine's whole WebAssembly memory, with a fixed maximum: the granule's heap (strings, objects, ArrayBuffers)
 * can never grow past it, and a refused growth is remembered (for good) so the granule is stopped even if it catches the error. */
function cappedMemory(heapBytes: number): { memory: WebAssembly.Memory; exhausted: boolean } {
  const memory = new WebAssembly.Memory({ initial: ENGINE_BASE_BYTES / PAGE, maximum: Math.ceil((ENGINE_BASE_BYTES + heapBytes) / PAGE) });
  const state = { memory, exhausted: false };
  const grow = memory.grow.bind(memory);
  // Emscripten grows the memory through this method when malloc runs out; a failure there is an out-of-memory.
  Object.defineProperty(memory, 'grow', {
    value: (delta: number) => {
      try {
        return grow(delta);
      } catch (e) {
        state.exhausted = true;
        throw e;
      }
    },
  });
  return state;
}

export function runGranuleWorker(port: WorkerPort, where: { wasmLocation?: string } = {}): void {
  let engine: GranuleEngine | undefined;
  let stopped = false;
  const backlog: string[] = [];
  const stop = (reason: StopReason, detail: string) => {
    if (stopped) return;
    stopped = true;
    port.post({ k: 'stop', reason, detail });
  };
  const start = async (init: WorkerInit) => {
    const heap = cappedMemory(init.limits.memoryBytes);
    // Node hands over the engine compiled once per process; the browser worker loads it from the app's own origin.
    const variant = newVariant(releaseSync, {
      wasmMemory: heap.memory,
      ...(init.wasmModule ? { wasmModule: init.wasmModule } : where.wasmLocation ? { wasmLocation: where.wasmLocation } : {}),
    });
    const qjs = await newQuickJSWASMModuleFromVariant(variant);
    engine = new GranuleEngine(
      qjs,
      {
        post: (text) => {
          if (!stopped) port.post(text);
        },
        stop,
        setTimer: (fn, ms) => setTimeout(fn, ms),
        clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
        heapBytes: () => heap.memory.buffer.byteLength,
        heapExhausted: () => heap.exhausted,
      },
      init.limits,
    );
    for (const text of backlog.splice(0)) engine.deliver(text);
  };
  port.onMessage((m) => {
    if (stopped) return;
    if (typeof m === 'string') {
      if (engine) engine.deliver(m);
      else backlog.push(m);
      return;
    }
    const control = m as WorkerInit | HostControl | null;
    if (control?.k === 'init' && !engine) {
      start(control).catch((e: unknown) => stop('error', `its engine did not start: ${e instanceof Error ? e.message : String(e)}`));
    } else if (control?.k === 'beat') {
      port.post({ k: 'beat', id: control.id, heapBytes: engine ? engine.check() : 0 });
    }
  });
}
