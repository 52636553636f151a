// One raw JSON-RPC call to an EVM node, for the few places that need methods viem does not wrap (anvil's cheats,
// readiness probes), through viem's own HTTP transport. Errors name the method.
import { http } from 'viem';

export async function jsonRpc(url: string, method: string, params: unknown[] = [], timeoutMs?: number): Promise<unknown> {
  // No retries: a readiness probe asks again on its own schedule, and a cheat must not be applied twice.
  const transport = http(url, { retryCount: 0, ...(timeoutMs ? { timeout: timeoutMs } : {}) })({ retryCount: 0 });
  try {
    return await transport.request({ method, params } as never);
  } catch (error) {
    const e = error as { shortMessage?: string; details?: string; message?: string };
    throw new Error(`${method}: ${e.details ?? e.shortMessage ?? e.message ?? String(error)}`);
  }
}
