// The sandbox's face to its worker shell (src/workers/sandbox.worker.ts): the worker runs this and nothing else.
export { runGranuleWorker } from './worker-main';
