// Authorization requests (paper §5.2, third phase) over gossipsub: a user publishes a request addressed to the
// owner's public key (the only address the chain gives), the owner's app shows it in its inbox and answers addressed
// to the user's key. One topic carries them all and every relay subscribes to it, so the relays forward them between
// browsers that are not directly connected; each relay also keeps recent messages in a mailbox, so an owner who opens
// the app later still finds the requests made while it was away. Gossipsub signs every message with the sender's
// peer id; the chain, not the message, decides what a request is worth (only the holder of Sk_U can instantiate).
import type { Libp2p } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Message } from '@libp2p/gossipsub';
import { P2PFormatError } from './errors';
import { AUTH_MAILBOX_PROTOCOL, AUTH_TOPIC } from './protocols';
import { handleJson, requestJson } from './rpc';

export interface AuthRequestMessage {
  type: 'request';
  id: string;
  alpha: string;
  granuleName: string;
  ownerPk: string;
  userPk: string;
}

export interface AuthReplyMessage {
  type: 'reply';
  id: string;
  alpha: string;
  userPk: string;
  decision: 'approved' | 'declined';
  recordAddress?: string;
  reason?: string;
}

interface PubSub {
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  publish(topic: string, data: Uint8Array): Promise<unknown>;
  addEventListener(type: 'message', listener: (event: CustomEvent<Message>) => void): void;
  removeEventListener(type: 'message', listener: (event: CustomEvent<Message>) => void): void;
}

const HEX = /^0x[0-9a-f]{64}$/;

function pubsubOf(libp2p: Libp2p): PubSub {
  const pubsub = (libp2p.services as { pubsub?: PubSub }).pubsub;
  if (!pubsub) throw new P2PFormatError('This node has no pubsub service: authorization requests need the app\'s browser node.');
  return pubsub;
}

function parse(data: Uint8Array): AuthRequestMessage | AuthReplyMessage | undefined {
  try {
    const v = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
    if (typeof v.id !== 'string' || typeof v.alpha !== 'string' || !HEX.test(v.alpha) || typeof v.userPk !== 'string' || !HEX.test(v.userPk)) return undefined;
    if (v.type === 'request' && typeof v.ownerPk === 'string' && HEX.test(v.ownerPk) && typeof v.granuleName === 'string') return v as unknown as AuthRequestMessage;
    if (v.type === 'reply' && (v.decision === 'approved' || v.decision === 'declined')) return v as unknown as AuthReplyMessage;
  } catch {
    // not ours
  }
  return undefined;
}

type AuthMessage = AuthRequestMessage | AuthReplyMessage;
type Handlers = { onRequest(m: AuthRequestMessage, fromPeer: string): void; onReply(m: AuthReplyMessage, fromPeer: string): void };

function deliver(parsed: AuthMessage | undefined, from: string, myPk: string, handlers: Handlers): void {
  const me = myPk.toLowerCase();
  if (parsed?.type === 'request' && parsed.ownerPk === me) handlers.onRequest(parsed, from);
  if (parsed?.type === 'reply' && parsed.userPk === me) handlers.onReply(parsed, from);
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
    void requestJson<{ messages?: Array<{ from: string; data: string }> }>(libp2p, peerIdFromString(relay), AUTH_MAILBOX_PROTOCOL, { pk: myPk.toLowerCase() })
      .then((r) => {
        for (const m of r.messages ?? []) deliver(parse(new TextEncoder().encode(m.data)), m.from, myPk, handlers);
      })
      .catch(() => undefined); // a relay without a mailbox (or gone): live messages still arrive
  }
  return () => {
    pubsub.removeEventListener('message', listener);
  };
}

export async function sendAuthRequest(libp2p: Libp2p, m: Omit<AuthRequestMessage, 'type' | 'id'>): Promise<AuthRequestMessage> {
  const message: AuthRequestMessage = { type: 'request', id: crypto.randomUUID(), ...m, ownerPk: m.ownerPk.toLowerCase(), userPk: m.userPk.toLowerCase() };
  await pubsubOf(libp2p).publish(AUTH_TOPIC, new TextEncoder().encode(JSON.stringify(message)));
  return message;
}

export async function sendAuthReply(libp2p: Libp2p, m: Omit<AuthReplyMessage, 'type'>): Promise<void> {
  const message: AuthReplyMessage = { type: 'reply', ...m, userPk: m.userPk.toLowerCase() };
  await pubsubOf(libp2p).publish(AUTH_TOPIC, new TextEncoder().encode(JSON.stringify(message)));
}

export interface AuthMailboxOptions {
  /** Messages kept (oldest dropped first). */
  maxMessages?: number;
  /** How long a message is kept (ms). */
  maxAgeMs?: number;
}

/**
 * The relay's side: subscribes to the authorization topic (which makes it forward requests between browsers) and
 * answers mailbox queries with the kept messages addressed to a public key.
 */
export async function serveAuthMailbox(libp2p: Libp2p, o: AuthMailboxOptions = {}): Promise<{ stop(): Promise<void> }> {
  const pubsub = pubsubOf(libp2p);
  const max = o.maxMessages ?? 2_000;
  const maxAge = o.maxAgeMs ?? 7 * 24 * 3_600_000;
  const kept: Array<{ at: number; to: string; from: string; data: string }> = [];
  const listener = (event: CustomEvent<Message>): void => {
    const msg = event.detail;
    if (msg.topic !== AUTH_TOPIC) return;
    const parsed = parse(msg.data);
    if (!parsed) return;
    kept.push({ at: Date.now(), to: parsed.type === 'request' ? parsed.ownerPk : parsed.userPk, from: msg.type === 'signed' ? msg.from.toString() : 'unknown', data: new TextDecoder().decode(msg.data) });
    while (kept.length > max || (kept.length > 0 && kept[0]!.at < Date.now() - maxAge)) kept.shift();
  };
  pubsub.addEventListener('message', listener);
  pubsub.subscribe(AUTH_TOPIC);
  await handleJson(libp2p, AUTH_MAILBOX_PROTOCOL, async (request) => {
    const pk = (request as { pk?: unknown }).pk;
    if (typeof pk !== 'string' || !HEX.test(pk)) throw new P2PFormatError('A mailbox query names a public key (0x + 64 hex).');
    return { messages: kept.filter((m) => m.to === pk).map(({ from, data }) => ({ from, data })) };
  });
  return {
    async stop() {
      pubsub.removeEventListener('message', listener);
      await libp2p.unhandle(AUTH_MAILBOX_PROTOCOL);
    },
  };
}
