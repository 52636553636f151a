// One chain request, its failure as the records area's typed error.
import type { PublicClient } from 'viem';
import { ChainUnreachableError } from './errors';

/** A failed chain request as the records area's error, naming the node asked. */
export function chainUnreachable(publicClient: PublicClient, cause: unknown): ChainUnreachableError {
  const url = publicClient.transport?.url ?? 'the configured RPC';
  return new ChainUnreachableError(String(url), (cause as Error).message.split('\n')[0] ?? 'no answer');
}

export async function ask<T>(publicClient: PublicClient, what: () => Promise<T>): Promise<T> {
  try {
    return await what();
  } catch (cause) {
    throw chainUnreachable(publicClient, cause);
  }
}
