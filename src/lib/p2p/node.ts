// The one interface behind the browser node (IndexedDB, WebRTC) and the Node node (files or memory, WebSockets).
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import type { StatusStore } from './status';
import type { Supervisor } from './supervisor';
import type { TransferTestResult } from './transfer-test';

export interface TwingrainNode {
  helia: Helia & { libp2p: Libp2p };
  libp2p: Libp2p;
  status: StatusStore;
  supervisor: Supervisor;
  peerId: string;
  /** Has `peerId` fetch `bytes` random bytes from us over bitswap and report the time (Network page, benchmarks). */
  transferTest(peerId: string, bytes: number): Promise<TransferTestResult>;
  /** Fetches granule blocks through these block gateways (base URLs) from now on; none: only over libp2p. */
  setBlockGateways(urls: readonly string[]): void;
  stop(): Promise<void>;
}

export interface NodeRelayConfig {
  multiaddrs: string[];
  /** Allow ws:// and loopback/private addresses (the local development relay only). */
  development: boolean;
  /**
   * Community nodes' block gateways (IPFS Trustless Gateways, base URLs) to fetch granule blocks from over HTTP,
   * after directly connected peers and before the relays. Absent: unchanged (a running node keeps its gateways).
   */
  gateways?: readonly string[];
}
