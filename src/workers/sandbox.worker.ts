/// <reference lib="webworker" />
// A granule's sandbox in the browser: this dedicated worker runs the granule in QuickJS (WebAssembly), the same
// engine and worker code as in Node (lib/twin/sandbox/worker-main.ts). Granule code never runs in this worker's
// realm, so the worker's own APIs (fetch, storage, timers, importScripts…) are out of its reach; it only ever
// exchanges JSON strings with the page, through the host-side guard (lib/twin/sandbox/guard.ts).
import wasmUrl from '@jitl/quickjs-wasmfile-release-sync/wasm?url';
import { runGranuleWorker } from '../lib/twin/sandbox/index';

const scope = self as unknown as DedicatedWorkerGlobalScope;
runGranuleWorker(
  {
    post: (m) => scope.postMessage(m),
    onMessage: (handler) => scope.addEventListener('message', (e: MessageEvent) => handler(e.data)),
  },
  { wasmLocation: wasmUrl },
);
