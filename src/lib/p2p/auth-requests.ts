// Authorization requests (paper §5.2, third phase) over gossipsub, relayed by the community node: a user publishes
// a request on the owner's topic (keyed by the owner's public key, the only address the chain gives), the owner's
// app shows it in its inbox and answers on the user's topic. Gossipsub signs every message with the sender's peer id.
import type { Libp2p } from '@libp2p/interface';
import type { Message } from '@libp2p/gossipsub';
import { P2PFormatError } from './errors';

export const ownerTopic = (ownerPk: string): string => `twingrain/auth-requests/1/${ownerPk.toLowerCase()}`;
export const userTopic = (userPk: string): string => `twingrain/auth-replies/1/${userPk.toLowerCase()}`;

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

/** Listens on the owner's and the user's topics for this identity; returns a function that stops listening. */
export function listenAuthMessages(
  libp2p: Libp2p,
  myPk: string,
  handlers: { onRequest(m: AuthRequestMessage, fromPeer: string): void; onReply(m: AuthReplyMessage, fromPeer: string): void },
): () => void {
  const pubsub = pubsubOf(libp2p);
  const mine = ownerTopic(myPk);
  const replies = userTopic(myPk);
  const listener = (event: CustomEvent<Message>): void => {
    const msg = event.detail;
    if (msg.topic !== mine && msg.topic !== replies) return;
    const parsed = parse(msg.data);
    const from = msg.type === 'signed' ? msg.from.toString() : 'unknown';
    if (parsed?.type === 'request' && msg.topic === mine && parsed.ownerPk === myPk.toLowerCase()) handlers.onRequest(parsed, from);
    if (parsed?.type === 'reply' && msg.topic === replies && parsed.userPk === myPk.toLowerCase()) handlers.onReply(parsed, from);
  };
  pubsub.addEventListener('message', listener);
  pubsub.subscribe(mine);
  pubsub.subscribe(replies);
  return () => {
    pubsub.removeEventListener('message', listener);
    pubsub.unsubscribe(mine);
    pubsub.unsubscribe(replies);
  };
}

export async function sendAuthRequest(libp2p: Libp2p, m: Omit<AuthRequestMessage, 'type' | 'id'>): Promise<AuthRequestMessage> {
  const message: AuthRequestMessage = { type: 'request', id: crypto.randomUUID(), ...m, ownerPk: m.ownerPk.toLowerCase(), userPk: m.userPk.toLowerCase() };
  await pubsubOf(libp2p).publish(ownerTopic(message.ownerPk), new TextEncoder().encode(JSON.stringify(message)));
  return message;
}

export async function sendAuthReply(libp2p: Libp2p, m: Omit<AuthReplyMessage, 'type'>): Promise<void> {
  const message: AuthReplyMessage = { type: 'reply', ...m, userPk: m.userPk.toLowerCase() };
  await pubsubOf(libp2p).publish(userTopic(message.userPk), new TextEncoder().encode(JSON.stringify(message)));
}
