// A running twin bound to a printer: the runtime with its sandboxes, and the printer capability granted to the
// communication context. The page uses the virtual printer of the twin's model; a Web Serial printer plugs in the same
// way through any PrinterCommander (the Marlin host over another transport).
import { TwinRuntime, type RuntimeGranule } from './runtime';
import { printerCapability, type PrinterCommander } from './printer-capability';
import type { SandboxFactory } from './sandbox-protocol';

export interface TwinSessionParameters {
  granules: RuntimeGranule[];
  sandboxFactory: SandboxFactory;
  printer?: { host: PrinterCommander; label: string; close?: () => Promise<void> };
  requestTimeoutMs?: number;
}

export interface TwinSession {
  runtime: TwinRuntime;
  stop(): Promise<void>;
}

export async function startTwinSession(p: TwinSessionParameters): Promise<TwinSession> {
  const capability = p.printer ? printerCapability(p.printer.host, () => ({ connected: true, label: p.printer!.label })) : undefined;
  const runtime = new TwinRuntime({
    sandboxFactory: p.sandboxFactory,
    capabilities: capability ? { printer: capability } : {},
    grants: { communication: ['printer'] },
    ...(p.requestTimeoutMs !== undefined ? { requestTimeoutMs: p.requestTimeoutMs } : {}),
  });
  await runtime.start(p.granules);
  return {
    runtime,
    stop: async () => {
      runtime.stop();
      capability?.dispose();
      await p.printer?.close?.().catch(() => undefined);
    },
  };
}
