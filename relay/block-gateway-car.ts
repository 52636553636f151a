// A pinned DAG as one CAR stream (the Trustless Gateway's `GET /ipfs/{cid}?format=car`,
// https://specs.ipfs.tech/http-gateways/trustless-gateway/): CARv1, blocks in depth-first order, each block once
// (`order=dfs; dups=n`). A browser takes a whole granule shard in one response instead of one request per block, and
// checks every block against its CID and against the DAG it asked for (src/lib/p2p/gateway-car.ts).
// The walk reads only what this node holds (offline): a DAG with any block missing here is not served at all, so a
// response never asks the network for a caller and never stops half-way for a missing block. Each block is read,
// written and let go before the next (the writer waits for the socket to drain): a 10 MiB shard is never in memory.
import type { ServerResponse } from 'node:http';
import type { Helia } from '@helia/interface';
import { CarWriter } from '@ipld/car/writer';
import * as dagPb from '@ipld/dag-pb';
import type { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { sha256 } from 'multiformats/hashes/sha2';

export const CAR = 'application/vnd.ipld.car';
/** What this node sends, in every CAR response's Content-Type (the spec asks for the parameters it knows). */
export const CAR_CONTENT_TYPE = `${CAR}; version=1; order=dfs; dups=n`;

export type DagScope = 'all' | 'block';

export interface CarCaps {
  /** Blocks one CAR response may hold (default 16,384: a 4 GiB DAG of 256 KiB leaves). */
  maxCarBlocks: number;
  /** Bytes of blocks one CAR response may hold (default 512 MiB, the largest granule a pinning relay keeps). */
  maxCarBytes: number;
}

export const DEFAULT_CAR_CAPS: CarCaps = { maxCarBlocks: 16_384, maxCarBytes: 512 * 1024 * 1024 };

type LocalStore = Pick<Helia, 'blockstore'>;

async function readHeld(helia: LocalStore, cid: CID): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of helia.blockstore.get(cid, { offline: true })) {
    parts.push(part);
    size += part.length;
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Why a DAG is not served as a CAR; the caller answers with `status`. */
export class CarRefusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The blocks of the DAG under `root` in the order a CAR sends them (depth first, links in order, each block once),
 * checked to be held here and of the kinds this node keeps; only dag-pb nodes are read (a shard: its root). The
 * caller has checked that `root` is pinned.
 */
export async function carOrder(helia: LocalStore, root: CID, scope: DagScope, caps: CarCaps, maxBlockBytes: number): Promise<CID[]> {
  const order: CID[] = [];
  const seen = new Set<string>();
  const stack: CID[] = [root];
  while (stack.length > 0) {
    const cid = stack.pop()!;
    const key = cid.toString();
    if (seen.has(key)) continue;
    seen.add(key);
    if (cid.multihash.code !== sha256.code || (cid.code !== raw.code && cid.code !== dagPb.code))
      throw new CarRefusal(404, `The DAG under ${root.toString()} links ${key}, which is not a raw or dag-pb block named by SHA-256: not served.`);
    // Held here, or the DAG is not served: this node never fetches for a caller.
    if (!(await helia.blockstore.has(cid))) throw new CarRefusal(404, `This node does not keep every block of ${root.toString()}.`);
    order.push(cid);
    if (order.length > caps.maxCarBlocks) throw new CarRefusal(404, `The DAG under ${root.toString()} has more blocks than this node sends in one CAR.`);
    if (scope === 'block' || cid.code !== dagPb.code) continue;
    const bytes = await readHeld(helia, cid);
    if (bytes.length > maxBlockBytes) throw new CarRefusal(404, `${key} is larger than this node serves.`);
    const links = dagPb.decode(bytes).Links;
    // Pushed last to first: the first link is walked next.
    for (let i = links.length - 1; i >= 0; i--) stack.push(links[i]!.Hash);
  }
  return order;
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/**
 * Writes the CAR of `order` (from carOrder) to `res`, whose headers are already sent. Each block is read from the
 * store as its turn comes (one ahead), and the next one only once the socket took the previous one. Ends the response; a block
 * gone meanwhile, a block over the caps or a broken connection destroys it (the client sees an incomplete CAR, as the
 * spec says a gateway does when it cannot go on).
 */
export async function writeCar(helia: LocalStore, root: CID, order: CID[], res: ServerResponse, caps: CarCaps, maxBlockBytes: number): Promise<void> {
  const { writer, out } = CarWriter.create([root]);
  const produce = (async () => {
    let bytes = 0;
    // The next block is read from disk while this one goes out.
    const read = (i: number): Promise<Uint8Array> | undefined => {
      if (i >= order.length) return undefined;
      const reading = readHeld(helia, order[i]!);
      reading.catch(() => undefined);
      return reading;
    };
    let next = read(0);
    try {
      for (const [i, cid] of order.entries()) {
        if (res.destroyed) break;
        const block = await next!;
        next = read(i + 1);
        bytes += block.length;
        if (block.length > maxBlockBytes || bytes > caps.maxCarBytes)
          throw new Error(`The DAG under ${root.toString()} is larger than this node sends in one CAR.`);
        await writer.put({ cid, bytes: block });
      }
    } finally {
      await writer.close();
    }
  })();
  // The consumer must keep pulling until the producer is done (a put waits for it), or the producer hangs.
  let failed = false;
  produce.catch(() => {
    failed = true;
  });
  for await (const chunk of out) {
    if (res.destroyed) continue;
    if (!res.write(chunk)) await drained(res);
  }
  await produce.catch(() => undefined);
  if (failed) res.destroy();
  else res.end();
}
