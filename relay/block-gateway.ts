// A pinning community node's blocks over HTTP, as an IPFS Trustless Gateway
// (https://specs.ipfs.tech/http-gateways/trustless-gateway/): raw blocks (`GET /ipfs/{cid}` with
// `Accept: application/vnd.ipld.raw` or `?format=raw`) and whole DAGs as one CAR stream (`?format=car` or
// `Accept: application/vnd.ipld.car`, `dag-scope=all|block`, CARv1 in depth-first order, each block once:
// relay/block-gateway-car.ts). A browser fetches over plain HTTP what it would otherwise pull through the encrypted libp2p
// connection (noise in page JavaScript, yamux, the block protocol), and checks every block against its CID (Helia's
// trustless-gateway block broker does), so the node is trusted for nothing but availability.
// What it serves: only blocks this node keeps pinned and holds on disk — the shards and manifests it pins for the
// chain's granules and members' content, the same blocks bitswap already gives any peer (granule shards are
// ciphertext). It never fetches from the network for a request, and never serves a block a refused or unfinished pin
// request brought in; a CAR only for a pinned root whose every block is held here. Bounded: one CID per request and no
// paths, blocks up to MAX_BLOCK_BYTES, requests in progress per client and in all, blocks per client per window (a CAR
// counts every block it holds, so a client gets as many blocks either way), a CAR's blocks and bytes, short header and
// request timeouts, and a CAR whose reader stops reading is cut.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Helia } from '@helia/interface';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import * as raw from 'multiformats/codecs/raw';
import * as dagPb from '@ipld/dag-pb';
import { throttledLog, type RelayLimitCode, type RelayLimitListener } from '../src/lib/p2p/index';
import { CAR, CAR_CONTENT_TYPE, CarRefusal, DEFAULT_CAR_CAPS, carOrder, writeCar, type CarCaps, type DagScope } from './block-gateway-car';

/** Bitswap peers refuse blocks over 2 MiB; nothing this node pins has larger ones. */
const MAX_BLOCK_BYTES = 2 * 1024 * 1024;
const RAW = 'application/vnd.ipld.raw';

export interface BlockGatewayLimits extends CarCaps {
  /** Requests one client (IP address) may have in progress at once (default 16; a browser opens 6 per origin). */
  perClientInFlight: number;
  /** Requests in progress from everyone at once (default 128). */
  inFlight: number;
  /**
   * Blocks one client may ask for per window, one per raw-block request and every block of a CAR (default 4,096 per
   * 10 s: a 64 MiB granule is about 260 blocks).
   */
  perClientRequests: number;
  windowMs: number;
  /** A CAR response that sends nothing for this long (its reader stopped reading) is cut (default 30 s). */
  carIdleMs: number;
}

export const DEFAULT_BLOCK_GATEWAY_LIMITS: BlockGatewayLimits = {
  perClientInFlight: 16,
  inFlight: 128,
  perClientRequests: 4096,
  windowMs: 10_000,
  carIdleMs: 30_000,
  ...DEFAULT_CAR_CAPS,
};

export interface ServeBlockGatewayOptions {
  /** The node's pins and blockstore: a block is served only when it is pinned here and stored here. */
  helia: Pick<Helia, 'pins' | 'blockstore'>;
  host: string;
  /** 0: any free port. */
  port: number;
  limits?: Partial<BlockGatewayLimits>;
  /** Told of every request refused by a limit (an operator's metrics, tests). */
  onLimit?: RelayLimitListener;
  /** Where refusals are logged, throttled (console.warn by default). */
  log?: (line: string) => void;
}

export interface RunningBlockGateway {
  /** The gateway's base URL, e.g. http://127.0.0.1:9092 (blocks at `${url}/ipfs/{cid}`). */
  url: string;
  stop(): Promise<void>;
}

class GatewayError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

// The app is served from another origin than the node; no credentials are involved, so any origin may read blocks
// (as any libp2p peer may through bitswap).
const CORS = { 'access-control-allow-origin': '*' };

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...CORS, 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
  res.end(`${text}\n`);
}

type Wanted = { format: 'raw' } | { format: 'car'; scope: DagScope };

/** One media range of an Accept header: its type, parameters and weight. */
function mediaRanges(accept: string): Array<{ type: string; params: Map<string, string>; q: number }> {
  return accept
    .split(',')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((x) => x.trim());
      const params = new Map(rest.map((p) => p.split('=').map((x) => x.trim().toLowerCase()) as [string, string]));
      const q = params.has('q') ? Number(params.get('q')) : 1;
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q);
}

/** The CAR variants this node sends: version 1, depth-first (or any order asked), each block once. */
function carVariantOk(get: (name: string) => string | null | undefined): boolean {
  const version = get('version');
  const order = get('order');
  const dups = get('dups');
  return (version == null || version === '1') && (order == null || order === 'dfs' || order === 'unk') && (dups == null || dups === 'n');
}

/**
 * What the request asks for: the `format` parameter first, else the Accept header's first acceptable type; a raw
 * block or a CAR. Anything else is refused (406), as are CAR variants this node does not send.
 */
function wanted(req: IncomingMessage, url: URL): Wanted {
  const format = url.searchParams.get('format');
  let car: boolean;
  if (format !== null) {
    if (format === 'raw') return { format: 'raw' };
    if (format !== 'car') throw notAcceptable();
    car = true;
    const fromQuery = (name: string): string | null => url.searchParams.get(`car-${name}`);
    if (!carVariantOk(fromQuery))
      throw new GatewayError(400, 'This node sends CARs of version 1, in depth-first order, each block once (car-version=1, car-order=dfs, car-dups=n).');
  } else {
    const choice = mediaRanges(req.headers.accept ?? '').find((r) => r.type === RAW || (r.type === CAR && carVariantOk((name) => r.params.get(name))));
    if (!choice) throw notAcceptable();
    car = choice.type === CAR;
  }
  if (!car) return { format: 'raw' };
  if (url.searchParams.has('entity-bytes'))
    throw new GatewayError(400, 'This node serves whole DAGs or single blocks: dag-scope=all or dag-scope=block, without entity-bytes.');
  const scope = url.searchParams.get('dag-scope') ?? 'all';
  if (scope !== 'all' && scope !== 'block')
    throw new GatewayError(400, 'This node serves whole DAGs or single blocks: dag-scope=all or dag-scope=block, without entity-bytes.');
  return { format: 'car', scope };
}

function notAcceptable(): GatewayError {
  return new GatewayError(
    406,
    'This node serves raw blocks and CARs only: send "Accept: application/vnd.ipld.raw" (or ?format=raw) or "Accept: application/vnd.ipld.car" (or ?format=car).',
    { vary: 'Accept' },
  );
}

function parseBlockCid(path: string): CID {
  const m = /^\/ipfs\/([A-Za-z0-9]{1,128})\/?$/.exec(path);
  if (!m)
    throw new GatewayError(
      path.startsWith('/ipfs/') ? 400 : 404,
      'This node serves blocks and DAGs by CID only: GET /ipfs/{cid} with "Accept: application/vnd.ipld.raw" or "Accept: application/vnd.ipld.car" (no paths).',
    );
  let cid: CID;
  try {
    cid = CID.parse(m[1]!);
  } catch {
    throw new GatewayError(400, `${m[1]!.slice(0, 80)} is not a CID.`);
  }
  // What this node pins: raw and dag-pb blocks named by SHA-256.
  if (cid.multihash.code !== sha256.code || (cid.code !== raw.code && cid.code !== dagPb.code))
    throw new GatewayError(404, `This node holds only raw and dag-pb blocks named by SHA-256; ${cid.toString()} is not one.`);
  return cid;
}

export async function serveBlockGateway(o: ServeBlockGatewayOptions): Promise<RunningBlockGateway> {
  const limits = { ...DEFAULT_BLOCK_GATEWAY_LIMITS, ...o.limits };
  const inFlightOf = new Map<string, number>();
  const windowOf = new Map<string, { start: number; count: number }>();
  let inFlight = 0;

  const log = throttledLog(o.log ?? ((line) => console.warn(line)));
  const refuse = (code: RelayLimitCode, client: string, status: number, message: string): GatewayError => {
    const event = { service: 'gateway' as const, code, peer: client, message, at: Date.now() };
    log(event);
    o.onLimit?.(event);
    return new GatewayError(status, message, { 'retry-after': '1' });
  };

  /** Counts the request against its client's limits, or refuses it; returns the release. */
  const admit = (client: string): (() => void) => {
    const now = Date.now();
    const window = windowOf.get(client);
    if (!window || now - window.start >= limits.windowMs) windowOf.set(client, { start: now, count: 1 });
    else if (++window.count > limits.perClientRequests)
      throw refuse(
        'GATEWAY_RATE',
        client,
        429,
        `Too many block requests from this address: at most ${limits.perClientRequests} per ${limits.windowMs / 1000} s.`,
      );
    if ((inFlightOf.get(client) ?? 0) >= limits.perClientInFlight)
      throw refuse('GATEWAY_CLIENT_BUSY', client, 429, `At most ${limits.perClientInFlight} block requests from one address at once: wait for some to finish.`);
    if (inFlight >= limits.inFlight) throw refuse('GATEWAY_BUSY', client, 503, 'This node is serving as many block requests as it can: try again shortly.');
    inFlight++;
    inFlightOf.set(client, (inFlightOf.get(client) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      inFlight--;
      const left = (inFlightOf.get(client) ?? 1) - 1;
      if (left > 0) inFlightOf.set(client, left);
      else inFlightOf.delete(client);
    };
  };
  /** A CAR's blocks after its first (counted by admit) against its client's window, or a refusal. */
  const charge = (client: string, blocks: number): void => {
    const window = windowOf.get(client);
    if (!window || blocks <= 0) return;
    window.count += blocks;
    if (window.count > limits.perClientRequests)
      throw refuse(
        'GATEWAY_RATE',
        client,
        429,
        `Too many block requests from this address: at most ${limits.perClientRequests} blocks per ${limits.windowMs / 1000} s (this CAR holds ${blocks + 1}).`,
      );
  };
  // Old windows are forgotten, so the map holds only recent clients.
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [client, w] of windowOf) if (now - w.start >= limits.windowMs) windowOf.delete(client);
  }, limits.windowMs);
  sweep.unref();

  /** The DAG under a pinned `cid` as one CAR, when every block of it is held here. */
  async function serveCar(req: IncomingMessage, res: ServerResponse, url: URL, cid: CID, scope: DagScope, client: string): Promise<void> {
    let order: CID[];
    try {
      order = await carOrder(o.helia, cid, scope, limits, MAX_BLOCK_BYTES);
    } catch (error) {
      if (error instanceof CarRefusal) throw new GatewayError(error.status, error.message);
      throw error;
    }
    charge(client, order.length - 1);
    res.writeHead(200, {
      ...CORS,
      'content-type': CAR_CONTENT_TYPE,
      'content-disposition': `attachment; filename="${cid.toString()}.car"`,
      'cache-control': 'public, max-age=29030400, immutable',
      // Unique per variant: scope, order and duplicates.
      etag: `"${cid.toString()}.car.v1.dfs.n.${scope}"`,
      ...(url.searchParams.has('format') ? {} : { 'content-location': `/ipfs/${cid.toString()}?format=car&dag-scope=${scope}` }),
      vary: 'Accept',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    // A reader that stops reading does not hold its place (and the node's file handles) for ever.
    res.setTimeout(limits.carIdleMs, () => res.destroy());
    await writeCar(o.helia, cid, order, res, limits, MAX_BLOCK_BYTES);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://node');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...CORS, 'access-control-allow-methods': 'GET, HEAD', 'access-control-allow-headers': 'accept', 'access-control-max-age': '600' });
      res.end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new GatewayError(405, 'This node serves blocks with GET and HEAD only.', { allow: 'GET, HEAD' });
    const cid = parseBlockCid(url.pathname);
    const want = wanted(req, url);
    const client = req.socket.remoteAddress ?? 'unknown';
    // Counted until the response is sent or the connection drops: a slow reader keeps its place in the limits.
    res.once('close', admit(client));
    // Pinned and stored here: never a block in the middle of a pin request that may yet be refused, and never
    // anything fetched from the network on a caller's behalf (offline).
    const held = (await o.helia.pins.isPinned(cid)) && (await o.helia.blockstore.has(cid));
    if (!held) throw new GatewayError(404, `This node does not keep ${cid.toString()}.`);
    if (want.format === 'car') return serveCar(req, res, url, cid, want.scope, client);
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const part of o.helia.blockstore.get(cid, { offline: true })) {
      size += part.length;
      if (size > MAX_BLOCK_BYTES) throw new GatewayError(404, `${cid.toString()} is larger than this node serves.`);
      parts.push(part);
    }
    res.writeHead(200, {
      ...CORS,
      'content-type': RAW,
      'content-length': String(size),
      'content-disposition': `attachment; filename="${cid.toString()}.bin"`,
      // A block never changes: its name is its hash.
      'cache-control': 'public, max-age=29030400, immutable',
      etag: `"${cid.toString()}.raw"`,
      vary: 'Accept',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') return void res.end();
    for (const part of parts) res.write(part);
    res.end();
  }

  const server = createServer({ maxHeaderSize: 8 * 1024, headersTimeout: 10_000, requestTimeout: 30_000 }, (req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (error instanceof GatewayError) sendText(res, error.status, error.message, error.headers);
      else sendText(res, 500, `The node could not answer: ${(error as Error).message}`);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    async stop() {
      clearInterval(sweep);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
