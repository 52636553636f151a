// Authorization requests (paper §5.2, third phase) over gossipsub: a user publishes a request addressed to the
// owner's public key (the only address the chain gives), the owner's app shows it in its inbox and answers addressed
// to the user's key. One topic carries them all and every relay subscribes to it, so the relays forward them between
// browsers that are not directly connected; each relay also keeps recent messages in a mailbox, so an owner who opens
// the app later still finds the requests made while it was away. Gossipsub signs every message with the sender's
// peer id; the chain, not the message, decides what a request is worth (only the holder of Sk_U can instantiate).
//
// The mailbox is bounded (issue 12): a message and each of its free-text fields have a size cap, each sender and each
// recipient key a quota of kept messages, the whole mailbox a total, and messages expire after a week. Reads are
// paginated, so a recipient with much mail still reads all of it. A sender that names relays posts to them directly
// and hears a refusal (RelayLimitError: a code and a sentence); what arrives only over gossip is held to the same caps.
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Message } from '@libp2p/gossipsub';
import * as v from 'valibot';
import { issuePath } from '../schema/index';
import { P2PFormatError } from './errors';
import { RelayLimitError, refusal, refusalOf, throttledLog, type RelayLimitEvent, type RelayLimitListener } from './limits';
import { AUTH_MAILBOX_PROTOCOL, AUTH_TOPIC } from './protocols';
import { handleJson, requestJson } from './rpc';

export interface AuthRequestMessage {
  type: 'request';
  id: string;
  alpha: string;
  granuleName: string;
  ownerPk: string;
  userPk: string;
  /** The name the requester gives themselves (claimed, not verified: only the key is what the chain knows). */
  userName?: string;
}

export interface AuthReplyMessage {
  type: 'reply';
  id: string;
  alpha: string;
  userPk: string;
  decision: 'approved' | 'declined';
  recordAddress?: string;
  reason?: string;
  /** The name the owner gives themselves (claimed, not verified). */
  ownerName?: string;
}

type AuthMessage = AuthRequestMessage | AuthReplyMessage;

/** Size caps of one message (bytes of its JSON) and of its free-text fields (UTF-8 bytes). */
export interface AuthMessageLimits {
  maxMessageBytes: number;
  maxFieldBytes: { id: number; granuleName: number; reason: number; recordAddress: number; name: number };
}

export const DEFAULT_AUTH_MESSAGE_LIMITS: AuthMessageLimits = {
  maxMessageBytes: 4_096,
  maxFieldBytes: { id: 64, granuleName: 256, reason: 1_024, recordAddress: 256, name: 64 },
};

interface PubSub {
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  publish(topic: string, data: Uint8Array): Promise<unknown>;
  addEventListener(type: 'message', listener: (event: CustomEvent<Message>) => void): void;
  removeEventListener(type: 'message', listener: (event: CustomEvent<Message>) => void): void;
  topicValidators?: Map<string, (peer: unknown, message: Message) => 'accept' | 'reject' | 'ignore'>;
}

const Hex = v.pipe(v.string(), v.regex(/^0x[0-9a-f]{64}$/));
const Text = v.optional(v.string());
/** What every message needs before anything else is looked at. */
const EnvelopeSchema = v.looseObject({ id: v.string(), alpha: Hex, userPk: Hex });
/** The free-text fields, each capped in size (by checkAuthMessage, against the relay's limits). */
const TextFieldsSchema = v.looseObject({ id: v.string(), granuleName: Text, reason: Text, recordAddress: Text, userName: Text, ownerName: Text });
/** A sender posting to a relay's mailbox, or a reader asking for a page (a bad cursor or page size reads from the start, a full page). */
const MailboxPostSchema = v.object({ post: v.string() });
const MailboxQuerySchema = v.object({
  pk: Hex,
  after: v.optional(v.fallback(v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.transform(Number)), 0), '0'),
  limit: v.optional(v.fallback(v.pipe(v.number(), v.integer(), v.minValue(1)), Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER),
});
const AuthMessageSchema = v.variant('type', [
  v.object({ type: v.literal('request'), id: v.string(), alpha: Hex, granuleName: v.string(), ownerPk: Hex, userPk: Hex, userName: Text }),
  v.object({
    type: v.literal('reply'),
    id: v.string(),
    alpha: Hex,
    userPk: Hex,
    decision: v.picklist(['approved', 'declined']),
    recordAddress: Text,
    reason: Text,
    ownerName: Text,
  }),
]);

function pubsubOf(libp2p: Libp2p): PubSub {
  const pubsub = (libp2p.services as { pubsub?: PubSub }).pubsub;
  if (!pubsub) throw new P2PFormatError("This node has no pubsub service: authorization requests need the app's browser node.");
  return pubsub;
}

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/**
 * Checks a message against the caps and returns it with only its known fields (what a relay keeps), or throws a
 * RelayLimitError saying which cap it broke.
 */
export function checkAuthMessage(data: Uint8Array, limits: AuthMessageLimits = DEFAULT_AUTH_MESSAGE_LIMITS): AuthMessage {
  if (data.length > limits.maxMessageBytes) {
    throw new RelayLimitError(
      'MESSAGE_TOO_LARGE',
      `This authorization message is ${data.length} bytes; relays keep messages of at most ${limits.maxMessageBytes} bytes. Shorten the granule name or the reason and send it again.`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch {
    throw new RelayLimitError('MALFORMED_MESSAGE', 'This is not an authorization request or reply (not JSON).');
  }
  if (!v.is(EnvelopeSchema, value)) {
    throw new RelayLimitError(
      'MALFORMED_MESSAGE',
      'This is not an authorization request or reply: it needs an id, an α and a user key (0x + 64 lowercase hex).',
    );
  }
  const texts = v.safeParse(TextFieldsSchema, value);
  if (!texts.success) {
    const field = issuePath(texts.issues[0]);
    throw new RelayLimitError('MALFORMED_MESSAGE', `The field "${field}" of an authorization message must be text.`);
  }
  const caps = { ...DEFAULT_AUTH_MESSAGE_LIMITS.maxFieldBytes, ...limits.maxFieldBytes };
  for (const [field, cap] of [
    ['id', caps.id],
    ['granuleName', caps.granuleName],
    ['reason', caps.reason],
    ['recordAddress', caps.recordAddress],
    ['userName', caps.name],
    ['ownerName', caps.name],
  ] as const) {
    const text = texts.output[field];
    if (text === undefined) continue;
    const size = utf8Length(text);
    if (size > cap) {
      throw new RelayLimitError(
        'FIELD_TOO_LARGE',
        `The field "${field}" of this authorization message is ${size} bytes; relays keep at most ${cap}. Shorten it and send the message again.`,
      );
    }
  }
  // v.object keeps only the fields it names: what a relay keeps and what the app stores.
  const message = v.safeParse(AuthMessageSchema, value);
  if (message.success) return message.output;
  throw new RelayLimitError(
    'MALFORMED_MESSAGE',
    'This is neither an authorization request (with an owner key and a granule name) nor a reply (approved or declined).',
  );
}

function parse(data: Uint8Array): AuthMessage | undefined {
  try {
    return checkAuthMessage(data);
  } catch {
    return undefined; // not ours, or beyond what any relay keeps: ignored
  }
}

const recipientOf = (m: AuthMessage): string => (m.type === 'request' ? m.ownerPk : m.userPk);

type Handlers = { onRequest(m: AuthRequestMessage, fromPeer: string): void; onReply(m: AuthReplyMessage, fromPeer: string): void };

function deliver(parsed: AuthMessage | undefined, from: string, myPk: string, handlers: Handlers): void {
  const me = myPk.toLowerCase();
  if (parsed?.type === 'request' && parsed.ownerPk === me) handlers.onRequest(parsed, from);
  if (parsed?.type === 'reply' && parsed.userPk === me) handlers.onReply(parsed, from);
}

export interface MailboxPage {
  messages: Array<{ from: string; data: string }>;
  /** Present when more messages follow: pass it as `after` to read the next page. */
  next?: string;
}

/** At most this many pages are read from one relay: a relay whose cursor never ends cannot keep a reader busy. */
const MAX_PAGES = 1_000;

/** Every message a relay keeps for `pk`, page by page. */
export async function readMailbox(
  libp2p: Libp2p,
  relay: string,
  pk: string,
  options: { limit?: number; signal?: AbortSignal } = {},
): Promise<Array<{ from: string; data: string }>> {
  const out: Array<{ from: string; data: string }> = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const r = await requestJson<MailboxPage>(
      libp2p,
      peerIdFromString(relay),
      AUTH_MAILBOX_PROTOCOL,
      { pk: pk.toLowerCase(), ...(after ? { after } : {}), ...(options.limit ? { limit: options.limit } : {}) },
      options.signal ? { signal: options.signal } : {},
    );
    out.push(...(r.messages ?? []));
    if (typeof r.next !== 'string' || r.next === after) break;
    after = r.next;
  }
  return out;
}

/**
 * Listens for requests to and replies for this identity, first collecting what the connected relays kept while this
 * app was away (handlers may see a message twice: ids are unique, store them idempotently). Returns a function that
 * stops listening.
 */
export function listenAuthMessages(libp2p: Libp2p, myPk: string, handlers: Handlers, relays: string[] = []): () => void {
  const pubsub = pubsubOf(libp2p);
  const listener = (event: CustomEvent<Message>): void => {
    const msg = event.detail;
    if (msg.topic !== AUTH_TOPIC) return;
    deliver(parse(msg.data), msg.type === 'signed' ? msg.from.toString() : 'unknown', myPk, handlers);
  };
  pubsub.addEventListener('message', listener);
  pubsub.subscribe(AUTH_TOPIC);
  for (const relay of relays) {
    void readMailbox(libp2p, relay, myPk)
      .then((messages) => {
        for (const m of messages) deliver(parse(new TextEncoder().encode(m.data)), m.from, myPk, handlers);
      })
      .catch(() => undefined); // a relay without a mailbox (or gone): live messages still arrive
  }
  return () => {
    pubsub.removeEventListener('message', listener);
  };
}

export interface SendAuthOptions {
  /**
   * Relays (peer ids) to hand the message to directly, so that their mailboxes keep it and a refusal comes back as a
   * RelayLimitError. When every one of them refuses, nothing is sent. Without relays the message goes out over gossip
   * only, and each relay keeps or refuses it silently.
   */
  relays?: string[];
  limits?: AuthMessageLimits;
  signal?: AbortSignal;
}

async function send(libp2p: Libp2p, message: AuthMessage, o: SendAuthOptions): Promise<void> {
  const data = new TextEncoder().encode(JSON.stringify(message));
  checkAuthMessage(data, o.limits); // the sender hears about a cap before anything leaves
  const relays = o.relays ?? [];
  if (relays.length > 0) {
    const refusals: RelayLimitError[] = [];
    let kept = 0;
    await Promise.all(
      relays.map(async (relay) => {
        try {
          const r = await requestJson<unknown>(
            libp2p,
            peerIdFromString(relay),
            AUTH_MAILBOX_PROTOCOL,
            { post: new TextDecoder().decode(data) },
            o.signal ? { signal: o.signal } : {},
          );
          const refused = refusalOf(r, relay);
          if (refused) refusals.push(refused);
          else kept += 1;
        } catch {
          // unreachable, or an older relay: it still sees the gossip copy
        }
      }),
    );
    if (kept === 0 && refusals.length > 0) throw refusals[0]!;
  }
  await pubsubOf(libp2p).publish(AUTH_TOPIC, data);
}

export async function sendAuthRequest(libp2p: Libp2p, m: Omit<AuthRequestMessage, 'type' | 'id'>, options: SendAuthOptions = {}): Promise<AuthRequestMessage> {
  const message: AuthRequestMessage = { type: 'request', id: crypto.randomUUID(), ...m, ownerPk: m.ownerPk.toLowerCase(), userPk: m.userPk.toLowerCase() };
  await send(libp2p, message, options);
  return message;
}

export async function sendAuthReply(libp2p: Libp2p, m: Omit<AuthReplyMessage, 'type'>, options: SendAuthOptions = {}): Promise<void> {
  const message: AuthReplyMessage = { type: 'reply', ...m, userPk: m.userPk.toLowerCase() };
  await send(libp2p, message, options);
}

export interface AuthMailboxOptions extends Partial<AuthMessageLimits> {
  /** Messages kept in all (when full, new messages are refused until old ones expire). */
  maxMessages?: number;
  /** How long a message is kept (ms). */
  maxAgeMs?: number;
  /** Messages kept from one sender (peer id). */
  perSender?: number;
  /** Messages kept for one recipient key. */
  perRecipient?: number;
  /** Messages per page of a mailbox read. */
  pageSize?: number;
  /** Told of every refusal (besides the relay's log). */
  onLimit?: RelayLimitListener;
  /** Where refusals are logged (throttled); console.warn by default. */
  log?: (line: string) => void;
}

export const DEFAULT_AUTH_MAILBOX = { maxMessages: 5_000, maxAgeMs: 7 * 24 * 3_600_000, perSender: 32, perRecipient: 256, pageSize: 50 } as const;

/** A page never grows past this many bytes, whatever the page size, so it always fits one RPC message. */
const MAX_PAGE_BYTES = 1024 * 1024;

interface Kept {
  seq: number;
  at: number;
  to: string;
  from: string;
  id: string;
  data: string;
}

/**
 * The relay's side: subscribes to the authorization topic (which makes it forward requests between browsers), keeps
 * what arrives within the caps, takes direct posts (answering refusals), and answers mailbox reads page by page.
 */
export async function serveAuthMailbox(libp2p: Libp2p, o: AuthMailboxOptions = {}): Promise<{ stop(): Promise<void>; size(): number }> {
  const pubsub = pubsubOf(libp2p);
  const limits: AuthMessageLimits = {
    maxMessageBytes: o.maxMessageBytes ?? DEFAULT_AUTH_MESSAGE_LIMITS.maxMessageBytes,
    maxFieldBytes: { ...DEFAULT_AUTH_MESSAGE_LIMITS.maxFieldBytes, ...o.maxFieldBytes },
  };
  const max = o.maxMessages ?? DEFAULT_AUTH_MAILBOX.maxMessages;
  const maxAge = o.maxAgeMs ?? DEFAULT_AUTH_MAILBOX.maxAgeMs;
  const perSender = o.perSender ?? DEFAULT_AUTH_MAILBOX.perSender;
  const perRecipient = o.perRecipient ?? DEFAULT_AUTH_MAILBOX.perRecipient;
  const pageSize = o.pageSize ?? DEFAULT_AUTH_MAILBOX.pageSize;
  const log = throttledLog(o.log ?? ((line) => console.warn(line)));
  const report = (code: RelayLimitError['code'], peer: string, message: string): void => {
    const event: RelayLimitEvent = { service: 'mailbox', code, peer, message, at: Date.now() };
    log(event);
    o.onLimit?.(event);
  };

  // Oldest first (seq ascending), and per recipient; counts per sender. Expiry walks from the front.
  const all: Kept[] = [];
  const byRecipient = new Map<string, Kept[]>();
  const bySender = new Map<string, number>();
  const seen = new Set<string>();
  let seq = 0;

  const expire = (): void => {
    const cutoff = Date.now() - maxAge;
    while (all.length > 0 && all[0]!.at < cutoff) {
      const old = all.shift()!;
      const box = byRecipient.get(old.to)!;
      box.shift();
      if (box.length === 0) byRecipient.delete(old.to);
      const n = bySender.get(old.from)! - 1;
      if (n === 0) bySender.delete(old.from);
      else bySender.set(old.from, n);
      seen.delete(`${old.from} ${old.id}`);
    }
  };

  /** Keeps a checked message, or throws the quota it would break. A message kept already is not counted twice. */
  const keep = (m: AuthMessage, from: string): void => {
    expire();
    if (seen.has(`${from} ${m.id}`)) return;
    const to = recipientOf(m);
    if ((bySender.get(from) ?? 0) >= perSender) {
      throw new RelayLimitError(
        'SENDER_QUOTA',
        `This relay already keeps ${perSender} authorization messages from you, the most it keeps from one sender; it keeps more as they expire (after ${Math.round(maxAge / 3_600_000)} hours). Recipients online now still receive it live.`,
      );
    }
    if ((byRecipient.get(to)?.length ?? 0) >= perRecipient) {
      throw new RelayLimitError(
        'RECIPIENT_QUOTA',
        `This relay already keeps ${perRecipient} authorization messages for ${to.slice(0, 10)}…, the most it keeps for one key; the recipient receives it only if online now. Try again later.`,
      );
    }
    if (all.length >= max) {
      throw new RelayLimitError(
        'MAILBOX_FULL',
        `This relay's mailbox is full (${max} messages); it keeps new ones as old ones expire. Recipients online now still receive it live.`,
      );
    }
    const entry: Kept = { seq: ++seq, at: Date.now(), to, from, id: m.id, data: JSON.stringify(m) };
    all.push(entry);
    let box = byRecipient.get(to);
    if (!box) byRecipient.set(to, (box = []));
    box.push(entry);
    bySender.set(from, (bySender.get(from) ?? 0) + 1);
    seen.add(`${from} ${m.id}`);
  };

  /** Checks and keeps; a refusal is reported (log and listener) and returned. */
  const accept = (data: Uint8Array, from: string): RelayLimitError | undefined => {
    try {
      keep(checkAuthMessage(data, limits), from);
      return undefined;
    } catch (error) {
      if (!(error instanceof RelayLimitError)) throw error;
      report(error.code, from, error.message);
      return error;
    }
  };

  // Gossip that breaks a size cap or is malformed is neither kept nor forwarded by this relay.
  const validator = (_peer: unknown, msg: Message): 'accept' | 'reject' => {
    try {
      checkAuthMessage(msg.data, limits);
      return 'accept';
    } catch (error) {
      if (error instanceof RelayLimitError) report(error.code, msg.type === 'signed' ? msg.from.toString() : 'unknown', error.message);
      return 'reject';
    }
  };
  pubsub.topicValidators?.set(AUTH_TOPIC, validator);
  const listener = (event: CustomEvent<Message>): void => {
    const msg = event.detail;
    if (msg.topic !== AUTH_TOPIC) return;
    accept(msg.data, msg.type === 'signed' ? msg.from.toString() : 'unknown');
  };
  pubsub.addEventListener('message', listener);
  pubsub.subscribe(AUTH_TOPIC);

  await handleJson(libp2p, AUTH_MAILBOX_PROTOCOL, async (request, remotePeer) => {
    const post = v.safeParse(MailboxPostSchema, request);
    if (post.success) {
      const refused = accept(new TextEncoder().encode(post.output.post), remotePeer);
      return refused ? refusal(refused) : { kept: true };
    }
    const query = v.safeParse(MailboxQuerySchema, request);
    if (!query.success) throw new P2PFormatError('A mailbox query names a public key (0x + 64 hex).');
    const { pk } = query.output;
    const { after } = query.output;
    const limit = Math.min(query.output.limit, pageSize);
    expire();
    const box = byRecipient.get(pk) ?? [];
    const messages: MailboxPage['messages'] = [];
    let bytes = 0;
    let last = after;
    let more = false;
    for (const m of box) {
      if (m.seq <= after) continue;
      if (messages.length >= limit || (messages.length > 0 && bytes + m.data.length > MAX_PAGE_BYTES)) {
        more = true;
        break;
      }
      messages.push({ from: m.from, data: m.data });
      bytes += m.data.length + m.from.length;
      last = m.seq;
    }
    return more ? { messages, next: String(last) } : { messages };
  });
  return {
    size: () => all.length,
    async stop() {
      pubsub.removeEventListener('message', listener);
      if (pubsub.topicValidators?.get(AUTH_TOPIC) === validator) pubsub.topicValidators.delete(AUTH_TOPIC);
      await libp2p.unhandle(AUTH_MAILBOX_PROTOCOL);
    },
  };
}
