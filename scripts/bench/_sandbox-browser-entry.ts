// What the browser sandbox benchmark loads in a blank page (bundled by Vite in library mode, worker included).
export { TwinRuntime } from '../../src/lib/twin/runtime';
export { createBrowserSandbox } from '../../src/lib/twin/sandbox.browser';
