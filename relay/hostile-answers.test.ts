// Peers that answer custody and pinning requests with JSON of the wrong shape: a real relay, two real nodes, and a
// hostile one whose handlers answer anything. Its answers are checked by the wire schemas (src/lib/p2p/wire.ts)
// before any field is used, so it is never counted as a custodian that holds a share or a node that pins.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { multiaddr } from '@multiformats/multiaddr';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import * as raw from 'multiformats/codecs/raw';
import { freePort } from '../scripts/stack/ports';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { pinOnRelays } from '../src/lib/p2p/pin-protocol';
import { depositWithCustodians, peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { handleJson } from '../src/lib/p2p/rpc';
import { CUSTODY_DEPOSIT_PROTOCOL, PIN_PROTOCOL } from '../src/lib/p2p/protocols';
import { startRelay, type RunningRelay } from './relay';

let relay: RunningRelay;
let dir: string;
let hostile: TwingrainNode;
let asker: TwingrainNode;
/** What the hostile peer answers next, per protocol. */
const answers = new Map<string, unknown>();

async function node(): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: relay.multiaddrs, development: true });
  await n.supervisor.relayConnected();
  return n;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twingrain-hostile-'));
  relay = await startRelay({ port: await freePort(), dataDir: dir, development: true });
  hostile = await node();
  for (const protocol of [PIN_PROTOCOL, CUSTODY_DEPOSIT_PROTOCOL]) await handleJson(hostile.libp2p, protocol, async () => answers.get(protocol));
  await vi.waitFor(() => expect(hostile.libp2p.getMultiaddrs().some((m) => m.toString().includes('/p2p-circuit'))).toBe(true), { timeout: 15_000 });
  asker = await node();
  await asker.libp2p.dial(multiaddr(`${relay.multiaddrs[0]}/p2p-circuit/p2p/${hostile.peerId}`));
  await vi.waitFor(async () => expect(await peersWithProtocol(asker.libp2p, CUSTODY_DEPOSIT_PROTOCOL)).toHaveLength(1), { timeout: 15_000 });
}, 60_000);

afterAll(async () => {
  for (const n of [asker, hostile]) await n?.stop().catch(() => undefined);
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('answers of the wrong shape', () => {
  it('a node that answers a pin request with anything but the CIDs it pinned is not counted as pinning', async () => {
    const cid = CID.createV1(raw.code, await sha256.digest(new Uint8Array([1, 2, 3])));
    const member = privateKeyToAccount(generatePrivateKey());
    for (const answer of [{}, { pinned: 'all of them' }, null, [1, 2]]) {
      answers.set(PIN_PROTOCOL, answer);
      const r = await pinOnRelays(asker.libp2p, { cids: [cid], member });
      expect(r.pinnedBy).toEqual([]);
      expect(r.errors).toEqual([expect.stringMatching(/answered with something that is not a pin answer/)]);
    }
    answers.set(PIN_PROTOCOL, { pinned: [cid.toString()] });
    expect((await pinOnRelays(asker.libp2p, { cids: [cid], member })).pinnedBy).toEqual([hostile.peerId.toString()]);
  });

  it('a custodian that answers a deposit with a half answer is not counted as holding a share', async () => {
    for (const answer of [{ status: 'accepted' }, { status: 'accepted', custodian: 7 }, { status: 'refused', code: 'malformed' }, 'yes']) {
      answers.set(CUSTODY_DEPOSIT_PROTOCOL, answer);
      const r = await depositWithCustodians(asker.libp2p, new Uint8Array([1, 2, 3]), { signature: '0x' });
      expect(r.custodians).toEqual([]);
      expect(r.refusals).toEqual([
        { custodian: hostile.peerId.toString(), code: 'unreachable', reason: 'The custodian answered a deposit with something that is not a deposit answer.' },
      ]);
    }
  });
});
