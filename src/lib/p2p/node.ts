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
  stop(): Promise<void>;
}

export interface NodeRelayConfig {
  multiaddrs: string[];
  /** Allow ws:// and loopback/private addresses (the local development relay only). */
  development: boolean;
}
