// Attacks on the relay's authorization-request mailbox, against a real relay (relay/relay.ts on a free port) and real
// libp2p peers publishing on the real gossipsub topic: a flood from one sender to many recipients, from many senders
// to one recipient, oversized messages and an oversized field. The caps hold, each refusal is reported (to the
// sender with a code and a sentence, on the relay as an event), the honest message is kept, and every mailbox stays
// readable page by page.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLibp2p, type Libp2p } from 'libp2p';
import { webSockets } from '@libp2p/websockets';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { gossipsub } from '@libp2p/gossipsub';
import { multiaddr } from '@multiformats/multiaddr';
import { peerIdFromString } from '@libp2p/peer-id';
import { freePort } from '../scripts/stack/ports';
import { readMailbox, sendAuthRequest, type MailboxPage } from '../src/lib/p2p/auth-requests';
import { RelayLimitError, type RelayLimitEvent } from '../src/lib/p2p/limits';
import { requestJson } from '../src/lib/p2p/rpc';
import { AUTH_MAILBOX_PROTOCOL, AUTH_TOPIC } from '../src/lib/p2p/protocols';
import { startRelay, type RunningRelay } from './relay';
import { gossipPeer, meshed } from './testing/gossip-peer';

const CAPS = { perSender: 4, perRecipient: 6, pageSize: 2, maxMessages: 200 };
const ALPHA = `0x${'0a'.repeat(32)}`;
const key = (): string => `0x${randomBytes(32).toString('hex')}`;

let relay: RunningRelay;
let dir: string;
let reader: Libp2p;
const peers: Libp2p[] = [];
const events: RelayLimitEvent[] = [];
const eventsFrom = (peer: Libp2p, code: string): number => events.filter((e) => e.peer === peer.peerId.toString() && e.code === code).length;

async function peer(): Promise<Libp2p> {
  const node = await gossipPeer(relay, peers);
  (node.services.pubsub as { subscribe(t: string): void }).subscribe(AUTH_TOPIC);
  await meshed(node, relay);
  return node;
}

/** What an attacker does: publish straight on the topic, past every check of the app's own client. */
async function gossip(node: Libp2p, message: object): Promise<void> {
  await (node.services.pubsub as { publish(t: string, d: Uint8Array): Promise<unknown> }).publish(
    AUTH_TOPIC,
    new TextEncoder().encode(JSON.stringify(message)),
  );
}
const request = (ownerPk: string, extra: object = {}): object => ({
  type: 'request',
  id: crypto.randomUUID(),
  alpha: ALPHA,
  granuleName: 'look 1.0.0',
  ownerPk,
  userPk: key(),
  ...extra,
});

const mailbox = (pk: string) => readMailbox(reader, relay.peerId, pk);
const ids = async (pk: string): Promise<string[]> => (await mailbox(pk)).map((m) => (JSON.parse(m.data) as { id: string }).id);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twingrain-mailbox-caps-'));
  relay = await startRelay({ port: await freePort(), dataDir: dir, development: true, mailbox: CAPS, onLimit: (e) => events.push(e), log: () => undefined });
  reader = await peer();
}, 30_000);

afterAll(async () => {
  for (const p of peers) await Promise.resolve(p.stop()).catch(() => undefined);
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('the authorization-request mailbox is bounded', () => {
  it("attack: one sender addresses many recipients — the relay keeps its quota of them and says so; another sender's request still gets through", async () => {
    const attacker = await peer();
    const victims = Array.from({ length: 12 }, key);
    for (const v of victims) await gossip(attacker, request(v));
    const kept = async (): Promise<number> => (await Promise.all(victims.map((v) => mailbox(v)))).reduce((n, box) => n + box.length, 0);
    // Every flood message is either kept or refused (on a relay without quotas: all kept).
    await expect.poll(async () => (await kept()) + eventsFrom(attacker, 'SENDER_QUOTA'), { timeout: 20_000 }).toBe(victims.length);
    expect(await kept()).toBe(CAPS.perSender);
    expect(eventsFrom(attacker, 'SENDER_QUOTA')).toBe(victims.length - CAPS.perSender);

    // Posting directly, the attacker hears the refusal: a code and a sentence.
    const refused = await sendAuthRequest(attacker, { alpha: ALPHA, granuleName: 'x', ownerPk: key(), userPk: key() }, { relays: [relay.peerId] }).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(RelayLimitError);
    expect((refused as RelayLimitError).code).toBe('SENDER_QUOTA');
    expect((refused as RelayLimitError).message).toMatch(/already keeps 4 authorization messages from you/);

    const honest = await peer();
    const owner = key();
    const sent = await sendAuthRequest(honest, { alpha: ALPHA, granuleName: 'look 1.0.0', ownerPk: owner, userPk: key() }, { relays: [relay.peerId] });
    expect(await ids(owner)).toEqual([sent.id]);
  }, 60_000);

  it('attack: many senders flood one recipient — its quota holds, the honest request is kept, and the mailbox reads page by page', async () => {
    const owner = key();
    const honest = await peer();
    const sent = await sendAuthRequest(honest, { alpha: ALPHA, granuleName: 'look 1.0.0', ownerPk: owner, userPk: key() }, { relays: [relay.peerId] });
    const attackers = [await peer(), await peer(), await peer()];
    for (const a of attackers) for (let i = 0; i < CAPS.perSender; i++) await gossip(a, request(owner));
    const flood = attackers.length * CAPS.perSender;
    const refusedFlood = (): number => attackers.reduce((n, a) => n + eventsFrom(a, 'RECIPIENT_QUOTA'), 0);
    await expect.poll(async () => (await mailbox(owner)).length - 1 + refusedFlood(), { timeout: 20_000 }).toBe(flood);
    expect((await mailbox(owner)).length).toBe(CAPS.perRecipient);
    expect(refusedFlood()).toBe(flood - (CAPS.perRecipient - 1));
    expect(await ids(owner)).toContain(sent.id);

    // Page by page: no page holds more than the page size, and the pages together hold every kept message.
    const pages: MailboxPage[] = [];
    let after: string | undefined;
    do {
      const page: MailboxPage = await requestJson<MailboxPage>(reader, peerIdFromString(relay.peerId), AUTH_MAILBOX_PROTOCOL, {
        pk: owner,
        ...(after ? { after } : {}),
      });
      pages.push(page);
      after = page.next;
    } while (after && pages.length < 20);
    expect(pages.map((p) => p.messages.length)).toEqual([2, 2, 2]);
    expect(pages.flatMap((p) => p.messages.map((m) => (JSON.parse(m.data) as { id: string }).id)).sort()).toEqual((await ids(owner)).sort());

    // A sender arriving now hears why the relay does not keep its request.
    const late = await sendAuthRequest(
      await peer(),
      { alpha: ALPHA, granuleName: 'look 1.0.0', ownerPk: owner, userPk: key() },
      { relays: [relay.peerId] },
    ).catch((e: unknown) => e);
    expect((late as RelayLimitError).code).toBe('RECIPIENT_QUOTA');
    expect((late as Error).message).toMatch(/keeps 6 authorization messages for 0x/);
  }, 60_000);

  it('attack: messages of megabytes to one key cannot make its mailbox unreadable; they are refused with a code', async () => {
    const owner = key();
    const marker = key();
    const attacker = await peer();
    // Three messages of 3 MB: together more than one 8 MB answer can carry.
    for (let i = 0; i < 3; i++) await gossip(attacker, request(owner, { granuleName: 'x'.repeat(3_000_000) }));
    await gossip(attacker, request(marker)); // arrives after them: once it is kept, they were dealt with
    await expect.poll(async () => (await mailbox(marker)).length, { timeout: 30_000 }).toBe(1);
    // Large messages take longer to check than the marker: wait until all three were refused, or (on a relay that
    // keeps them) until the mailbox no longer answers.
    await expect
      .poll(
        async () =>
          eventsFrom(attacker, 'MESSAGE_TOO_LARGE') === 3 ||
          (await mailbox(owner).then(
            () => false,
            () => true,
          )),
        { timeout: 30_000 },
      )
      .toBe(true);
    const honest = await peer();
    const sent = await sendAuthRequest(honest, { alpha: ALPHA, granuleName: 'look 1.0.0', ownerPk: owner, userPk: key() }, { relays: [relay.peerId] });
    expect(await ids(owner)).toEqual([sent.id]);
    expect(eventsFrom(attacker, 'MESSAGE_TOO_LARGE')).toBe(3);

    // The app's client refuses before sending; a post that skips it is refused by the relay, with the code.
    const local = await sendAuthRequest(honest, { alpha: ALPHA, granuleName: 'x'.repeat(10_000), ownerPk: owner, userPk: key() }).catch((e: unknown) => e);
    expect((local as RelayLimitError).code).toBe('MESSAGE_TOO_LARGE');
    const posted = await requestJson<{ refused?: { code: string; message: string } }>(attacker, peerIdFromString(relay.peerId), AUTH_MAILBOX_PROTOCOL, {
      post: JSON.stringify(request(owner, { granuleName: 'x'.repeat(100_000) })),
    });
    expect(posted.refused?.code).toBe('MESSAGE_TOO_LARGE');
    expect(posted.refused?.message).toMatch(/relays keep messages of at most 4096 bytes/);
  }, 90_000);

  it("attack: an oversized field is refused by the sender's client and by the relay, with a code; a normal request still gets through", async () => {
    const owner = key();
    const marker = key();
    const attacker = await peer();
    await gossip(attacker, request(owner, { granuleName: 'n'.repeat(1_000) })); // 1 KB name: within the message cap
    await gossip(attacker, { type: 'reply', id: crypto.randomUUID(), alpha: ALPHA, userPk: owner, decision: 'declined', reason: 'r'.repeat(2_000) });
    await gossip(attacker, request(marker));
    await expect.poll(async () => (await mailbox(marker)).length, { timeout: 20_000 }).toBe(1);
    expect(await mailbox(owner)).toEqual([]);
    expect(eventsFrom(attacker, 'FIELD_TOO_LARGE')).toBe(2);

    const local = await sendAuthRequest(attacker, { alpha: ALPHA, granuleName: 'n'.repeat(1_000), ownerPk: owner, userPk: key() }).catch((e: unknown) => e);
    expect(local).toBeInstanceOf(RelayLimitError);
    expect((local as RelayLimitError).code).toBe('FIELD_TOO_LARGE');
    expect((local as Error).message).toMatch(/The field "granuleName" of this authorization message is 1000 bytes; relays keep at most 256/);
    const posted = await requestJson<{ refused?: { code: string } }>(attacker, peerIdFromString(relay.peerId), AUTH_MAILBOX_PROTOCOL, {
      post: JSON.stringify(request(owner, { id: 'i'.repeat(100) })),
    });
    expect(posted.refused?.code).toBe('FIELD_TOO_LARGE');

    const honest = await peer();
    const sent = await sendAuthRequest(honest, { alpha: ALPHA, granuleName: 'look 1.0.0', ownerPk: owner, userPk: key() }, { relays: [relay.peerId] });
    expect(await ids(owner)).toEqual([sent.id]);
  }, 60_000);

  it('messages expire as before (a week by default), and what expired no longer counts against a quota', async () => {
    const shortDir = await mkdtemp(join(tmpdir(), 'twingrain-mailbox-expiry-'));
    const short = await startRelay({
      port: await freePort(),
      dataDir: shortDir,
      development: true,
      mailbox: { perSender: 2, maxAgeMs: 1_500 },
      log: () => undefined,
    });
    try {
      const sender = await createLibp2p({
        transports: [webSockets()],
        connectionEncrypters: [noise()],
        streamMuxers: [yamux()],
        connectionGater: { denyDialMultiaddr: async () => false },
        services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
      });
      peers.push(sender);
      await sender.dial(multiaddr(short.multiaddrs[0]!));
      const owner = key();
      const send = () => sendAuthRequest(sender, { alpha: ALPHA, granuleName: 'look 1.0.0', ownerPk: owner, userPk: key() }, { relays: [short.peerId] });
      await send();
      await send();
      await expect(send()).rejects.toMatchObject({ code: 'SENDER_QUOTA' });
      expect(await readMailbox(sender, short.peerId, owner)).toHaveLength(2);
      await new Promise((r) => setTimeout(r, 1_700));
      expect(await readMailbox(sender, short.peerId, owner)).toHaveLength(0);
      await send();
      expect(await readMailbox(sender, short.peerId, owner)).toHaveLength(1);
    } finally {
      await short.stop();
      await rm(shortDir, { recursive: true, force: true });
    }
  }, 30_000);
});
