// Peers first, the pinning relay second, and every block credited to whoever delivered it: real Helia nodes, a real
// relay that pins, bitswap between them.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unixfs } from '@helia/unixfs';
import { multiaddr } from '@multiformats/multiaddr';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { CID } from 'multiformats/cid';
import { freePort } from '../scripts/stack/ports';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { pinOnRelays } from '../src/lib/p2p/pin-protocol';
import { sourcedBlocks } from '../src/lib/p2p/block-sources';
import { randomPayload } from '../src/lib/p2p/transfer-test';
import { startRelay, type RunningRelay } from './relay';

let relay: RunningRelay;
let dir: string;
const nodes: TwingrainNode[] = [];

async function node(): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: relay.multiaddrs, development: true });
  nodes.push(n);
  await n.supervisor.relayConnected();
  return n;
}

async function addFile(n: TwingrainNode, bytes: number): Promise<CID> {
  return unixfs(n.helia).addBytes(randomPayload(bytes), { rawLeaves: true });
}

/** Pins on the relay once identify has told this node that the relay pins (it runs just after connecting). */
async function pinned(n: TwingrainNode, cid: CID): Promise<void> {
  // A member's own content (not a registered granule), within its quota.
  const member = privateKeyToAccount(generatePrivateKey());
  relay.pinning!.records.addMember(member.address); // as if enrolled on chain
  await expect.poll(async () => (await pinOnRelays(n.libp2p, { cids: [cid], member })).pinnedBy.length, { timeout: 10_000 }).toBe(1);
}

async function cat(helia: TwingrainNode['helia'], cid: CID): Promise<number> {
  let n = 0;
  for await (const chunk of unixfs(helia).cat(cid, { signal: AbortSignal.timeout(30_000) })) n += chunk.length;
  return n;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twingrain-sources-'));
  relay = await startRelay({ port: await freePort(), dataDir: dir, development: true, pin: true });
});

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('sourcedBlocks', () => {
  it('takes every block from a preferred peer that has them, though the relay pins them too, and says so', async () => {
    const owner = await node();
    const user = await node();
    const cid = await addFile(owner, 1_200_000);
    await pinned(owner, cid);
    await user.libp2p.dial(multiaddr(`${relay.multiaddrs[0]}/p2p-circuit/p2p/${owner.peerId}`));

    const sourced = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds, preferPeers: [owner.libp2p.peerId] });
    expect(await cat(sourced.helia, cid)).toBe(1_200_000);
    const sources = sourced.sources();
    expect(sources.map((s) => [s.peerId, s.via])).toEqual([[owner.peerId, 'relayed']]);
    // The leaves and the root, all of them.
    expect(sources[0]!.blocks).toBeGreaterThan(1);
    expect(sources[0]!.bytes).toBeGreaterThan(1_200_000);

    // Fetched again, everything is already here.
    const again = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds, preferPeers: [owner.libp2p.peerId] });
    expect(await cat(again.helia, cid)).toBe(1_200_000);
    expect(again.sources()).toEqual([expect.objectContaining({ peerId: 'local', via: 'local', blocks: sources[0]!.blocks })]);
  });

  it('falls back to the pinning relay when the preferred peer does not have the blocks', async () => {
    const publisher = await node();
    const bystander = await node();
    const user = await node();
    const cid = await addFile(publisher, 600_000);
    await pinned(publisher, cid);
    await publisher.stop();
    await user.libp2p.dial(multiaddr(`${relay.multiaddrs[0]}/p2p-circuit/p2p/${bystander.peerId}`));

    const sourced = sourcedBlocks({
      helia: user.helia,
      relayPeerIds: user.supervisor.relayPeerIds,
      preferPeers: [bystander.libp2p.peerId],
      peerTimeoutMs: 5_000,
    });
    expect(await cat(sourced.helia, cid)).toBe(600_000);
    expect(sourced.sources().map((s) => [s.peerId, s.via])).toEqual([[relay.peerId, 'relay']]);
  });

  it('prefers nobody when no peer is directly connected (relayed peers are not direct)', async () => {
    const owner = await node();
    const user = await node();
    const cid = await addFile(owner, 300_000);
    await pinned(owner, cid);
    await owner.stop();
    const sourced = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds });
    expect(await cat(sourced.helia, cid)).toBe(300_000);
    expect(sourced.sources().map((s) => s.peerId)).toEqual([relay.peerId]);
  });
});
