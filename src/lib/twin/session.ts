// A running twin bound to a printer: the runtime with its sandboxes, and the printer capability granted to the
// communication context. The page uses the virtual printer of the twin's model; a Web Serial printer plugs in the same
// way through any PrinterCommander (the Marlin host over another transport).
// Only the communication context is granted the printer, and every command — from the communication granule, or
// asked of it by another context through "send" — must stay inside the envelope the formalization context states.
import { TwinRuntime, type RuntimeGranule } from './runtime';
import { printerCapability, type PrinterCommander } from './printer-capability';
import { GcodeGuard, twinEnvelope } from './envelope';
import type { SandboxFactory } from './sandbox-protocol';

export interface TwinSessionParameters {
  granules: RuntimeGranule[];
  sandboxFactory: SandboxFactory;
  printer?: { host: PrinterCommander; label: string; close?: () => Promise<void> };
  requestTimeoutMs?: number;
}

export interface TwinSession {
  runtime: TwinRuntime;
  /** The machine envelope in force (from the formalization context), or why there is none. */
  envelope: ReturnType<typeof twinEnvelope>;
  stop(): Promise<void>;
}

export async function startTwinSession(p: TwinSessionParameters): Promise<TwinSession> {
  const stated = twinEnvelope(p.granules);
  const guard = 'envelope' in stated ? new GcodeGuard(stated.envelope) : new GcodeGuard(undefined, stated.problem);
  const capability = p.printer ? printerCapability(p.printer.host, () => ({ connected: true, label: p.printer!.label }), guard) : undefined;
  const commandOf = (payload: unknown) =>
    payload && typeof payload === 'object' && 'command' in payload ? String((payload as { command: unknown }).command ?? '') : String(payload ?? '');
  const runtime = new TwinRuntime({
    sandboxFactory: p.sandboxFactory,
    capabilities: capability ? { printer: capability } : {},
    grants: { communication: ['printer'] },
    guards: { communication: { send: (payload) => guard.refusal(commandOf(payload).trim()) } },
    ...(p.requestTimeoutMs !== undefined ? { requestTimeoutMs: p.requestTimeoutMs } : {}),
  });
  await runtime.start(p.granules);
  return {
    runtime,
    envelope: stated,
    stop: async () => {
      runtime.stop();
      capability?.dispose();
      await p.printer?.close?.().catch(() => undefined);
    },
  };
}
