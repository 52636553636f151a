// Faults during a granule transfer, on real libp2p/Helia nodes and a real relay on 127.0.0.1: the serving peer
// vanishes mid-transfer, the pinning relay restarts mid-transfer, and a closed tab comes back. Each interruption is
// triggered from inside the transfer (the first leaf block of a multi-block shard arriving), never by sleeping,
// and resumption is proven by counting the blocks bitswap delivers, not by time.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { CID } from 'multiformats/cid';
import { peerIdFromString } from '@libp2p/peer-id';
import * as dagPb from '@ipld/dag-pb';
import * as raw from 'multiformats/codecs/raw';
import type { Helia } from '@helia/interface';
import { alphaHex } from '../src/lib/granule/alpha';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import {
  storeGranule,
  fetchPublicManifest,
  fetchGranule,
  type FetchBlockEvent,
  type FetchProgress,
  type StoreGranuleReturnType,
} from '../src/lib/p2p/granule-store';
import { pinOnRelays, type PinMember } from '../src/lib/p2p/pin-protocol';
import { depositWithCustodians, peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { retrieveGranule, type RetrieveState } from '../src/lib/p2p/retrieve';
import { multiaddr } from '@multiformats/multiaddr';
import { PIN_PROTOCOL } from '../src/lib/p2p/protocols';
import { ShardStalledError, TransferInterruptedError } from '../src/lib/p2p/errors';
import type { PublicManifest } from '../src/lib/p2p/public-manifest';
import { freePort } from '../src/lib/chain/testing/anvil.node.ts';
import { startRelay, type RunningRelay } from './relay';
import { startCustodyChain, type CustodyChain } from './testing/custody-chain';

const GRANULE = {
  name: 'test/faults',
  version: '1.0.0',
  description: 'x',
  domain: 'enabling',
  context: 'mechanical',
  printers: ['ender-3'],
  tags: ['t'],
  license: 'MIT',
};
// 8 MiB: each data shard is a dag-pb root over 17 leaves of 256 KiB, and a bitswap message carries at most 4 MiB,
// so the blocks cannot all arrive in the message that triggers the interruption.
const SIZE = 8 * 1024 * 1024;

async function until(check: () => Promise<boolean> | boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every block (root and leaves) of the shards a fetch of k shards takes: shards 0 … k-1 (data shards first). */
async function blocksOfDataShards(helia: Helia, manifest: PublicManifest): Promise<Set<string>> {
  const all = new Set<string>();
  for (const entry of manifest.shards.slice(0, manifest.erasure.k)) {
    const root = CID.parse(entry.cid);
    all.add(root.toString());
    const parts: Uint8Array[] = [];
    for await (const part of helia.blockstore.get(root)) parts.push(part);
    for (const link of dagPb.decode(Buffer.concat(parts)).Links) all.add(link.Hash.toString());
  }
  return all;
}

async function localBlocks(helia: Helia, cids: Set<string>): Promise<Set<string>> {
  const have = new Set<string>();
  for (const c of cids) if (await helia.blockstore.has(CID.parse(c))) have.add(c);
  return have;
}

/**
 * All of a peer's links drop at once, as when a laptop lid closes: without this, the stopping peer's bitswap could
 * still dial the user back through the relay and deliver the rest while it shuts down.
 */
function vanish(peer: TwingrainNode, user: TwingrainNode): void {
  for (const c of user.libp2p.getConnections(peer.libp2p.peerId)) c.abort(new Error('peer vanished'));
  for (const c of peer.libp2p.getConnections()) c.abort(new Error('peer vanished'));
}

/**
 * Runs a scenario until its interruption lands mid-transfer. The cut is made from inside the transfer, at the first
 * leaf block, and normally lands; on a heavily loaded machine the rest of the blocks can already be in hand, and
 * then there is nothing to resume: that try proves nothing either way, so another one is made.
 */
async function landsWithin(tries: number, scenario: () => Promise<boolean>): Promise<boolean> {
  for (let i = 0; i < tries; i++) if (await scenario()) return true;
  return false;
}

/** A record of one fetch: every block delivered over bitswap, and the problems and states it reported. */
function recorder() {
  const blocks: FetchBlockEvent[] = [];
  const problems: Error[] = [];
  const states: FetchProgress[] = [];
  return {
    blocks,
    problems,
    states,
    stalls: () => problems.filter((e): e is ShardStalledError => e instanceof ShardStalledError),
    cids: (from = 0) => blocks.slice(from).map((b) => b.cid.toString()),
  };
}

describe('transfers survive lost peers and relay restarts, and resume from the blocks they kept', () => {
  const dirs: string[] = [];
  const nodes: TwingrainNode[] = [];
  let relay: RunningRelay;
  let relayPort: number;
  let relayDir: string;
  let relayAddr: string;
  // The relay is also the custodian (t = 1) for the retrieveGranule case, serving a real registry.
  let chain: CustodyChain;
  const custodianSecret = x25519.utils.randomSecretKey();
  const custodian = x25519.getPublicKey(custodianSecret);

  const tmp = async (): Promise<string> => {
    const d = await mkdtemp(join(tmpdir(), 'tg-faults-'));
    dirs.push(d);
    return d;
  };
  const node = async (dataDir?: string): Promise<TwingrainNode> => {
    const n = await createNodeNode({ multiaddrs: [relayAddr], development: true }, dataDir ? { dataDir } : {});
    nodes.push(n);
    await n.supervisor.relayConnected(20_000);
    return n;
  };
  const startOurRelay = async (): Promise<RunningRelay> =>
    startRelay({
      port: relayPort,
      dataDir: relayDir,
      development: true,
      pin: true,
      custodian: { secretKey: custodianSecret, waitMs: 300, pollMs: 50, chain: chain.chainOptions() },
    });
  /** The address other peers dial to reach `n` through the relay (it appears once its reservation is made). */
  const circuitAddr = async (n: TwingrainNode): Promise<string> => {
    let addr: string | undefined;
    await until(
      () =>
        (addr = n.libp2p
          .getMultiaddrs()
          .map(String)
          .find((a) => a.includes('/p2p-circuit'))) !== undefined,
      'a relay reservation',
    );
    return addr!;
  };
  /**
   * The user dials a peer through the relay. Right after a peer id came back the relay may still hold its dead
   * connection and refuse once (MALFORMED_MESSAGE): the app's supervisor dials again, and so does this.
   */
  const reach = async (user: TwingrainNode, peer: TwingrainNode): Promise<void> => {
    const addr = multiaddr(await circuitAddr(peer));
    await until(
      () =>
        user.libp2p.dial(addr, { signal: AbortSignal.timeout(10_000) }).then(
          () => true,
          () => false,
        ),
      `a connection to ${peer.peerId}`,
      30_000,
    );
  };
  const store = async (owner: TwingrainNode): Promise<{ stored: StoreGranuleReturnType; archive: Uint8Array; alpha: string }> => {
    const archive = new Uint8Array(randomBytes(SIZE));
    const alpha = alphaHex(archive);
    const stored = await storeGranule({ helia: owner.helia, archive, alpha, granule: GRANULE, k: 2, n: 3, custody: { threshold: 1, custodians: [custodian] } });
    return { stored, archive, alpha };
  };

  beforeAll(async () => {
    chain = await startCustodyChain();
    relayDir = await tmp();
    relayPort = await freePort();
    relay = await startOurRelay();
    relayAddr = relay.multiaddrs[0]!;
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) await n.stop().catch(() => undefined);
    await relay?.stop().catch(() => undefined);
    await chain?.stop();
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  }, 60_000);

  it('waits while the owner serving the shards is gone, and finishes from the missing blocks only when it comes back', async () => {
    expect(await landsWithin(3, vanishScenario)).toBe(true);
  }, 150_000);

  /** One try; false when the transfer finished before the owner's links dropped. */
  const vanishScenario = async (): Promise<boolean> => {
    const ownerDir = await tmp();
    const owner = await node(ownerDir);
    const { stored, archive, alpha } = await store(owner);
    const user = await node();
    await reach(user, owner);
    const manifest = await fetchPublicManifest({ helia: user.helia, cid: stored.manifestCid, expectedAlpha: alpha });
    const expected = await blocksOfDataShards(owner.helia, manifest);

    const r = recorder();
    let ownerGone: Promise<void> | undefined;
    let back: Promise<TwingrainNode> | undefined;
    let blocksBeforeReturn = 0;
    const archiveOut = await fetchGranule({
      helia: user.helia,
      manifest,
      key: stored.key,
      stallMs: 2_000,
      shardTimeoutMs: 45_000,
      onProgress: (s) => r.states.push(s),
      onBlock: (b) => {
        r.blocks.push(b);
        // The first leaf of a shard: the owner's links drop at once and it stops.
        if (ownerGone === undefined && b.cid.code === raw.code) {
          vanish(owner, user);
          ownerGone = owner.stop();
        }
      },
      onShardProblem: (_i, error) => {
        r.problems.push(error);
        // The user reports the wait; only then does the owner come back (same disk, so the same peer id).
        if (error instanceof ShardStalledError && ownerGone !== undefined && back === undefined) {
          blocksBeforeReturn = r.blocks.length;
          back = (async () => {
            await ownerGone;
            const again = await node(ownerDir);
            await reach(user, again);
            return again;
          })();
        }
      },
    });
    if (back === undefined) {
      await ownerGone;
      return false;
    }
    const returned = await back;

    expect(Buffer.from(archiveOut).equals(archive)).toBe(true); // α was verified inside fetchGranule; the bytes are the owner's
    expect(returned.peerId).toBe(owner.peerId);
    expect(r.stalls().some((e) => /The peer serving shard \d went away .*waiting for it to come back or for another source/.test(e.message))).toBe(true);
    expect(r.states.some((s) => s.waiting.length > 0)).toBe(true);
    expect(r.states.at(-1)!.waiting).toEqual([]);

    // Resumption: every block of the two data shards arrived exactly once; after the owner returned, only the
    // blocks that had not arrived before were fetched.
    const before = new Set(r.cids().slice(0, blocksBeforeReturn));
    const after = r.cids(blocksBeforeReturn);
    expect(r.cids().length).toBe(new Set(r.cids()).size);
    expect(new Set(r.cids())).toEqual(expected);
    expect([...before].some((c) => CID.parse(c).code === raw.code)).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.length).toBe(expected.size - before.size);
    expect(after.every((c) => !before.has(c))).toBe(true);
    expect(r.blocks.slice(blocksBeforeReturn).every((b) => b.from === owner.peerId)).toBe(true);
    return true;
  };

  it('gives up with a typed error that says the peer went away and that fetching again resumes', async () => {
    expect(await landsWithin(3, giveUpScenario)).toBe(true);
  }, 150_000);

  const giveUpScenario = async (): Promise<boolean> => {
    const owner = await node();
    const { stored, alpha } = await store(owner);
    const user = await node();
    await reach(user, owner);
    const manifest = await fetchPublicManifest({ helia: user.helia, cid: stored.manifestCid, expectedAlpha: alpha });
    let gone = false;
    const error = await fetchGranule({
      helia: user.helia,
      manifest,
      key: stored.key,
      stallMs: 1_000,
      shardTimeoutMs: 2_000,
      onBlock: (b) => {
        if (!gone && b.cid.code === raw.code) {
          gone = true; // the owner vanishes for good
          vanish(owner, user);
          void owner.stop();
        }
      },
    }).catch((e: unknown) => e);
    if (error instanceof Uint8Array) return false; // everything was in hand before the owner's links dropped
    expect(error).toBeInstanceOf(TransferInterruptedError);
    expect((error as Error).message).toMatch(
      /the peer serving shards? [\d, ]+ went away and no other source answered within 2 s\. The \d+ blocks? already received (is|are) kept on this device: fetching again resumes from them\./,
    );
    return true;
  };

  /** A granule pinned on the relay whose owner has left: the relay is the only source. */
  const pinnedGranule = async () => {
    const owner = await node();
    const g = await store(owner);
    await until(async () => (await peersWithProtocol(owner.libp2p, PIN_PROTOCOL)).length === 1, 'identify of the pinning relay');
    // The relay pins only what the chain records: register it, as its owner would before asking.
    await chain.register(await chain.member(), g.alpha, g.stored.manifestCid.bytes);
    expect((await pinOnRelays(owner.libp2p, { alpha: g.alpha, manifestCid: g.stored.manifestCid })).pinnedBy).toEqual([relay.peerId]);
    const expected = await blocksOfDataShards(owner.helia, g.stored.manifest);
    await owner.stop();
    return { ...g, expected };
  };

  it('rides out a restart of the pinning relay in the middle of a transfer: reconnects, resumes, byte for byte', async () => {
    expect(await landsWithin(3, restartScenario)).toBe(true);
  }, 150_000);

  /** One try; false when the transfer finished before the cut took effect (the relay is then brought back). */
  const restartScenario = async (): Promise<boolean> => {
    const { stored, archive, alpha, expected } = await pinnedGranule();
    const user = await node();
    const manifest = await fetchPublicManifest({ helia: user.helia, cid: stored.manifestCid, expectedAlpha: alpha });
    const relayId = relay.peerId;
    const relayStates: string[] = [];
    const unsubscribe = user.status.subscribe((s) => {
      if (relayStates.at(-1) !== s.relay.state) relayStates.push(s.relay.state);
    });

    const r = recorder();
    let relayDown: Promise<void> | undefined;
    let restarted: Promise<void> | undefined;
    let blocksBeforeRestart = 0;
    const out = await fetchGranule({
      helia: user.helia,
      manifest,
      key: stored.key,
      stallMs: 2_000,
      shardTimeoutMs: 45_000,
      onProgress: (s) => r.states.push(s),
      onBlock: (b) => {
        r.blocks.push(b);
        if (relayDown === undefined && b.cid.code === raw.code) {
          // The relay goes down now; cutting our end of its connection at once keeps the rest of its bitswap
          // message from slipping through while it shuts down.
          for (const c of user.libp2p.getConnections(peerIdFromString(relayId))) c.abort(new Error('relay restarting'));
          relayDown = relay.stop();
        }
      },
      onShardProblem: (_i, error) => {
        r.problems.push(error);
        if (error instanceof ShardStalledError && relayDown !== undefined && restarted === undefined) {
          blocksBeforeRestart = r.blocks.length;
          restarted = (async () => {
            await relayDown;
            relay = await startOurRelay(); // same port, same data dir: same peer id, pins kept on disk
          })();
        }
      },
    });
    await restarted;
    if (restarted === undefined) {
      await relayDown;
      if (relayDown !== undefined) relay = await startOurRelay();
      unsubscribe();
      return false;
    }

    expect(Buffer.from(out).equals(archive)).toBe(true);
    expect(relay.peerId).toBe(relayId);
    unsubscribe();
    // The supervisor saw the relay go and redialled it until the restarted one answered.
    const lostAt = relayStates.findIndex((x) => x === 'disconnected' || x === 'failed');
    expect(lostAt).toBeGreaterThan(-1);
    expect(relayStates.slice(lostAt)).toContain('connected');
    expect(user.status.get().relay.state).toBe('connected');
    expect(r.stalls().some((e) => /The peer serving shard \d went away/.test(e.message))).toBe(true);
    const all = r.cids();
    expect(all.length).toBe(new Set(all).size); // no block fetched twice
    expect(new Set(all)).toEqual(expected);
    const after = all.slice(blocksBeforeRestart);
    expect(after.length).toBeGreaterThan(0);
    expect(blocksBeforeRestart).toBeGreaterThan(2); // more than the two shard roots came before the restart
    expect(r.blocks.every((b) => b.from === relayId)).toBe(true);
    return true;
  };

  it('after a closed tab, the next attempt fetches only the blocks the first one did not keep', async () => {
    expect(await landsWithin(3, closedTabScenario)).toBe(true);
  }, 150_000);

  const closedTabScenario = async (): Promise<boolean> => {
    const { stored, archive, alpha, expected } = await pinnedGranule();
    const userDir = await tmp();
    const first = await node(userDir);
    const manifest = await fetchPublicManifest({ helia: first.helia, cid: stored.manifestCid, expectedAlpha: alpha });
    const tab = new AbortController();
    let closing: Promise<void> | undefined;
    const interrupted = await fetchGranule({
      helia: first.helia,
      manifest,
      key: stored.key,
      signal: tab.signal,
      onBlock: (b) => {
        if (closing === undefined && b.cid.code === raw.code) {
          tab.abort(); // the tab closes: the fetch and the node go away together
          closing = first.stop();
        }
      },
    }).catch((e: unknown) => e);
    await closing;
    expect(interrupted).toBeInstanceOf(TransferInterruptedError);
    expect((interrupted as Error).message).toMatch(/fetching again resumes from them/);

    const second = await node(userDir); // the tab opens again: same disk, same peer id
    expect(second.peerId).toBe(first.peerId);
    const kept = await localBlocks(second.helia, expected);
    if (kept.size === expected.size) return false; // the tab closed after everything had arrived
    expect(kept.size).toBeGreaterThan(0);
    const r = recorder();
    const out = await fetchGranule({ helia: second.helia, manifest, key: stored.key, onBlock: (b) => r.blocks.push(b) });
    expect(Buffer.from(out).equals(archive)).toBe(true);
    const fetched = r.cids();
    expect(fetched.length).toBe(new Set(fetched).size);
    expect(fetched.every((c) => !kept.has(c))).toBe(true);
    expect(new Set([...fetched, ...kept])).toEqual(expected);
    return true;
  };

  it('retrieveGranule says it waits for a source while no peer has the shards, and finishes when the owner is back', async () => {
    const ownerDir = await tmp();
    const owner = await node(ownerDir);
    const { stored, archive, alpha } = await store(owner);
    // The relay keeps only the manifest and the key share: the shards exist on the owner's disk alone.
    await until(async () => (await peersWithProtocol(owner.libp2p, PIN_PROTOCOL)).length === 1, 'identify of the pinning relay');
    // Pinned as a member's own content (within its quota), so the relay keeps the manifest block alone.
    const ownerMember = await chain.member();
    expect((await pinOnRelays(owner.libp2p, { cids: [stored.manifestCid], member: ownerMember.wallet.account as PinMember })).pinnedBy).toEqual([relay.peerId]);
    await chain.register(ownerMember, alpha, stored.manifestCid.bytes);
    const signature = await chain.signDeposit(ownerMember.wallet, alpha, stored.manifestCid.bytes);
    expect((await depositWithCustodians(owner.libp2p, stored.manifestBytes, { signature })).custodians).toHaveLength(1);
    await owner.stop();

    const userMember = await chain.member();
    await chain.instantiate(userMember, await chain.authorize(ownerMember, alpha, userMember));
    const userSecret = userMember.identity.x25519.secretKey;
    const user = await node();
    const states: RetrieveState[] = [];
    let back: Promise<TwingrainNode> | undefined;
    const result = await retrieveGranule({
      helia: user.helia,
      manifestCid: stored.manifestCid,
      alpha,
      userPk: userMember.identity.publicKey,
      userSecretKey: userSecret,
      relayPeerIds: user.supervisor.relayPeerIds,
      keyTimeoutMs: 20_000,
      stallMs: 1_500,
      shardTimeoutMs: 45_000,
      signal: AbortSignal.timeout(80_000),
      onState: (state) => {
        states.push(state);
        if (state.phase === 'shards' && state.waiting && back === undefined) {
          back = (async () => {
            const again = await node(ownerDir);
            await reach(user, again);
            return again;
          })();
        }
      },
    });
    await back;

    expect(Buffer.from(result.archive).equals(archive)).toBe(true);
    const waiting = states.find((s): s is Extract<RetrieveState, { phase: 'shards' }> => s.phase === 'shards' && s.waiting !== undefined);
    expect(waiting?.waiting?.message).toMatch(/No connected peer has sent shard \d .*waiting for a source/);
    expect(waiting?.waiting?.shards.length).toBeGreaterThan(0);
    expect(states.at(-1)).toEqual({ phase: 'done' });
    expect(result.sources.some((s) => s.peerId === owner.peerId)).toBe(true);
  }, 90_000);
});
