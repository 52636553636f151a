// Browser implementation of the granule sandbox: one dedicated module Worker per granule (src/workers/sandbox.worker.ts),
// and inside it the granule in QuickJS (WebAssembly) with a capped memory and a processor budget. A granule over a
// limit, a worker that stops answering heartbeats or one that crashes is terminated — the tab and the other
// granules keep running. Message sizes, rates and shapes are checked here, on the page's side (sandbox/guard.ts).
import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import type { Sandbox, SandboxExit, SandboxFactory } from './sandbox-protocol';
import { guardSandbox } from './sandbox/guard';
import { withLimits, type SandboxLimits } from './sandbox/limits';

let engine: Promise<WebAssembly.Module | undefined> | undefined;

/** QuickJS compiled once per page and handed to every granule's worker (a worker whose init has no module loads
 * the engine itself, so a failure here only costs time). */
function compiledEngine(): Promise<WebAssembly.Module | undefined> {
  engine ??= (async () => {
    const response = await fetch(wasmUrl);
    try {
      return await WebAssembly.compileStreaming(response.clone());
    } catch {
      return await WebAssembly.compile(await response.arrayBuffer());
    }
  })().catch(() => undefined);
  return engine;
}

export function createBrowserSandbox(limits: Partial<SandboxLimits> = {}): Sandbox {
  const worker = new Worker(new URL('../../workers/sandbox.worker.ts', import.meta.url), { type: 'module', name: 'granule-sandbox' });
  let death: ((exit: SandboxExit) => void) | undefined;
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    death?.({ reason: /memory|allocation/i.test(e.message ?? '') ? 'memory' : 'error', detail: e.message || 'the sandbox worker crashed' });
  });
  worker.addEventListener('messageerror', () => death?.({ reason: 'limit', detail: 'it sent a message that could not be read' }));
  // Messages wait (in order) until the engine is compiled; the init message, the guard's first, carries it.
  let queue: unknown[] | undefined = [];
  void compiledEngine().then((wasmModule) => {
    const waiting = queue ?? [];
    queue = undefined;
    for (const m of waiting) worker.postMessage(m && typeof m === 'object' && (m as { k?: unknown }).k === 'init' && wasmModule ? { ...m, wasmModule } : m);
  });
  return guardSandbox(
    {
      post: (m) => (queue ? queue.push(m) : worker.postMessage(m)),
      onMessage: (handler) => worker.addEventListener('message', (e: MessageEvent) => handler(e.data)),
      onDeath: (handler) => (death = handler),
      terminate: () => {
        queue = undefined;
        worker.terminate();
      },
    },
    withLimits(limits),
  );
}

export const browserSandboxFactory: SandboxFactory = () => createBrowserSandbox();
