// Authorization requests between peers that are not connected to each other: the relay forwards them (it subscribes
// to the one authorization topic) and keeps them in its mailbox, so an owner who comes online later finds them.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Libp2p } from 'libp2p';
import { peerIdFromString } from '@libp2p/peer-id';
import { freePort } from '../scripts/stack/ports';
import { listenAuthMessages, sendAuthReply, sendAuthRequest, type AuthReplyMessage, type AuthRequestMessage } from '../src/lib/p2p/auth-requests';
import { requestJson } from '../src/lib/p2p/rpc';
import { AUTH_MAILBOX_PROTOCOL } from '../src/lib/p2p/protocols';
import { startRelay, type RunningRelay } from './relay';
import { gossipPeer, meshed as meshedWith } from './testing/gossip-peer';

const OWNER = `0x${'1'.repeat(64)}`;
const USER = `0x${'2'.repeat(64)}`;
const ALPHA = `0x${'0a'.repeat(32)}`;

let relay: RunningRelay;
let dir: string;
const peers: Libp2p[] = [];

const peer = (): Promise<Libp2p> => gossipPeer(relay, peers);
const meshed = (node: Libp2p): Promise<void> => meshedWith(node, relay);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twingrain-mailbox-'));
  relay = await startRelay({ port: await freePort(), dataDir: dir, development: true });
});

afterAll(async () => {
  for (const p of peers) await Promise.resolve(p.stop()).catch(() => undefined);
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('authorization requests through the relay', () => {
  it('reaches an owner that was offline when it was sent (mailbox), and the reply reaches the user live', async () => {
    const user = await peer();
    const userReplies: AuthReplyMessage[] = [];
    listenAuthMessages(user, USER, { onRequest: () => undefined, onReply: (m) => userReplies.push(m) }, [relay.peerId]);
    await meshed(user);
    const sent = await sendAuthRequest(user, { alpha: ALPHA, granuleName: 'look 1.0.0', ownerPk: OWNER, userPk: USER });

    // The owner comes online afterwards and is never connected to the user directly.
    const owner = await peer();
    const requests: Array<{ m: AuthRequestMessage; from: string }> = [];
    listenAuthMessages(owner, OWNER, { onRequest: (m, from) => requests.push({ m, from }), onReply: () => undefined }, [relay.peerId]);
    await expect.poll(() => requests.length, { timeout: 10_000 }).toBe(1);
    expect(requests[0]!.m).toEqual(sent);
    expect(requests[0]!.from).toBe(user.peerId.toString());
    expect(owner.getConnections(user.peerId)).toHaveLength(0);

    await meshed(owner);
    await sendAuthReply(owner, { id: sent.id, alpha: ALPHA, userPk: USER, decision: 'declined', reason: 'not for sale' });
    await expect.poll(() => userReplies.length, { timeout: 10_000 }).toBe(1);
    expect(userReplies[0]).toMatchObject({ id: sent.id, decision: 'declined', reason: 'not for sale' });
  });

  it('keeps messages only for their addressee and refuses a malformed query', async () => {
    const other = await peer();
    const mailbox = await requestJson<{ messages: unknown[] }>(other, peerIdFromString(relay.peerId), AUTH_MAILBOX_PROTOCOL, { pk: `0x${'3'.repeat(64)}` });
    expect(mailbox.messages).toEqual([]);
    await expect(requestJson(other, peerIdFromString(relay.peerId), AUTH_MAILBOX_PROTOCOL, { pk: 'owner' })).rejects.toThrow(/names a public key/);
  });
});
