// The community node: a libp2p relay (circuit relay v2 + WebSockets) that browsers dial first, a discovery hub
// (gossipsub peer discovery), and a Helia node whose blocks live on disk under dataDir so the peer id and any
// pinned shards survive restarts.
import '../src/lib/node/polyfills';
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createHeliaLight } from 'helia';
import { withLibp2pLight } from '@helia/libp2p';
import { withBitswap } from '@helia/bitswap';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { webSockets } from '@libp2p/websockets';
import { circuitRelayServer } from '@libp2p/circuit-relay-v2';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { gossipsub } from '@libp2p/gossipsub';
import { pubsubPeerDiscovery } from '@libp2p/pubsub-peer-discovery';
import { FsBlockstore } from 'blockstore-fs';
import { FsDatastore } from 'datastore-fs';
import { DISCOVERY_TOPIC } from '../src/lib/p2p/index';
import { createPublicClient, http } from 'viem';
import { servePinningApi } from './pinning-api';
import type { RelayLimitListener } from '../src/lib/p2p/index';
import {
  chainPinAuthority,
  createPinService,
  LocalPinRecords,
  serveAuthMailbox,
  serveCustodian,
  servePinning,
  type AuthMailboxOptions,
  type CustodianCaps,
  type PinningOptions,
} from '../src/lib/p2p/serve.node.ts';
import { serveBlockTransfer } from '../src/lib/p2p/index';
import { RelayStartError } from './errors';
import { loadOrCreateCustodianKey } from './custodian-key';
import { connectCustodyChain, type CustodyChainOptions } from './instantiations';
import { serveTreeSnapshots } from './tree-snapshots';
import { serveBlockGateway, type BlockGatewayLimits } from './block-gateway';

export interface RelayCustodianOptions {
  /** X25519 secret key; by default one is created once and kept in dataDir/custodian.key. */
  secretKey?: Uint8Array;
  /**
   * The GranuleRegistry this custodian serves: deposits only for α registered there (owner-signed, registered
   * manifest), releases only for instantiations recorded there, both read at head − confirmations.
   */
  chain: CustodyChainOptions;
  /** How long a deposit waits for its registration, and a release for its instantiation, to settle (ms). */
  waitMs?: number;
  /** How often the chain is read again while a request waits (ms). */
  pollMs?: number;
  /** Deposit caps (per peer, per α, manifest size); defaults in DEFAULT_CUSTODIAN_CAPS. */
  caps?: CustodianCaps;
}

export interface RelayPinningOptions extends Omit<PinningOptions, 'authority' | 'records' | 'onLimit' | 'log'> {
  /** The GranuleRegistry whose manifestOf(α) decides what is pinned (and whose Consortium lists members). */
  chain?: { rpcUrl: string; registry: `0x${string}` };
  /**
   * Also serve the IPFS Pinning Service API (relay/pinning-api.ts) over HTTP on this port (0: any free port) and host
   * (the relay's by default). Members authenticate with tokens signed for this node, so it needs the chain.
   */
  api?: { port: number; host?: string };
  /**
   * Also serve the blocks this node pins as an IPFS Trustless Gateway (relay/block-gateway.ts: GET /ipfs/{cid}, raw
   * blocks and CARs of whole pinned DAGs) on this port (0: any free port) and host (the relay's by default), for browsers to fetch over plain HTTP.
   */
  gateway?: { port: number; host?: string; limits?: Partial<BlockGatewayLimits> };
}

export interface StartRelayOptions {
  /** Interface to listen on; 127.0.0.1 by default. */
  host?: string;
  port: number;
  /** Where the peer key, datastore and blockstore live. */
  dataDir: string;
  /** Development relays listen on plain ws:// on loopback; production sits behind a TLS terminator (wss). */
  development: boolean;
  /**
   * Keep granules on this node (the paper's redundancy policy): only manifests the chain records for their α (and
   * the shards they name), and members' content within a quota. `true` takes every default; the chain is
   * `pinning.chain`, else the custodian's. Without a chain, nothing but `RunningRelay.pinning.records` is pinned.
   */
  pin?: boolean | RelayPinningOptions;
  /** Caps of the authorization-request mailbox (sizes, quotas, page size, expiry). */
  mailbox?: Omit<AuthMailboxOptions, 'onLimit' | 'log'>;
  /** Told of every refusal by the mailbox or the pinning service (they are logged as well). */
  onLimit?: RelayLimitListener;
  /** Where refusals are logged, throttled (console.warn by default). */
  log?: (line: string) => void;
  custodian?: RelayCustodianOptions;
  /** Extra public addresses to announce, e.g. /dns4/relay.example.org/tcp/443/wss. */
  announce?: string[];
  /**
   * Lift circuit relay v2's default per-connection limits (128 KiB / 2 min): a relayed fallback transfer of a granule
   * needs more. True by default; set false on a relay that must not carry bulk data.
   */
  liftRelayLimits?: boolean;
  /**
   * Publish the registry's two trees at GET /trees/snapshot (relay/tree-snapshots.ts) on this port (0: any free port)
   * and host (the relay's by default), so new members start from them instead of from the community's whole history.
   */
  trees?: { chain: { rpcUrl: string; registry: `0x${string}`; fromBlock?: number }; port: number; host?: string; intervalMs?: number };
}

export interface RunningRelay {
  peerId: string;
  multiaddrs: string[];
  /** Present when the custodian role runs: the key to list in the Consortium, and what it has seen on chain. */
  custodian?: { x25519PublicKey: string; registry: `0x${string}`; confirmations: number };
  /** Present when the pinning role runs: granules and members vouched for in process (besides the chain). */
  pinning?: {
    records: LocalPinRecords;
    chain?: { rpcUrl: string; registry: `0x${string}` } /** The Pinning Service API's base URL (its endpoint is `${apiUrl}/pins`). */;
    apiUrl?: string;
    /** The block gateway's base URL (blocks at `${gatewayUrl}/ipfs/{cid}`), when it is served. */
    gatewayUrl?: string;
  };
  /** Present when the relay publishes tree snapshots: their address (…/trees/snapshot). */
  trees?: { url: string };
  stop(): Promise<void>;
}

export type RelayNode = Awaited<ReturnType<typeof createRelayNode>>;

export async function createRelayNode(o: StartRelayOptions) {
  const host = o.host ?? '127.0.0.1';
  await mkdir(o.dataDir, { recursive: true });
  const datastore = new FsDatastore(join(o.dataDir, 'datastore'));
  const blockstore = new FsBlockstore(join(o.dataDir, 'blocks'));
  await datastore.open();
  await blockstore.open();
  const lift = o.liftRelayLimits ?? true;
  const helia = withBitswap(
    withLibp2pLight(createHeliaLight({ datastore, blockstore }), {
      addresses: { listen: [`/ip4/${host}/tcp/${o.port}/ws`], announce: o.announce ?? [] },
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      // Browsers come and go; a relay keeps many of them.
      connectionManager: { maxConnections: 512 },
      peerDiscovery: [pubsubPeerDiscovery({ interval: 2_000, topics: [DISCOVERY_TOPIC], listenOnly: false })],
      services: {
        identify: identify(),
        ping: ping(),
        relay: circuitRelayServer({
          reservations: lift ? { maxReservations: 512, applyDefaultLimit: false } : { maxReservations: 512 },
        }),
        // Every peer in tests and on a LAN shares one IP: without this, gossipsub's colocation penalty silences them.
        pubsub: gossipsub({
          allowPublishToZeroTopicPeers: true,
          scoreParams: { IPColocationFactorWeight: 0 },
        }),
      },
    }),
  );
  return helia;
}

/** Starts the relay and resolves once it listens. A port in use gives a RelayStartError naming the port. */
export async function startRelay(o: StartRelayOptions): Promise<RunningRelay> {
  const helia = await createRelayNode(o);
  try {
    await helia.start();
  } catch (error) {
    await helia.stop().catch(() => undefined);
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    if (code === 'EADDRINUSE' || /EADDRINUSE|address already in use/i.test(message)) {
      throw new RelayStartError(
        `The relay could not listen on ${o.host ?? '127.0.0.1'}:${o.port} because the port is in use. Stop the other process or choose another port (TWINGRAIN_RELAY_PORT).`,
      );
    }
    throw new RelayStartError(`The relay could not start: ${message}`);
  }
  const libp2p = helia.libp2p;
  const multiaddrs = libp2p.getMultiaddrs().map((m) => m.toString());
  const stops: Array<() => Promise<void> | void> = [];
  let custodian: RunningRelay['custodian'];
  let pinning: RunningRelay['pinning'];
  let trees: RunningRelay['trees'];
  try {
    const limitHooks = { ...(o.onLimit ? { onLimit: o.onLimit } : {}), ...(o.log ? { log: o.log } : {}) };
    const mailbox = await serveAuthMailbox(libp2p, { ...o.mailbox, ...limitHooks });
    stops.push(() => mailbox.stop());
    // Pinned shards go out over the direct block protocol (bitswap stays for everyone else).
    const blocks = await serveBlockTransfer(helia);
    stops.push(() => blocks.stop());
    if (o.pin) {
      const { chain: pinChain, api, gateway, ...pinOptions } = o.pin === true ? {} : o.pin;
      const chain = pinChain ?? (o.custodian?.chain ? { rpcUrl: o.custodian.chain.rpcUrl, registry: o.custodian.chain.registry } : undefined);
      const records = new LocalPinRecords();
      // A second handle on the same directory: Helia's own delete needs content routers, which the relay has not.
      const disk = new FsBlockstore(join(o.dataDir, 'blocks'));
      await disk.open();
      const deleteBlock = (cid: Parameters<FsBlockstore['delete']>[0]): Promise<void> => disk.delete(cid);
      const pinningOptions: PinningOptions = { ...pinOptions, ...limitHooks, records, deleteBlock, ...(chain ? { authority: chainPinAuthority(chain) } : {}) };
      // One core for both doors (libp2p and HTTP): the same quota counters and locks.
      const core = createPinService(helia, pinningOptions);
      const service = await servePinning(helia, pinningOptions, core);
      stops.push(() => disk.close());
      stops.push(() => service.stop());
      let apiUrl: string | undefined;
      if (api) {
        if (!chain)
          throw new RelayStartError(
            'The Pinning Service API checks that callers are members of the Consortium: give the relay its chain (--rpc and --registry, or --config).',
          );
        let chainId: number;
        try {
          chainId = await createPublicClient({ transport: http(chain.rpcUrl) }).getChainId();
        } catch (error) {
          throw new RelayStartError(
            `The pinning API cannot read the chain at ${chain.rpcUrl} (${(error as Error).message.split('\n')[0]}). Start the chain first or fix --rpc.`,
          );
        }
        const running = await servePinningApi({
          helia,
          service: core,
          host: api.host ?? o.host ?? '127.0.0.1',
          port: api.port,
          challenge: { service: libp2p.peerId.toString(), chainId, registry: chain.registry },
          ...(o.onLimit ? { onLimit: o.onLimit } : {}),
        }).catch((error: NodeJS.ErrnoException) => {
          throw new RelayStartError(
            error.code === 'EADDRINUSE'
              ? `The pinning API could not listen on ${api.host ?? o.host ?? '127.0.0.1'}:${api.port} because the port is in use: choose another (--pins-port).`
              : `The pinning API could not start: ${error.message}`,
          );
        });
        stops.push(() => running.stop());
        apiUrl = running.url;
      }
      let gatewayUrl: string | undefined;
      if (gateway) {
        const gatewayHost = gateway.host ?? o.host ?? '127.0.0.1';
        const running = await serveBlockGateway({
          helia,
          host: gatewayHost,
          port: gateway.port,
          ...(gateway.limits ? { limits: gateway.limits } : {}),
          ...limitHooks,
        }).catch((error: NodeJS.ErrnoException) => {
          throw new RelayStartError(
            error.code === 'EADDRINUSE'
              ? `The block gateway could not listen on ${gatewayHost}:${gateway.port} because the port is in use: choose another (--gateway-port).`
              : `The block gateway could not start: ${error.message}`,
          );
        });
        stops.push(() => running.stop());
        gatewayUrl = running.url;
      }
      pinning = { records, ...(chain ? { chain } : {}), ...(apiUrl ? { apiUrl } : {}), ...(gatewayUrl ? { gatewayUrl } : {}) };
    }
    if (o.custodian) {
      const secretKey = o.custodian.secretKey ?? (await loadOrCreateCustodianKey(o.dataDir));
      const chain = await connectCustodyChain(o.custodian.chain);
      const service = await serveCustodian({
        helia,
        secretKey,
        chain,
        ...(o.custodian.waitMs !== undefined ? { waitMs: o.custodian.waitMs } : {}),
        ...(o.custodian.pollMs !== undefined ? { pollMs: o.custodian.pollMs } : {}),
        ...(o.custodian.caps ? { caps: o.custodian.caps } : {}),
      });
      stops.push(() => service.stop());
      custodian = { x25519PublicKey: service.publicKeyHex, registry: chain.registry, confirmations: chain.confirmations };
    }
    if (o.trees) {
      const t = o.trees;
      const host = t.host ?? o.host ?? '127.0.0.1';
      const snapshots = await serveTreeSnapshots({
        publicClient: createPublicClient({ transport: http(t.chain.rpcUrl) }),
        registry: t.chain.registry,
        ...(t.chain.fromBlock !== undefined ? { fromBlock: t.chain.fromBlock } : {}),
        dataDir: o.dataDir,
        host,
        port: t.port,
        ...(t.intervalMs !== undefined ? { intervalMs: t.intervalMs } : {}),
        log: o.log ?? ((line) => console.warn(line)),
      }).catch((error: NodeJS.ErrnoException) => {
        throw new RelayStartError(
          error.code === 'EADDRINUSE'
            ? `The tree snapshots could not be served on ${host}:${t.port} because the port is in use: choose another (--trees-port).`
            : `The tree snapshots could not start: ${error.message}`,
        );
      });
      stops.push(() => snapshots.stop());
      trees = { url: snapshots.url };
    }
  } catch (error) {
    for (const stop of stops.reverse()) await Promise.resolve(stop()).catch(() => undefined);
    await helia.stop().catch(() => undefined);
    throw error instanceof RelayStartError ? error : new RelayStartError(`The relay could not start its roles: ${(error as Error).message}`);
  }
  let stopped = false;
  return {
    peerId: libp2p.peerId.toString(),
    multiaddrs,
    custodian,
    pinning,
    ...(trees ? { trees } : {}),
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const s of stops.reverse()) await s();
      await helia.stop();
    },
  };
}
