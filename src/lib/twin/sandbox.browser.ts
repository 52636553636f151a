// Browser implementation of the granule sandbox: one dedicated module Worker per granule (src/workers/sandbox.worker.ts),
// and inside it the granule in QuickJS (WebAssembly) with a capped memory and a processor budget. A granule over a
// limit, a worker that stops answering heartbeats or one that crashes is terminated — the tab and the other
// granules keep running. Message sizes, rates and shapes are checked here, on the page's side (sandbox/guard.ts).
import type { Sandbox, SandboxExit, SandboxFactory } from './sandbox-protocol';
import { guardSandbox } from './sandbox/guard';
import { withLimits, type SandboxLimits } from './sandbox/limits';

export function createBrowserSandbox(limits: Partial<SandboxLimits> = {}): Sandbox {
  const worker = new Worker(new URL('../../workers/sandbox.worker.ts', import.meta.url), { type: 'module', name: 'granule-sandbox' });
  let death: ((exit: SandboxExit) => void) | undefined;
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    death?.({ reason: /memory|allocation/i.test(e.message ?? '') ? 'memory' : 'error', detail: e.message || 'the sandbox worker crashed' });
  });
  worker.addEventListener('messageerror', () => death?.({ reason: 'limit', detail: 'it sent a message that could not be read' }));
  return guardSandbox(
    {
      post: (m) => worker.postMessage(m),
      onMessage: (handler) => worker.addEventListener('message', (e: MessageEvent) => handler(e.data)),
      onDeath: (handler) => (death = handler),
      terminate: () => worker.terminate(),
    },
    withLimits(limits),
  );
}

export const browserSandboxFactory: SandboxFactory = () => createBrowserSandbox();
