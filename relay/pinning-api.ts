// The IPFS Pinning Service API (https://ipfs.github.io/pinning-services-api-spec/) on a community node, over the
// same pinning core as the libp2p protocol (src/lib/p2p/pin-protocol.ts): GET/POST /pins, GET/POST/DELETE
// /pins/{requestid}, statuses queued → pinning → pinned | failed, `Authorization: Bearer <token>`.
// Who may use it: Consortium members, with a token their wallet signs for this node (src/lib/p2p/pinning-token.ts).
// What it keeps: a pin whose `meta.alpha` names a registered granule is kept when its CID is the manifest the chain
// records for α or one of that manifest's shards (no quota: the chain vouches for it); any other CID is the member's
// own content, within the member quota of the libp2p protocol (same counters). Deleting a granule's pin removes the
// request only — the node keeps what the chain records; deleting a member's pin gives its quota back.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import { CID } from 'multiformats/cid';
import { Key } from 'interface-datastore';
import type { Address } from 'viem';
import * as v from 'valibot';
import { RelayLimitError, type RelayLimitListener } from '../src/lib/p2p/index';
import type { PinService } from '../src/lib/p2p/index';
import { PinningTokenError, pinningChallengeHeader, verifyPinningToken, type PinningServiceChallenge } from '../src/lib/p2p/index';

export type PinStatusName = 'queued' | 'pinning' | 'pinned' | 'failed';
const STATUSES: readonly PinStatusName[] = ['queued', 'pinning', 'pinned', 'failed'];

export interface Pin {
  cid: string;
  name?: string;
  origins?: string[];
  meta?: Record<string, string>;
}

export interface PinStatus {
  requestid: string;
  status: PinStatusName;
  created: string;
  pin: Pin;
  delegates: string[];
  info?: Record<string, string>;
}

interface PinRecord extends Omit<PinStatus, 'delegates'> {
  account: string;
}

export interface PinningApiOptions {
  helia: Helia & { libp2p: Libp2p };
  service: PinService;
  /** What tokens must be signed for: this node's peer id, the chain and the registry. */
  challenge: PinningServiceChallenge;
  host: string;
  port: number;
  /** Pins worked on at once; the others wait as `queued` (default 2). */
  concurrency?: number;
  /** How long one pin may take (default 120 s), then it is `failed`. */
  timeoutMs?: number;
  /** Pin requests one member may keep on record (default 1,000). */
  maxRequestsPerMember?: number;
  onLimit?: RelayLimitListener;
}

export interface RunningPinningApi {
  /** e.g. http://10.0.0.5:9091 */
  url: string;
  server: Server;
  stop(): Promise<void>;
}

const PREFIX = '/twingrain/pins-api';
const keyOf = (requestid: string): Key => new Key(`${PREFIX}/${requestid}`);
const MAX_BODY = 16 * 1024;
const MAX_ORIGINS = 20;
const MAX_META_KEYS = 20;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    // The app calls this from its own origin; the bearer token, not cookies, is the credential.
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'www-authenticate',
    ...headers,
  });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new ApiError(413, 'BAD_REQUEST', `A pin request is at most ${MAX_BODY} bytes of JSON.`);
    parts.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(parts).toString('utf8'));
  } catch {
    throw new ApiError(400, 'BAD_REQUEST', 'The request body is not JSON: send a Pin object, e.g. {"cid": "bafy…"}.');
  }
}

const META = `"meta" is an object of at most ${MAX_META_KEYS} string values.`;
const MetaSchema = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(64)), v.pipe(v.string(), v.maxLength(1024)), META),
  v.check((m) => Object.keys(m).length <= MAX_META_KEYS, META),
);
const CID_REQUIRED = '"cid" is required: the CID to pin.';
const ALPHA_META = '"meta.alpha" names a registered granule: 0x followed by 64 hex digits.';
/** A Pin object as the spec defines it; each field's problem in its own words. */
const PinSchema = v.object(
  {
    cid: v.pipe(
      v.string(CID_REQUIRED),
      v.check(
        (c) => {
          try {
            CID.parse(c);
            return true;
          } catch {
            return false;
          }
        },
        (issue) => `"cid" ${String(issue.input).slice(0, 80)} is not a CID.`,
      ),
    ),
    name: v.optional(v.pipe(v.string('"name" is a string of at most 255 characters.'), v.maxLength(255, '"name" is a string of at most 255 characters.'))),
    origins: v.optional(
      v.pipe(
        v.array(v.pipe(v.string(), v.maxLength(512)), `"origins" is a list of at most ${MAX_ORIGINS} multiaddrs.`),
        v.maxLength(MAX_ORIGINS, `"origins" is a list of at most ${MAX_ORIGINS} multiaddrs.`),
      ),
    ),
    meta: v.optional(
      v.pipe(
        MetaSchema,
        v.check((m) => m['alpha'] === undefined || /^0x[0-9a-fA-F]{64}$/.test(m['alpha']), ALPHA_META),
      ),
    ),
  },
  (issue) => (issue.received === 'undefined' && issue.expected === '"cid"' ? CID_REQUIRED : 'A pin is a JSON object with at least "cid".'),
);
/** A Pin object as the spec defines it, or a 400 naming the first field that is wrong. */
export function parsePin(value: unknown): Pin {
  const r = v.safeParse(PinSchema, value);
  if (!r.success) {
    const issue = r.issues[0]!;
    // An entry of origins or meta that is wrong gets its list's sentence.
    const key = issue.path?.[0]?.key;
    const message =
      key === 'origins' ? `"origins" is a list of at most ${MAX_ORIGINS} multiaddrs.` : key === 'meta' && issue.message !== ALPHA_META ? META : issue.message;
    throw new ApiError(400, 'BAD_REQUEST', message);
  }
  const { cid, name, origins, meta } = r.output;
  return { cid, ...(name === undefined ? {} : { name }), ...(origins === undefined ? {} : { origins }), ...(meta === undefined ? {} : { meta }) };
}

export async function servePinningApi(o: PinningApiOptions): Promise<RunningPinningApi> {
  const { helia, service } = o;
  const concurrency = o.concurrency ?? 2;
  const timeoutMs = o.timeoutMs ?? 120_000;
  const maxPerMember = o.maxRequestsPerMember ?? 1_000;
  const challenge = pinningChallengeHeader(o.challenge);
  const delegates = (): string[] => helia.libp2p.getMultiaddrs().map((m) => m.toString());
  const memberCache = new Map<string, number>();
  const queue: string[] = [];
  let running = 0;
  let stopped = false;

  const read = async (requestid: string): Promise<PinRecord | undefined> => {
    try {
      return JSON.parse(new TextDecoder().decode(await helia.datastore.get(keyOf(requestid)))) as PinRecord;
    } catch {
      return undefined;
    }
  };
  const write = async (r: PinRecord): Promise<void> => void (await helia.datastore.put(keyOf(r.requestid), new TextEncoder().encode(JSON.stringify(r))));
  const all = async (): Promise<PinRecord[]> => {
    const out: PinRecord[] = [];
    for await (const { value } of helia.datastore.query({ prefix: PREFIX })) out.push(JSON.parse(new TextDecoder().decode(value)) as PinRecord);
    return out;
  };
  const statusOf = (r: PinRecord): PinStatus => ({
    requestid: r.requestid,
    status: r.status,
    created: r.created,
    pin: r.pin,
    delegates: delegates(),
    ...(r.info ? { info: r.info } : {}),
  });

  async function work(requestid: string): Promise<void> {
    const record = await read(requestid);
    if (!record || record.status !== 'queued') return;
    record.status = 'pinning';
    await write(record);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      // Where the requester said the blocks are (its own node, say): dialled first, best effort.
      await Promise.all((record.pin.origins ?? []).map((a) => helia.libp2p.dial(multiaddr(a), { signal: AbortSignal.timeout(10_000) }).catch(() => undefined)));
      const cid = CID.parse(record.pin.cid);
      const alpha = record.pin.meta?.['alpha'];
      if (alpha !== undefined) await service.pinGranulePart(alpha.toLowerCase(), cid, signal);
      else await service.pinMemberContent(record.account as Address, [cid], signal);
      const now = await read(requestid);
      // Deleted while it was being pinned: give a member's root back.
      if (!now) {
        if (alpha === undefined) await service.unpinMemberContent(record.account as Address, cid);
        return;
      }
      await write({ ...now, status: 'pinned' });
    } catch (error) {
      const refused = error instanceof RelayLimitError;
      if (refused) o.onLimit?.({ service: 'pin', code: error.code, peer: record.account, message: error.message, at: Date.now() });
      const now = await read(requestid);
      if (now) await write({ ...now, status: 'failed', info: { code: refused ? error.code : 'PIN_FAILED', reason: (error as Error).message } });
    }
  }

  const pump = (): void => {
    while (!stopped && running < concurrency && queue.length > 0) {
      const id = queue.shift()!;
      running += 1;
      void work(id).finally(() => {
        running -= 1;
        pump();
      });
    }
  };

  // Work a previous run of this node left unfinished is finished now.
  for (const r of await all()) {
    if (r.status === 'queued' || r.status === 'pinning') {
      await write({ ...r, status: 'queued' });
      queue.push(r.requestid);
    }
  }

  async function authenticate(req: IncomingMessage): Promise<string> {
    const header = req.headers.authorization;
    const token = header && /^Bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!token)
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'This pinning service needs a member\'s token: send "Authorization: Bearer <token>" (twingrain pin-token makes one with your identity\'s wallet).',
      );
    let account: string;
    try {
      account = (await verifyPinningToken(token, o.challenge)).account.toLowerCase();
    } catch (error) {
      if (error instanceof PinningTokenError) throw new ApiError(401, 'UNAUTHORIZED', error.message);
      throw error;
    }
    // Membership is read from the chain, at most once a minute per account.
    if ((memberCache.get(account) ?? 0) < Date.now()) {
      if (!(await service.isMember(account as Address)))
        throw new ApiError(401, 'UNAUTHORIZED', `${account} is not a member of this community's Consortium: only members may pin here.`);
      memberCache.set(account, Date.now() + 60_000);
    }
    return account;
  }

  async function create(account: string, pin: Pin): Promise<PinStatus> {
    const mine = (await all()).filter((r) => r.account === account);
    if (mine.length >= maxPerMember)
      throw new ApiError(409, 'PIN_MEMBER_QUOTA', `A member may keep ${maxPerMember} pin requests on this node: delete some first.`);
    const record: PinRecord = { requestid: randomUUID(), account, status: 'queued', created: new Date().toISOString(), pin };
    await write(record);
    queue.push(record.requestid);
    pump();
    return statusOf(record);
  }

  async function remove(record: PinRecord): Promise<void> {
    await helia.datastore.delete(keyOf(record.requestid));
    if (record.pin.meta?.['alpha'] === undefined && record.status === 'pinned') {
      // Another request of the same member for the same CID keeps it.
      const others = (await all()).some((r) => r.account === record.account && r.pin.cid === record.pin.cid && r.pin.meta?.['alpha'] === undefined);
      if (!others) await service.unpinMemberContent(record.account as Address, CID.parse(record.pin.cid));
    }
  }

  async function list(account: string, query: URLSearchParams): Promise<{ count: number; results: PinStatus[] }> {
    const bad = (why: string): never => {
      throw new ApiError(400, 'BAD_REQUEST', why);
    };
    const cids = query.get('cid')?.split(',').filter(Boolean);
    if (cids && cids.length > 10) bad('"cid" lists at most 10 CIDs.');
    const name = query.get('name');
    const match = query.get('match') ?? 'exact';
    if (!['exact', 'iexact', 'partial', 'ipartial'].includes(match)) bad('"match" is one of exact, iexact, partial, ipartial.');
    const statuses = (query.get('status') ?? 'pinned').split(',');
    if (statuses.some((s) => !STATUSES.includes(s as PinStatusName))) bad('"status" lists queued, pinning, pinned or failed.');
    const date = (field: string): number | undefined => {
      const v = query.get(field);
      if (v === null) return undefined;
      const t = Date.parse(v);
      return Number.isNaN(t) ? bad(`"${field}" is a timestamp (ISO 8601).`) : t;
    };
    const before = date('before');
    const after = date('after');
    const limit = Number(query.get('limit') ?? 10);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) bad('"limit" is a whole number from 1 to 1000.');
    let meta: Record<string, string> | undefined;
    if (query.get('meta') !== null) {
      let json: unknown;
      try {
        json = JSON.parse(query.get('meta')!);
      } catch {
        bad('"meta" is a JSON object.');
      }
      const parsed = v.safeParse(MetaSchema, json);
      meta = parsed.success ? parsed.output : bad(META);
    }
    const nameMatches = (n: string | undefined): boolean => {
      if (name === null) return true;
      if (n === undefined) return false;
      if (match === 'exact') return n === name;
      if (match === 'iexact') return n.toLowerCase() === name.toLowerCase();
      if (match === 'partial') return n.includes(name);
      return n.toLowerCase().includes(name.toLowerCase());
    };
    const found = (await all())
      .filter((r) => r.account === account)
      .filter((r) => !cids || cids.includes(r.pin.cid))
      .filter((r) => nameMatches(r.pin.name))
      .filter((r) => statuses.includes(r.status))
      .filter((r) => (before === undefined || Date.parse(r.created) < before) && (after === undefined || Date.parse(r.created) > after))
      .filter((r) => !meta || Object.entries(meta).every(([k, v]) => r.pin.meta?.[k] === v))
      .sort((a, b) => b.created.localeCompare(a.created));
    return { count: found.length, results: found.slice(0, limit).map(statusOf) };
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://node');
    if (req.method === 'OPTIONS') {
      send(res, 204, undefined, {
        'access-control-allow-methods': 'GET, POST, DELETE',
        'access-control-allow-headers': 'authorization, content-type',
        'access-control-max-age': '600',
      });
      return;
    }
    const match = /^\/pins(?:\/([^/]+))?\/?$/.exec(url.pathname);
    if (!match) throw new ApiError(404, 'NOT_FOUND', 'This node serves the IPFS Pinning Service API under /pins.');
    const account = await authenticate(req);
    const requestid = match[1] ? decodeURIComponent(match[1]) : undefined;
    if (!requestid) {
      if (req.method === 'GET') return send(res, 200, await list(account, url.searchParams));
      if (req.method === 'POST') return send(res, 202, await create(account, parsePin(await readBody(req))));
      throw new ApiError(405, 'BAD_REQUEST', '/pins takes GET (list) and POST (add a pin).');
    }
    const record = await read(requestid);
    // Another member's request is not found, not forbidden: its existence is not this caller's business.
    if (!record || record.account !== account) throw new ApiError(404, 'NOT_FOUND', `There is no pin request ${requestid.slice(0, 64)} of yours on this node.`);
    if (req.method === 'GET') return send(res, 200, statusOf(record));
    if (req.method === 'DELETE') {
      await remove(record);
      return send(res, 202);
    }
    if (req.method === 'POST') {
      // Replace: the new pin first, then the old request goes.
      const created = await create(account, parsePin(await readBody(req)));
      await remove(record);
      return send(res, 202, created);
    }
    throw new ApiError(405, 'BAD_REQUEST', '/pins/{requestid} takes GET, POST (replace) and DELETE.');
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.end();
      if (error instanceof ApiError) {
        send(res, error.status, { error: { reason: error.reason, details: error.message } }, error.status === 401 ? { 'www-authenticate': challenge } : {});
      } else {
        send(res, 500, { error: { reason: 'INTERNAL_SERVER_ERROR', details: `The node could not answer: ${(error as Error).message}` } });
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  pump();
  return {
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    server,
    async stop() {
      stopped = true;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
