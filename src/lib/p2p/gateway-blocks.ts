// Blocks from community nodes' block gateways (IPFS Trustless Gateways, relay/block-gateway.ts) over plain HTTP.
// From the pinning relay, the encrypted libp2p connection costs several times a plain transfer in a page (noise in
// JavaScript, yamux, framing): a gateway moves the same blocks over HTTP. It is trusted for nothing: blocks come
// through Helia's own trustless-gateway block broker, in a light Helia without libp2p over the node's own
// blockstore, and Helia stores a block only once its bytes hash to its CID. A gateway that lacks a block, refuses,
// is unreachable or sends altered bytes leaves the rest to the relays and bitswap (block-sources.ts).
import type { Helia, Router } from '@helia/interface';
import { createHeliaLight } from 'helia';
import { MemoryDatastore } from 'datastore-core';
import type { Blockstore } from 'interface-blockstore';
import type { AbortOptions } from '@libp2p/interface';
import { BaseBlockstore } from 'blockstore-core';
import type { CID } from 'multiformats/cid';
import { concat } from './blocks';
import { MAX_BLOCK_BYTES } from './block-transfer';
import { linksOf } from './block-check';
import { gatewayRefusal } from './gateway-address';
import { startReceive } from './receiving';
import { GatewayFetchError } from './gateway-errors';

/**
 * The node's store as Helia's HTTP-only node sees it: every block missing, so Helia fetches what it is asked for
 * without first asking the store (in a browser an IndexedDB read queued behind the writes, see cached-blockstore.ts);
 * the walk below decides what is missing. What Helia fetched and checked goes into the node's store.
 */
class FetchInto extends BaseBlockstore {
  constructor(readonly store: Blockstore) {
    super();
  }
  override has(): Promise<boolean> {
    return Promise.resolve(false);
  }
  override async put(cid: CID, value: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options?: AbortOptions): Promise<CID> {
    return this.store.put(cid, value, options);
  }
  override get(cid: CID, options?: AbortOptions): AsyncGenerator<Uint8Array> {
    return this.store.get(cid, options) as AsyncGenerator<Uint8Array>;
  }
}

/** Blocks asked of the gateways at once (a browser opens 6 HTTP/1.1 connections per origin). */
const CONCURRENCY = 6;

/**
 * The gateways as an ordinary router. Helia asks routers that call themselves fallbacks only after the others, and
 * when there are no others its provider search never ends (helia 7.1): every block request would hang.
 */
function ordinaryRouter(router: Router): Router {
  return { name: 'community-block-gateways', findProviders: (cid, options) => router.findProviders!(cid, options) };
}

interface GatewayDagOptions {
  signal?: AbortSignal;
  /** Refuse the DAG past this many bytes of blocks (default 64 MiB). */
  maxBytes?: number;
  /** Refuse the DAG past this many blocks (default 16,384). */
  maxBlocks?: number;
  /** Every block received from a gateway, checked and stored. */
  onBlock?: (cid: CID, bytes: number) => void;
}

export interface BlockGateways {
  /** The gateways' base URLs in use (none: nothing is asked over HTTP). */
  urls(): readonly string[];
  /** Uses these gateways from the next fetch on. */
  setUrls(urls: readonly string[]): void;
  /** Fetches every block of the DAG under `root` not stored yet, block by block; resolves once all are stored. */
  fetchDag(root: CID, options?: GatewayDagOptions): Promise<{ blocks: number; bytes: number }>;
  /** Whether whole DAGs are asked for as one CAR first (fetchCar). */
  readonly car: boolean;
  /**
   * Fetches the whole DAG under `root` as one CAR from the first gateway (gateway-car.ts), every block checked;
   * resolves once all are stored. Throws a GatewayFetchError, keeping what was verified, when it cannot.
   */
  fetchCar(root: CID, options?: GatewayDagOptions): Promise<{ blocks: number; bytes: number }>;
}

export interface BlockGatewaysOptions {
  /** Allow http:// and loopback or private addresses (the local development node only), as the relay dial does. */
  development: boolean;
  urls?: readonly string[];
  /** Ask for each DAG as one CAR before block by block (default true; false measures the block path alone). */
  car?: boolean;
}

/** Gateways in front of a node's own blockstore (the store under its Helia, where the verified blocks go). */
export function blockGateways(store: Blockstore, options: BlockGatewaysOptions): BlockGateways {
  let urls: readonly string[] = [...(options.urls ?? [])];
  let http: Promise<Helia> | undefined;
  // The HTTP client is loaded on the first fetch: it stays out of the p2p chunk the shell asks for at start-up.
  const load = async (gateways: readonly string[]): Promise<Helia> => {
    const [{ trustlessGatewayBlockBroker }, { fallbackRouter }] = await Promise.all([
      import('@helia/trustless-gateway-client'),
      import('@helia/fallback-router'),
    ]);
    return createHeliaLight({
      blockstore: new FetchInto(store),
      // Helia keeps nothing of its own here: blocks go to the node's store, the datastore is a throwaway.
      datastore: new MemoryDatastore(),
      blockBrokers: [
        trustlessGatewayBlockBroker({
          // Only gateways that passed gatewayRefusal (gateway-address.ts) reach the router below, the one rule both
          // paths keep; the broker's own flags would be a second, looser one (it takes any https host name).
          allowInsecure: true,
          allowLocal: true,
          // Blocks are kept in the node's own store; the browser's HTTP cache would only hold a second copy.
          transformRequestInit: (init) => ({ ...init, cache: 'no-store' }),
        }),
      ],
      routers: [ordinaryRouter(fallbackRouter({ gateways: gateways.filter((url) => gatewayRefusal(url, options.development) === undefined), shuffle: false }))],
    });
  };
  const heliaFor = (): Promise<Helia> => {
    if (http) return http;
    const loading = load(urls);
    http = loading;
    // A chunk that failed to load is asked for again next time.
    loading.catch(() => {
      if (http === loading) http = undefined;
    });
    return loading;
  };

  /** A block from the store when `stored`, else through Helia from the gateways (checked, then stored). */
  async function readBlock(helia: Helia, cid: CID, stored: boolean, signal: AbortSignal): Promise<{ bytes: Uint8Array; fetched: boolean }> {
    const parts: Uint8Array[] = [];
    if (stored) {
      for await (const part of store.get(cid, { signal })) parts.push(part);
      return { bytes: concat(parts), fetched: false };
    }
    try {
      for await (const part of helia.blockstore.get(cid, { signal })) parts.push(part);
    } catch (error) {
      signal.throwIfAborted();
      throw new GatewayFetchError(
        'GATEWAY_BLOCK_FAILED',
        `No block gateway gave block ${cid.toString()} intact (${(error as Error).message.split('\n')[0]}); it is asked of the relays instead.`,
      );
    }
    return { bytes: concat(parts), fetched: true };
  }

  async function fetchBlocks(root: CID, o: GatewayDagOptions): Promise<{ blocks: number; bytes: number }> {
    if (urls.length === 0) throw new GatewayFetchError('GATEWAY_BLOCK_FAILED', 'No block gateway is configured.');
    // The first gateway names the source (block-sources.ts): one it may not ask fails here, as it does for a CAR.
    const refusal = gatewayRefusal(urls[0]!, options.development);
    if (refusal !== undefined) throw new GatewayFetchError('GATEWAY_BLOCK_FAILED', refusal);
    const helia = await heliaFor();
    const stop = new AbortController();
    const signal = AbortSignal.any([stop.signal, ...(o.signal ? [o.signal] : [])]);
    const maxBytes = o.maxBytes ?? 64 * 1024 * 1024;
    const maxBlocks = o.maxBlocks ?? 16_384;
    let blocks = 0;
    let bytes = 0;
    let seen = 0;
    const queue: CID[] = [root];
    // Nothing of the DAG here yet (the usual case) when its root is not: then no block is looked up before it is
    // asked for. A DAG partly here (an interrupted transfer) is checked block by block.
    const partly = await store.has(root);
    const visit = async (cid: CID): Promise<void> => {
      const block = await readBlock(helia, cid, partly && (await store.has(cid)), signal);
      if (++seen > maxBlocks || (bytes += block.fetched ? block.bytes.length : 0) > maxBytes || block.bytes.length > MAX_BLOCK_BYTES)
        throw new GatewayFetchError(
          'TOO_MUCH_DATA',
          `The DAG under ${root.toString()} holds more than this granule can (${maxBlocks} blocks, ${maxBytes} bytes).`,
        );
      if (block.fetched) {
        blocks++;
        o.onBlock?.(cid, block.bytes.length);
      }
      // The node was verified against its CID before it was stored: its links are what the DAG holds.
      queue.push(...linksOf(cid, block.bytes));
    };
    // A few blocks at a time, in order: each worker takes the next CID as soon as it is free.
    const worker = async (): Promise<void> => {
      for (;;) {
        const cid = queue.shift();
        if (!cid) return;
        await visit(cid);
      }
    };
    try {
      await visit(queue.shift()!);
      // The root's links are known now; nodes below them add theirs as they come.
      while (queue.length > 0) await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
    } catch (error) {
      stop.abort();
      throw error;
    }
    return { blocks, bytes };
  }

  return {
    car: options.car ?? true,
    async fetchCar(root, o = {}) {
      if (urls.length === 0) throw new GatewayFetchError('CAR_NOT_SERVED', 'No block gateway is configured.');
      // Loaded on the first CAR, as the block broker is: the CAR reader (and its CBOR decoder) stays out of the p2p
      // chunk the shell asks for at start-up.
      const { fetchCarInto } = await import('./gateway-car');
      return fetchCarInto(store, urls[0]!, root, {
        development: options.development,
        maxBytes: o.maxBytes ?? 64 * 1024 * 1024,
        maxBlocks: o.maxBlocks ?? 16_384,
        ...(o.signal ? { signal: o.signal } : {}),
        ...(o.onBlock ? { onBlock: o.onBlock } : {}),
      });
    },
    urls: () => urls,
    setUrls(next) {
      if (next.length === urls.length && next.every((u, i) => u === urls[i])) return;
      urls = [...next];
      http = undefined;
    },
    async fetchDag(root, o = {}) {
      // A receive: the page's block cache holds its disk writes back until it has ended (receiving.ts).
      const end = startReceive();
      try {
        return await fetchBlocks(root, o);
      } finally {
        end();
      }
    },
  };
}
