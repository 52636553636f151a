// Where the app learns which chain and relay to use. The embedded stack (or an operator) serves
// /twingrain-config.json next to the app; nothing about a deployment is baked into the bundle.
import * as v from 'valibot';
import { issuePath } from '../schema/index';
import { namedError } from '../errors/index';

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

interface RelayConfig {
  /** Multiaddrs the app dials, e.g. /ip4/127.0.0.1/tcp/9090/ws/p2p/12D3... */
  multiaddrs: string[];
  /** True when the relay listens on plain ws:// on loopback (development only). */
  development: boolean;
  /**
   * Community nodes' block gateways (IPFS Trustless Gateways, served by `twingrain relay --pin`): base URLs the app
   * fetches granule blocks from over HTTP, each checked against its ID. Absent: blocks come over libp2p only.
   */
  gateways?: string[];
}

/** IPFS Pinning Service API endpoints the app and the CLI pin granules through, and how many must hold each one. */
export interface PinningConfig {
  /** `endpoint` is the API's base URL (requests go to `${endpoint}/pins`); `token` one the service issued, if any. */
  services: Array<{ endpoint: string; token?: string }>;
  replication: number;
}

/** Where a new member's light node starts from instead of the community's whole history. */
interface TreesConfig {
  /**
   * A community node's tree snapshot (GET …/trees/snapshot, served by `twingrain relay`). Trusted for nothing: it is
   * refused unless it leads to the registry's roots, and an unreachable node only makes the first sync slower.
   */
  snapshot: string;
}

export interface RuntimeConfig {
  chain: ChainConfig;
  relay: RelayConfig;
  /** Absent: granules are pinned by the relays over the peer-to-peer network. */
  pinning?: PinningConfig;
  /** Absent: a new member's light node reads every tree event since the deployment. */
  trees?: TreesConfig;
  /** When the stack wrote this file (ISO 8601). */
  startedAt: string;
  /**
   * The identity that registered the granules bundled with the app (the reference twins), so the app can say they
   * are the app's own rather than a member's. Absent when the deployment registered none.
   */
  reference?: { publicKey: `0x${string}`; name: string };
}

export const RUNTIME_CONFIG_PATH = '/twingrain-config.json';

export class RuntimeConfigError extends namedError('RuntimeConfigError', Error) {}

const PinningSchema = v.object(
  {
    services: v.array(
      v.object(
        {
          endpoint: v.pipe(v.string('must be an http(s) URL'), v.regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL')),
          token: v.optional(v.string('must be a string')),
        },
        'must be an http(s) URL',
      ),
      '"pinning.services" must be a list of { "endpoint": "https://…" }',
    ),
    replication: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1)), 1),
  },
  '"pinning.services" must be a list of { "endpoint": "https://…" }',
);

/** A message for the first problem: a field named in quotes, as the user finds it in the file. */
function firstProblem(issues: readonly v.BaseIssue<unknown>[], prefix: string): string {
  const issue = issues[0]!;
  if (issue.message.startsWith('"')) return issue.message;
  // An issue under services[i]: the entry's field (endpoint when the entry itself is wrong).
  const at = issuePath(issue);
  const field = /\.(endpoint|token)$/.test(at) ? at : `${at}.endpoint`;
  return `"${prefix}${field}" ${issue.message}`;
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
  const parsed = v.safeParse(PinningSchema, value);
  if (!parsed.success) {
    if (parsed.issues[0]!.path?.[0]?.key === 'replication')
      fail(replicationProblem(Array.isArray((value as { services?: unknown }).services) ? (value as { services: unknown[] }).services.length : 0));
    return fail(firstProblem(parsed.issues, 'pinning.'));
  }
  const { services, replication } = parsed.output;
  if (services.length > 0 && replication > services.length) fail(replicationProblem(services.length));
  return { services: services.map((s) => ({ endpoint: s.endpoint, ...(s.token ? { token: s.token } : {}) })), replication };
}

const replicationProblem = (services: number) => `"pinning.replication" must be a whole number from 1 to the ${services} services listed`;

/** An object's own message: `whole` when it is not an object; for a missing key, that field's message. */
const objectMessage =
  (whole: string, missing: Record<string, string>) =>
  (issue: v.BaseIssue<unknown>): string => {
    const key = issue.expected?.startsWith('"') ? JSON.parse(issue.expected) : undefined;
    return key === undefined ? whole : (missing[key] ?? `"${key}" is missing`);
  };
const RPC_URL = '"chain.rpcUrl" must be an http(s) or ws(s) URL';
const CHAIN_ID = '"chain.chainId" must be a positive integer';
const MULTIADDRS = '"relay.multiaddrs" must be a list of strings';
const TREES_SNAPSHOT = '"trees.snapshot" must be the http(s) address of a community node\'s tree snapshot';
const MAX_GATEWAYS = 8;
const GATEWAYS = `"relay.gateways" must be a list of at most ${MAX_GATEWAYS} http(s) addresses of community nodes' block gateways, without user names or passwords`;

/** An http(s) URL without credentials, of a sane length: anything else (javascript:, file:, data:) is refused. */
function isHttpUrl(value: string): boolean {
  if (value.length > 2048 || !/^https?:\/\/[^\s]+$/.test(value)) return false;
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === '';
  } catch {
    return false;
  }
}
/**
 * A community node to start from, as a person types it (Settings): the node's address, or its tree snapshot's
 * address. Returns the snapshot's address, checked as the runtime config checks `trees.snapshot` (http(s), no user
 * name or password); a bare node address gets the path the node serves its snapshot at.
 */
export function parseSnapshotSource(text: string): string {
  const trimmed = text.trim();
  if (!isHttpUrl(trimmed))
    throw new RuntimeConfigError(
      'That is not the address of a community node: enter it as it starts with https:// (or http:// on your own network), without a user name or password.',
    );
  const url = new URL(trimmed);
  if (url.pathname === '/' && url.search === '' && url.hash === '') url.pathname = '/trees/snapshot';
  return url.href;
}

const TreesSchema = v.object(
  { snapshot: v.pipe(v.string(TREES_SNAPSHOT), v.check(isHttpUrl, TREES_SNAPSHOT)) },
  objectMessage('"trees" must be an object like { "snapshot": "https://…/trees/snapshot" }', { snapshot: TREES_SNAPSHOT }),
);

const Address = v.pipe(v.string(), v.regex(/^0x[0-9a-fA-F]{40}$/));
const RuntimeConfigSchema = v.object(
  {
    chain: v.object(
      {
        rpcUrl: v.pipe(v.string(RPC_URL), v.regex(/^(https?|wss?):\/\//, RPC_URL)),
        chainId: v.pipe(v.number(CHAIN_ID), v.integer(CHAIN_ID), v.minValue(1, CHAIN_ID)),
        // Optional with a fallback: files written by earlier stacks lack them.
        name: v.optional(v.unknown()),
        development: v.optional(v.unknown()),
        contracts: v.optional(
          v.record(v.string(), Address, (issue) => `contract "${String(issue.path?.[0]?.key ?? '')}" has no valid address`),
          {},
        ),
        deployBlock: v.optional(v.unknown()),
      },
      objectMessage('"chain" is missing', { rpcUrl: RPC_URL, chainId: CHAIN_ID }),
    ),
    relay: v.object(
      {
        multiaddrs: v.array(v.string(MULTIADDRS), MULTIADDRS),
        development: v.optional(v.unknown()),
        gateways: v.optional(v.pipe(v.array(v.pipe(v.string(GATEWAYS), v.check(isHttpUrl, GATEWAYS)), GATEWAYS), v.maxLength(MAX_GATEWAYS, GATEWAYS))),
      },
      objectMessage('"relay" is missing', { multiaddrs: MULTIADDRS }),
    ),
    pinning: v.optional(v.unknown()),
    trees: v.optional(TreesSchema),
    startedAt: v.optional(v.unknown()),
    reference: v.optional(v.unknown()),
  },
  objectMessage('it is not a JSON object', {}),
);
const ReferenceSchema = v.object({ publicKey: v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/)), name: v.optional(v.unknown()) });

/** Checks a parsed config document and says exactly which field is wrong. */
export function parseRuntimeConfig(value: unknown): RuntimeConfig {
  const fail = (what: string): never => {
    throw new RuntimeConfigError(`The twingrain configuration is invalid: ${what}. Restart the stack with "npm start" or fix ${RUNTIME_CONFIG_PATH}.`);
  };
  const parsed = v.safeParse(RuntimeConfigSchema, value);
  if (!parsed.success) {
    const issue = parsed.issues[0]!;
    // A bad contract address is reported on its record entry: name the contract.
    const contract = issue.path?.[0]?.key === 'chain' && issue.path?.[1]?.key === 'contracts' ? issue.path?.[2]?.key : undefined;
    return fail(contract !== undefined ? `contract "${String(contract)}" has no valid address` : issue.message);
  }
  const { chain, relay, ...rest } = parsed.output;
  const pinning = rest.pinning === undefined ? undefined : parsePinningConfig(rest.pinning, fail);
  const reference = v.safeParse(ReferenceSchema, rest.reference);
  return {
    ...(pinning ? { pinning } : {}),
    ...(rest.trees ? { trees: { snapshot: rest.trees.snapshot } } : {}),
    chain: {
      rpcUrl: chain.rpcUrl,
      chainId: chain.chainId,
      name: typeof chain.name === 'string' ? chain.name : `Chain ${chain.chainId}`,
      development: chain.development === true,
      contracts: chain.contracts as Record<string, `0x${string}`>,
      deployBlock: Number.isInteger(chain.deployBlock) ? (chain.deployBlock as number) : 0,
    },
    relay: { multiaddrs: relay.multiaddrs, development: relay.development === true, ...(relay.gateways ? { gateways: relay.gateways } : {}) },
    startedAt: typeof rest.startedAt === 'string' ? rest.startedAt : new Date(0).toISOString(),
    ...(reference.success
      ? {
          reference: {
            publicKey: reference.output.publicKey as `0x${string}`,
            name: typeof reference.output.name === 'string' ? reference.output.name.slice(0, 64) : 'reference',
          },
        }
      : {}),
  };
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
