// The direct block protocol between real Helia nodes through a real relay: an honest peer's DAG arrives whole and
// verified, a partial one resumes, and a hostile peer (altered bytes, oversized frames, blocks nobody asked for, a
// DAG bigger than allowed, silence) is cut with a typed error and nothing it sent is stored.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unixfs } from '@helia/unixfs';
import { multiaddr } from '@multiformats/multiaddr';
import { lpStream } from '@libp2p/utils';
import { CID } from 'multiformats/cid';
import { sha256 } from 'multiformats/hashes/sha2';
import * as raw from 'multiformats/codecs/raw';
import * as dagPb from '@ipld/dag-pb';
import { fixedSize } from 'ipfs-unixfs-importer/chunker';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { freePort } from '../scripts/stack/ports';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { BLOCK_TRANSFER_PROTOCOL } from '../src/lib/p2p/protocols';
import { BlockTransferError, MAX_BLOCK_BYTES, fetchDag } from '../src/lib/p2p/block-transfer';
import { sourcedBlocks } from '../src/lib/p2p/block-sources';
import { pinOnRelays } from '../src/lib/p2p/pin-protocol';
import { randomPayload } from '../src/lib/p2p/transfer-test';
import { startRelay, type RunningRelay } from './relay';

let relay: RunningRelay;
let dir: string;
const nodes: TwingrainNode[] = [];
const KiB = 1024;

async function node(): Promise<TwingrainNode> {
  const n = await createNodeNode({ multiaddrs: relay.multiaddrs, development: true });
  nodes.push(n);
  await n.supervisor.relayConnected();
  return n;
}

/** Two nodes connected through the relay (its reservations carry no limit, so the connection is a full one). */
async function pair(): Promise<[TwingrainNode, TwingrainNode]> {
  const a = await node();
  const b = await node();
  await reserved(a);
  await b.libp2p.dial(multiaddr(`${relay.multiaddrs[0]}/p2p-circuit/p2p/${a.peerId}`));
  return [a, b];
}

/** The relay holds a reservation for the node, so others can dial it through the relay. */
async function reserved(n: TwingrainNode): Promise<void> {
  await expect.poll(() => n.libp2p.getMultiaddrs().some((m) => m.toString().includes('/p2p-circuit')), { timeout: 15_000 }).toBe(true);
}

async function addFile(n: TwingrainNode, bytes: number, chunk = 256 * KiB): Promise<{ cid: CID; data: Uint8Array }> {
  const data = randomPayload(bytes);
  return { cid: await unixfs(n.helia).addBytes(data, { rawLeaves: true, chunker: fixedSize({ chunkSize: chunk }) }), data };
}

async function catLocal(n: TwingrainNode, cid: CID): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of unixfs(n.helia).cat(cid, { offline: true } as Parameters<ReturnType<typeof unixfs>['cat']>[1])) parts.push(p);
  return Buffer.concat(parts);
}

/** Replaces the peer's block server with one that answers every request with `frames` (and then `end`s or not). */
async function hostile(n: TwingrainNode, respond: (request: { cids: string[] }, write: (frame: Uint8Array) => Promise<void>) => Promise<void>): Promise<void> {
  await n.libp2p.unhandle(BLOCK_TRANSFER_PROTOCOL);
  await n.libp2p.handle(BLOCK_TRANSFER_PROTOCOL, async (stream) => {
    const lp = lpStream(stream, { maxDataLength: 8 * 1024 * 1024 });
    try {
      const request = JSON.parse(new TextDecoder().decode((await lp.read()).subarray())) as { cids: string[] };
      await respond(request, (frame) => lp.write(frame));
    } catch {
      stream.abort(new Error('hostile peer stopped'));
    }
  });
}

const frame = (cid: CID, bytes: Uint8Array): Uint8Array => Buffer.concat([cid.bytes, bytes]);
const rawCid = async (bytes: Uint8Array): Promise<CID> => CID.createV1(raw.code, await sha256.digest(bytes));

async function refusal(promise: Promise<unknown>): Promise<BlockTransferError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BlockTransferError);
  return error as BlockTransferError;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'twingrain-blocks-'));
  relay = await startRelay({ port: await freePort(), dataDir: dir, development: true, pin: true });
});

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  await relay?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('direct block transfer', () => {
  it("fetches a peer's whole DAG over parallel streams, every block checked, and resumes a partial one", async () => {
    const [owner, user] = await pair();
    const { cid, data } = await addFile(owner, 3 * 1024 * KiB + 123);
    let seen = 0;
    const result = await fetchDag(user.libp2p, owner.libp2p.peerId, user.helia.blockstore, cid, { parallel: 3, onBlock: () => seen++ });
    expect(result).toMatchObject({ complete: true, blocks: 14 }); // 13 leaves and the root
    expect(seen).toBe(14);
    expect(Buffer.from(await catLocal(user, cid)).equals(Buffer.from(data))).toBe(true);

    // A third node holds the root and two leaves already: only the other 11 leaves travel.
    const third = await node();
    await reserved(owner);
    await third.libp2p.dial(multiaddr(`${relay.multiaddrs[0]}/p2p-circuit/p2p/${owner.peerId}`));
    const root = dagPb.decode(await readAll(owner, cid));
    for (const c of [cid, root.Links[0]!.Hash, root.Links[5]!.Hash]) await third.helia.blockstore.put(c, await readAll(owner, c));
    const resumed = await fetchDag(third.libp2p, owner.libp2p.peerId, third.helia.blockstore, cid);
    expect(resumed).toMatchObject({ complete: true, blocks: 11 });
    expect(Buffer.from(await catLocal(third, cid)).equals(Buffer.from(data))).toBe(true);
  });

  it('says incomplete (for bitswap to finish) when the peer lacks blocks, keeping what it sent', async () => {
    const [owner, user] = await pair();
    const { cid } = await addFile(owner, 1024 * KiB);
    const leaves = dagPb.decode(await readAll(owner, cid)).Links.map((l) => l.Hash);
    await Promise.resolve(owner.helia.blockstore.delete(leaves[2]!)).catch(async () => {
      // Helia-light's delete asks content routing; the node's own store is underneath.
      await (owner.helia.blockstore as unknown as { child: { delete(c: CID): Promise<void> } }).child.delete(leaves[2]!);
    });
    expect(await owner.helia.blockstore.has(leaves[2]!)).toBe(false);
    const result = await fetchDag(user.libp2p, owner.libp2p.peerId, user.helia.blockstore, cid, { parallel: 1 });
    expect(result.complete).toBe(false);
    expect(await user.helia.blockstore.has(leaves[1]!)).toBe(true);
    expect(await user.helia.blockstore.has(leaves[3]!)).toBe(false);
  });

  it('takes a pinned DAG from the relay when no peer is direct, credited to the relay', async () => {
    const owner = await node();
    const user = await node();
    const { cid, data } = await addFile(owner, 1536 * KiB);
    const member = privateKeyToAccount(generatePrivateKey());
    relay.pinning!.records.addMember(member.address);
    await expect.poll(async () => (await pinOnRelays(owner.libp2p, { cids: [cid], member })).pinnedBy.length, { timeout: 10_000 }).toBe(1);
    await owner.stop();
    const sourced = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds });
    expect(await sourced.prefetch(cid)).toBe(true);
    expect(sourced.sources().map((s) => [s.peerId, s.via, s.blocks])).toEqual([[relay.peerId, 'relay', 7]]);
    expect(Buffer.from(await catLocal(user, cid)).equals(Buffer.from(data))).toBe(true);
  });
});

describe('a hostile peer on the direct block protocol', () => {
  it('is refused when a block does not match its CID, and the block is not stored', async () => {
    const [attacker, user] = await pair();
    const { cid } = await addFile(attacker, 512 * KiB);
    const forged = randomPayload(300);
    await hostile(attacker, async (_request, write) => write(frame(cid, forged)));
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, cid));
    expect(error.code).toBe('BLOCK_MISMATCH');
    expect(error.message).toMatch(/do not match its ID/);
    expect(await user.helia.blockstore.has(cid)).toBe(false);
  });

  it('is refused when a leaf deep in the DAG is altered, and the altered leaf is not stored', async () => {
    const [attacker, user] = await pair();
    const { cid } = await addFile(attacker, 1024 * KiB);
    const rootBytes = await readAll(attacker, cid);
    const leaves = dagPb.decode(rootBytes).Links.map((l) => l.Hash);
    // An honest-looking server (the root, then everything below it) that alters one leaf.
    await hostile(attacker, async (request, write) => {
      const asked = request.cids.map((s) => CID.parse(s));
      for (const c of asked.some((c) => c.equals(cid)) ? [cid, ...leaves] : asked) {
        const bytes = c.equals(cid) ? rootBytes : await readAll(attacker, c);
        if (c.equals(leaves[2]!)) bytes[0] = bytes[0]! ^ 1;
        await write(frame(c, bytes));
      }
      await write(Uint8Array.of(0));
    });
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, cid, { parallel: 1 }));
    expect(error.code).toBe('BLOCK_MISMATCH');
    expect(await user.helia.blockstore.has(leaves[2]!)).toBe(false);
  });

  it('is refused when a relay answering a part of a DAG alters a block, and the altered block is not stored', async () => {
    // The pinning relay's path: nothing stored yet, so the receiver asks for the DAG in parts, one per stream.
    const [attacker, user] = await pair();
    const { cid } = await addFile(attacker, 2048 * KiB);
    const rootBytes = await readAll(attacker, cid);
    const leaves = dagPb.decode(rootBytes).Links.map((l) => l.Hash);
    const parts: Array<[number, number] | undefined> = [];
    await hostile(attacker, async (request, write) => {
      const part = (request as { part?: [number, number] }).part;
      parts.push(part);
      const size = Math.ceil(leaves.length / (part?.[1] ?? 1));
      const mine = part ? leaves.slice(part[0] * size, (part[0] + 1) * size) : leaves;
      await write(frame(cid, rootBytes));
      for (const leaf of mine) {
        const bytes = await readAll(attacker, leaf);
        if (leaf.equals(leaves[5]!)) bytes[100] = bytes[100]! ^ 0xff;
        await write(frame(leaf, bytes));
      }
      await write(Uint8Array.of(0));
    });
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, cid, { parallel: 4 }));
    expect(error.code).toBe('BLOCK_MISMATCH');
    expect(parts.map((p) => p?.join('/')).sort()).toEqual(['0/4', '1/4', '2/4', '3/4']);
    expect(await user.helia.blockstore.has(leaves[5]!)).toBe(false);
  });

  it('is refused when it answers a part of a DAG with a block of another part', async () => {
    const [attacker, user] = await pair();
    const { cid } = await addFile(attacker, 2048 * KiB);
    const rootBytes = await readAll(attacker, cid);
    const leaves = dagPb.decode(rootBytes).Links.map((l) => l.Hash);
    // Every stream gets the root and then the whole file: valid blocks, but only one part was asked for on each.
    await hostile(attacker, async (_request, write) => {
      await write(frame(cid, rootBytes));
      for (const leaf of leaves) await write(frame(leaf, await readAll(attacker, leaf)));
      await write(Uint8Array.of(0));
    });
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, cid, { parallel: 2 }));
    expect(error.code).toBe('BLOCK_UNEXPECTED');
    // Nothing past the part's own blocks was kept.
    expect(await user.helia.blockstore.has(leaves[leaves.length - 1]!)).toBe(false);
  });

  it('is refused when it sends a block larger than the limit, before the block is read', async () => {
    const [attacker, user] = await pair();
    const huge = new Uint8Array(MAX_BLOCK_BYTES + 1024);
    const cid = await rawCid(huge);
    await hostile(attacker, async (_request, write) => write(frame(cid, huge)));
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, cid));
    expect(error.code).toBe('BLOCK_TOO_LARGE');
    expect(await user.helia.blockstore.has(cid)).toBe(false);
  });

  it('is refused when it sends a valid block nobody asked for, or the asked one twice, and keeps nothing extra', async () => {
    const [attacker, user] = await pair();
    const wanted = randomPayload(1000);
    const wantedCid = await rawCid(wanted);
    const junk = randomPayload(1000);
    const junkCid = await rawCid(junk);
    await hostile(attacker, async (_request, write) => {
      await write(frame(junkCid, junk));
      await write(Uint8Array.of(0));
    });
    let error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, wantedCid));
    expect(error.code).toBe('BLOCK_UNEXPECTED');
    expect(await user.helia.blockstore.has(junkCid)).toBe(false);

    // An endless stream of the same block: the first repeat ends it.
    await hostile(attacker, async (_request, write) => {
      for (let i = 0; i < 100_000; i++) await write(frame(wantedCid, wanted));
    });
    error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, wantedCid));
    expect(error.code).toBe('BLOCK_UNEXPECTED');
  });

  it('is refused when the DAG it serves is larger than the caller allows (a granule cannot be endless)', async () => {
    const [attacker, user] = await pair();
    // Honestly hashed, but 2 MiB where the caller expects at most 256 KiB.
    const { cid } = await addFile(attacker, 2048 * KiB, 64 * KiB);
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, cid, { maxBytes: 256 * KiB, parallel: 1 }));
    expect(error.code).toBe('TOO_MUCH_DATA');
    const leaves = dagPb.decode(await readAll(attacker, cid)).Links.map((l) => l.Hash);
    // What arrived within the limit was verified and kept; nothing past it.
    expect(await user.helia.blockstore.has(leaves[leaves.length - 1]!)).toBe(false);
  });

  it('cannot send more than the caller allows by linking one block many times', async () => {
    const [attacker, user] = await pair();
    // An honestly hashed node that links the same 64 KiB leaf 100 times: 6.4 MiB of copies where 1 MiB is allowed.
    const leaf = randomPayload(64 * KiB);
    const leafCid = await rawCid(leaf);
    const node = dagPb.encode(dagPb.prepare({ Links: Array.from({ length: 100 }, () => ({ Hash: leafCid, Tsize: leaf.length })) }));
    const root = CID.createV1(dagPb.code, await sha256.digest(node));
    await hostile(attacker, async (request, write) => {
      const part = (request as { part?: [number, number] }).part ?? [0, 1];
      const size = Math.ceil(100 / part[1]);
      await write(frame(root, node));
      for (let i = part[0] * size; i < Math.min(100, (part[0] + 1) * size); i++) await write(frame(leafCid, leaf));
      await write(Uint8Array.of(0));
    });
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, root, { maxBytes: 1024 * KiB }));
    expect(error.code).toBe('TOO_MUCH_DATA');
  });

  it('is cut when it goes quiet, and the caller falls back to another source', async () => {
    const [attacker, user] = await pair();
    const { cid, data } = await addFile(attacker, 512 * KiB);
    await hostile(attacker, async () => new Promise(() => undefined));
    const t0 = Date.now();
    const error = await refusal(fetchDag(user.libp2p, attacker.libp2p.peerId, user.helia.blockstore, cid, { idleMs: 1_000 }));
    expect(error.code).toBe('STALLED');
    expect(Date.now() - t0).toBeLessThan(10_000);

    // Through sourcedBlocks, a peer that sends altered data is dropped and the relay (which pins it) serves instead.
    const member = privateKeyToAccount(generatePrivateKey());
    relay.pinning!.records.addMember(member.address);
    await expect.poll(async () => (await pinOnRelays(attacker.libp2p, { cids: [cid], member })).pinnedBy.length, { timeout: 10_000 }).toBe(1);
    await hostile(attacker, async (_request, write) => write(frame(cid, randomPayload(100))));
    const sourced = sourcedBlocks({ helia: user.helia, relayPeerIds: user.supervisor.relayPeerIds, preferPeers: [attacker.libp2p.peerId] });
    expect(await sourced.prefetch(cid)).toBe(true);
    expect(sourced.sources().map((s) => s.peerId)).toEqual([relay.peerId]);
    expect(Buffer.from(await catLocal(user, cid)).equals(Buffer.from(data))).toBe(true);
  });
});

async function readAll(n: TwingrainNode, cid: CID): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const p of n.helia.blockstore.get(cid, { offline: true })) parts.push(p);
  return Buffer.concat(parts);
}
