// One chain request, its failure as the records area's typed error.
import type { PublicClient } from 'viem';
import { ChainUnreachableError } from './errors';

export async function ask<T>(publicClient: PublicClient, what: () => Promise<T>): Promise<T> {
  try {
    return await what();
  } catch (cause) {
    const url = publicClient.transport?.url ?? 'the configured RPC';
    throw new ChainUnreachableError(String(url), (cause as Error).message.split('\n')[0] ?? 'no answer');
  }
}
