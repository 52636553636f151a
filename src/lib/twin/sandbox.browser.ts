// Browser implementation of the granule sandbox: one dedicated module Worker per granule (src/workers/sandbox.worker.ts)
// which removes network, storage, worker-spawning and code-from-string APIs before any granule code runs.
// A hang is stopped with worker.terminate(); a crash (e.g. out of memory) arrives as the worker's error event.
import type { Sandbox, SandboxExit, SandboxFactory } from './sandbox-protocol';

export function createBrowserSandbox(): Sandbox {
  const worker = new Worker(new URL('../../workers/sandbox.worker.ts', import.meta.url), { type: 'module', name: 'granule-sandbox' });
  let terminated = false;
  let exitHandler: ((exit: SandboxExit) => void) | undefined;
  const stop = (exit: SandboxExit) => {
    if (terminated) return;
    terminated = true;
    worker.terminate();
    exitHandler?.(exit);
  };
  worker.addEventListener('error', (e) => {
    e.preventDefault();
    stop({ reason: /memory|allocation/i.test(e.message ?? '') ? 'memory' : 'error', detail: e.message || 'the sandbox worker crashed' });
  });
  worker.addEventListener('messageerror', () => stop({ reason: 'error', detail: 'it sent a message that could not be read' }));
  return {
    post: (message) => {
      if (!terminated) worker.postMessage(message);
    },
    onMessage: (handler) => worker.addEventListener('message', (e: MessageEvent) => typeof e.data === 'string' && handler(e.data)),
    onExit: (handler) => (exitHandler = handler),
    terminate: () => {
      if (terminated) return;
      terminated = true;
      worker.terminate();
    },
  };
}

export const browserSandboxFactory: SandboxFactory = () => createBrowserSandbox();
