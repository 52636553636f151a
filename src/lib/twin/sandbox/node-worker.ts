// Node entry of a granule's worker_thread (started by sandbox.node.ts): the same worker code as in the browser.
import { parentPort } from 'node:worker_threads';
import { runGranuleWorker } from './worker-main';

const port = parentPort!;
runGranuleWorker({ post: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h) });
