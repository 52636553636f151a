// Where the app learns which chain and relay to use. The embedded stack (or an operator) serves
// /twingrain-config.json next to the app; nothing about a deployment is baked into the bundle.
export interface ChainConfig {
  rpcUrl: string;
  chainId: number;
  /** Human name shown in the UI and passed to wallets when adding the chain. */
  name: string;
  /** True for the embedded development chain: enables the local development account and open enrolment. */
  development: boolean;
  /** Contract name → address. */
  contracts: Record<string, `0x${string}`>;
  /** Block at which the contracts were deployed: event indexers start here. */
  deployBlock: number;
}

export interface RelayConfig {
  /** Multiaddrs the app dials, e.g. /ip4/127.0.0.1/tcp/9090/ws/p2p/12D3... */
  multiaddrs: string[];
  /** True when the relay listens on plain ws:// on loopback (development only). */
  development: boolean;
}

/** IPFS Pinning Service API endpoints the app and the CLI pin granules through, and how many must hold each one. */
export interface PinningConfig {
  /** `endpoint` is the API's base URL (requests go to `${endpoint}/pins`); `token` one the service issued, if any. */
  services: Array<{ endpoint: string; token?: string }>;
  replication: number;
}

export interface RuntimeConfig {
  chain: ChainConfig;
  relay: RelayConfig;
  /** Absent: granules are pinned by the relays over the peer-to-peer network. */
  pinning?: PinningConfig;
  /** When the stack wrote this file (ISO 8601). */
  startedAt: string;
  /**
   * The identity that registered the granules bundled with the app (the reference twins), so the app can say they
   * are the app's own rather than a member's. Absent when the deployment registered none.
   */
  reference?: { publicKey: `0x${string}`; name: string };
}

export const RUNTIME_CONFIG_PATH = '/twingrain-config.json';

export class RuntimeConfigError extends Error {
  override name = 'RuntimeConfigError';
}

function isAddress(value: unknown): value is `0x${string}` {
  return typeof value === 'string' && /^0x[0-9a-fA-F]{40}$/.test(value);
}

/**
 * Checks pinning services ({ services: [{ endpoint, token? }], replication }); `fail` says what is wrong (by default a
 * RuntimeConfigError naming the field).
 */
export function parsePinningConfig(
  value: unknown,
  fail: (what: string) => never = (what) => {
    throw new RuntimeConfigError(`The pinning services are invalid: ${what}.`);
  },
): PinningConfig {
  const pv = value as Record<string, unknown> | null;
  if (!pv || typeof pv !== 'object' || !Array.isArray(pv.services)) fail('"pinning.services" must be a list of { "endpoint": "https://…" }');
  const services = (pv!.services as unknown[]).map((entry, i) => {
    const e = entry as Record<string, unknown> | null;
    if (!e || typeof e.endpoint !== 'string' || !/^https?:\/\/[^\s]+$/.test(e.endpoint)) fail(`"pinning.services[${i}].endpoint" must be an http(s) URL`);
    if (e!.token !== undefined && typeof e!.token !== 'string') fail(`"pinning.services[${i}].token" must be a string`);
    return { endpoint: e!.endpoint as string, ...(typeof e!.token === 'string' && e!.token !== '' ? { token: e!.token } : {}) };
  });
  const replication = pv!.replication === undefined ? 1 : pv!.replication;
  if (!Number.isInteger(replication) || (replication as number) < 1 || (services.length > 0 && (replication as number) > services.length)) {
    fail(`"pinning.replication" must be a whole number from 1 to the ${services.length} services listed`);
  }
  return { services, replication: replication as number };
}

/** Checks a parsed config document and says exactly which field is wrong. */
export function parseRuntimeConfig(value: unknown): RuntimeConfig {
  const fail = (what: string): never => {
    throw new RuntimeConfigError(`The twingrain configuration is invalid: ${what}. Restart the stack with "npm start" or fix ${RUNTIME_CONFIG_PATH}.`);
  };
  if (typeof value !== 'object' || value === null) fail('it is not a JSON object');
  const v = value as Record<string, unknown>;
  const chain = v.chain as Record<string, unknown> | undefined;
  const relay = v.relay as Record<string, unknown> | undefined;
  if (!chain || typeof chain !== 'object') fail('"chain" is missing');
  if (typeof chain!.rpcUrl !== 'string' || !/^(https?|wss?):\/\//.test(chain!.rpcUrl)) fail('"chain.rpcUrl" must be an http(s) or ws(s) URL');
  if (!Number.isInteger(chain!.chainId) || (chain!.chainId as number) <= 0) fail('"chain.chainId" must be a positive integer');
  const contracts = (chain!.contracts ?? {}) as Record<string, unknown>;
  for (const [name, address] of Object.entries(contracts)) if (!isAddress(address)) fail(`contract "${name}" has no valid address`);
  if (!relay || typeof relay !== 'object') fail('"relay" is missing');
  if (!Array.isArray(relay!.multiaddrs) || relay!.multiaddrs.some((m) => typeof m !== 'string')) fail('"relay.multiaddrs" must be a list of strings');
  const pinning = v.pinning === undefined ? undefined : parsePinningConfig(v.pinning, fail);
  return {
    ...(pinning ? { pinning } : {}),
    chain: {
      rpcUrl: chain!.rpcUrl as string,
      chainId: chain!.chainId as number,
      name: typeof chain!.name === 'string' ? chain!.name : `Chain ${chain!.chainId}`,
      development: chain!.development === true,
      contracts: contracts as Record<string, `0x${string}`>,
      deployBlock: Number.isInteger(chain!.deployBlock) ? (chain!.deployBlock as number) : 0,
    },
    relay: { multiaddrs: relay!.multiaddrs as string[], development: relay!.development === true },
    startedAt: typeof v.startedAt === 'string' ? v.startedAt : new Date(0).toISOString(),
    ...(referenceOf(v.reference) ? { reference: referenceOf(v.reference)! } : {}),
  };
}

function referenceOf(value: unknown): RuntimeConfig['reference'] {
  const r = value as { publicKey?: unknown; name?: unknown } | undefined;
  if (!r || typeof r !== 'object' || typeof r.publicKey !== 'string' || !/^0x[0-9a-f]{64}$/.test(r.publicKey)) return undefined;
  return { publicKey: r.publicKey as `0x${string}`, name: typeof r.name === 'string' ? r.name.slice(0, 64) : 'reference' };
}

/** Loads the configuration the app is served with. */
export async function loadRuntimeConfig(fetchImpl: typeof fetch = fetch): Promise<RuntimeConfig> {
  let response: Response;
  try {
    response = await fetchImpl(RUNTIME_CONFIG_PATH, { cache: 'no-store' });
  } catch {
    throw new RuntimeConfigError(
      'The twingrain configuration could not be fetched (offline?). Chain and network features need the server that serves the app.',
    );
  }
  if (!response.ok)
    throw new RuntimeConfigError(
      `The server did not provide ${RUNTIME_CONFIG_PATH} (HTTP ${response.status}). Start the app with "npm start", or serve that file beside it.`,
    );
  return parseRuntimeConfig(await response.json());
}
