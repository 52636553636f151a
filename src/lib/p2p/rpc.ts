// One JSON request and one JSON response per stream, length-prefixed. Binary fields travel as base64.
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { Multiaddr } from '@multiformats/multiaddr';
import { lpStream } from '@libp2p/utils';
import { P2PError } from './errors';
import { base64pad } from 'multiformats/bases/base64';

const MAX_MESSAGE = 8 * 1024 * 1024;

export type JsonHandler = (request: unknown, remotePeer: string) => Promise<unknown>;

export async function handleJson(libp2p: Libp2p, protocol: string, handler: JsonHandler): Promise<void> {
  await libp2p.handle(
    protocol,
    async (stream, connection) => {
      const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE });
      try {
        const request = JSON.parse(new TextDecoder().decode((await lp.read({ signal: AbortSignal.timeout(30_000) })).subarray())) as unknown;
        let response: unknown;
        try {
          response = await handler(request, connection.remotePeer.toString());
        } catch (error) {
          response = { error: error instanceof Error ? error.message : String(error), errorName: error instanceof Error ? error.name : 'Error' };
        }
        await lp.write(new TextEncoder().encode(JSON.stringify(response)));
        await stream.close();
      } catch (error) {
        stream.abort(error instanceof Error ? error : new Error(String(error)));
      }
    },
    // Key releases and pin requests are small; allow them over a relayed connection too.
    { runOnLimitedConnection: true },
  );
}

export async function requestJson<T>(
  libp2p: Libp2p,
  peer: PeerId | Multiaddr | Multiaddr[],
  protocol: string,
  request: unknown,
  options: { signal?: AbortSignal } = {},
): Promise<T> {
  const signal = options.signal ?? AbortSignal.timeout(30_000);
  const stream = await libp2p.dialProtocol(peer, protocol, { signal, runOnLimitedConnection: true });
  const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE });
  try {
    await lp.write(new TextEncoder().encode(JSON.stringify(request)), { signal });
    const response = JSON.parse(new TextDecoder().decode((await lp.read({ signal })).subarray())) as T & { error?: string };
    await stream.close().catch(() => undefined);
    if (response && typeof response === 'object' && typeof response.error === 'string') throw new P2PError(response.error);
    return response;
  } catch (error) {
    stream.abort(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}

/** Standard base64 with padding (what btoa writes). */
export const toBase64 = (bytes: Uint8Array): string => base64pad.baseEncode(bytes);
export const fromBase64 = (text: string): Uint8Array => base64pad.baseDecode(text);
