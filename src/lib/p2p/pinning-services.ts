// Pinning through any service that speaks the IPFS Pinning Service API: a community node (relay/pinning-api.ts), IPFS
// Cluster, or a commercial pinning service. Each root is POSTed to /pins and followed until `pinned` or `failed`. With
// several services and a replication factor r, r of them are asked at first and each failure brings in the next one,
// until r hold everything or none is left. A service without a configured token is asked for its challenge (401 +
// WWW-Authenticate) and given a member token signed for it (pinning-token.ts).
import type { CID } from 'multiformats/cid';
import { P2PError } from './errors';
import { parsePinningChallenge, type PinningServiceChallenge } from './pinning-token';
import { namedError } from '../errors/index';

export interface PinningServiceConfig {
  /** The API's base URL; requests go to `${endpoint}/pins`. */
  endpoint: string;
  /** A bearer token issued by the service; without one, a twingrain node's member token is signed for it. */
  token?: string;
}

export interface PinningServicesConfig {
  services: PinningServiceConfig[];
  /** How many services must hold each granule (default 1, at most the number of services). */
  replication: number;
}

export type PinningServiceErrorCode = 'NO_SERVICE' | 'UNAUTHORIZED' | 'REFUSED' | 'FAILED' | 'TIMEOUT' | 'UNREACHABLE' | 'TOO_FEW';

export class PinningServiceError extends namedError('PinningServiceError', P2PError) {
  constructor(
    readonly code: PinningServiceErrorCode,
    message: string,
    readonly endpoint?: string,
  ) {
    super(message);
  }
}

export interface PinWithServicesParameters extends PinningServicesConfig {
  /** Roots to pin (a granule: its manifest and each shard). */
  cids: CID[];
  name?: string;
  meta?: Record<string, string>;
  /** Where the blocks are (the owner's node). */
  origins?: string[];
  /** Signs a member token for a twingrain node's challenge (a service with a configured token never asks). */
  tokenFor?: (challenge: PinningServiceChallenge) => Promise<string>;
  /** How long one service may take to pin everything (default 180 s). */
  timeoutMs?: number;
  pollMs?: number;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export interface PinWithServicesReturnType {
  /** Endpoints that hold every root. */
  pinnedBy: string[];
  failures: Array<{ endpoint: string; code: PinningServiceErrorCode; reason: string }>;
}

interface PinStatusBody {
  requestid: string;
  status: 'queued' | 'pinning' | 'pinned' | 'failed';
  info?: Record<string, string>;
}

const base = (endpoint: string): string => endpoint.replace(/\/+$/, '').replace(/\/pins$/, '');
const host = (endpoint: string): string => {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
};

async function errorText(response: Response): Promise<string> {
  const body = (await response.json().catch(() => undefined)) as { error?: { reason?: string; details?: string } } | undefined;
  return body?.error?.details ?? body?.error?.reason ?? `HTTP ${response.status}`;
}

/** Pins every root on one service and waits until it holds them all; throws a PinningServiceError otherwise. */
export async function pinOnService(service: PinningServiceConfig, p: Omit<PinWithServicesParameters, 'services' | 'replication'>): Promise<void> {
  const fetchImpl = p.fetch ?? fetch;
  const url = `${base(service.endpoint)}/pins`;
  const where = host(service.endpoint);
  const signal = AbortSignal.any([AbortSignal.timeout(p.timeoutMs ?? 180_000), ...(p.signal ? [p.signal] : [])]);
  const call = async (path: string, init: RequestInit = {}, token?: string): Promise<Response> => {
    try {
      return await fetchImpl(path, {
        ...init,
        signal,
        headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      });
    } catch (error) {
      if (signal.aborted && !p.signal?.aborted)
        throw new PinningServiceError(
          'TIMEOUT',
          `The pinning service at ${where} did not finish within ${Math.round((p.timeoutMs ?? 180_000) / 1000)} s.`,
          service.endpoint,
        );
      throw new PinningServiceError('UNREACHABLE', `The pinning service at ${where} cannot be reached (${(error as Error).message}).`, service.endpoint);
    }
  };
  let token = service.token;
  if (!token) {
    const probe = await call(`${url}?limit=1`);
    const challenge = probe.status === 401 ? parsePinningChallenge(probe.headers.get('www-authenticate')) : undefined;
    if (!challenge || !p.tokenFor)
      throw new PinningServiceError(
        'UNAUTHORIZED',
        `The pinning service at ${where} needs a token: add the one it issued you to its entry in the settings.`,
        service.endpoint,
      );
    token = await p.tokenFor(challenge);
  }
  const requests: string[] = [];
  for (const cid of p.cids) {
    const response = await call(
      url,
      {
        method: 'POST',
        body: JSON.stringify({
          cid: cid.toString(),
          ...(p.name ? { name: p.name } : {}),
          ...(p.origins?.length ? { origins: p.origins.slice(0, 20) } : {}),
          ...(p.meta ? { meta: p.meta } : {}),
        }),
      },
      token,
    );
    if (response.status === 401)
      throw new PinningServiceError('UNAUTHORIZED', `The pinning service at ${where} refused the token: ${await errorText(response)}`, service.endpoint);
    if (!response.ok)
      throw new PinningServiceError('REFUSED', `The pinning service at ${where} refused to pin: ${await errorText(response)}`, service.endpoint);
    requests.push(((await response.json()) as PinStatusBody).requestid);
  }
  const pending = new Set(requests);
  while (pending.size > 0) {
    for (const id of [...pending]) {
      const response = await call(`${url}/${encodeURIComponent(id)}`, {}, token);
      if (!response.ok)
        throw new PinningServiceError('FAILED', `The pinning service at ${where} lost pin request ${id}: ${await errorText(response)}`, service.endpoint);
      const status = (await response.json()) as PinStatusBody;
      if (status.status === 'pinned') pending.delete(id);
      else if (status.status === 'failed')
        throw new PinningServiceError(
          'FAILED',
          `The pinning service at ${where} could not pin: ${status.info?.['reason'] ?? 'no reason given'}`,
          service.endpoint,
        );
    }
    if (pending.size === 0) break;
    await new Promise((r) => setTimeout(r, p.pollMs ?? 500));
    if (signal.aborted)
      throw new PinningServiceError(
        'TIMEOUT',
        `The pinning service at ${where} did not finish within ${Math.round((p.timeoutMs ?? 180_000) / 1000)} s.`,
        service.endpoint,
      );
  }
}

/** Pins on `replication` of the services (trying further ones as others fail); throws TOO_FEW when fewer hold it. */
export async function pinWithServices(p: PinWithServicesParameters): Promise<PinWithServicesReturnType> {
  if (p.services.length === 0)
    throw new PinningServiceError('NO_SERVICE', 'No pinning service is configured: add one in the settings (or the runtime config).');
  const wanted = Math.min(Math.max(1, p.replication), p.services.length);
  const out: PinWithServicesReturnType = { pinnedBy: [], failures: [] };
  let next = 0;
  const lane = async (): Promise<void> => {
    while (out.pinnedBy.length < wanted && next < p.services.length) {
      const service = p.services[next++]!;
      try {
        await pinOnService(service, p);
        out.pinnedBy.push(service.endpoint);
        p.onProgress?.(`pinned by the pinning service at ${host(service.endpoint)}`);
      } catch (error) {
        const e = error instanceof PinningServiceError ? error : new PinningServiceError('FAILED', (error as Error).message, service.endpoint);
        out.failures.push({ endpoint: service.endpoint, code: e.code, reason: e.message });
        p.onProgress?.(e.message);
      }
    }
  };
  await Promise.all(Array.from({ length: wanted }, lane));
  if (out.pinnedBy.length < wanted) {
    throw Object.assign(
      new PinningServiceError(
        'TOO_FEW',
        `Only ${out.pinnedBy.length} of the ${wanted} pinning services asked for hold the granule (${out.failures.map((f) => f.reason).join('; ')}).`,
      ),
      { result: out },
    );
  }
  return out;
}
