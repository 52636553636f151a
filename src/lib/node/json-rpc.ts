// One raw JSON-RPC call to an EVM node, for the few places that need methods viem does not wrap (anvil's cheats,
// readiness probes). Errors name the method.
export async function jsonRpc(url: string, method: string, params: unknown[] = [], timeoutMs?: number): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    ...(timeoutMs ? { signal: AbortSignal.timeout(timeoutMs) } : {}),
  });
  const body = (await response.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}
