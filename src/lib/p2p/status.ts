// A small observable of the node's network state. It follows Svelte's store contract (subscribe → unsubscribe),
// so a component can read it with `$status` while the core stays framework-free.
export type ConnectionKind = 'relay' | 'webrtc' | 'relayed' | 'direct';

export interface PeerStatus {
  id: string;
  /** One entry per open connection; a peer reached over WebRTC and through the relay shows both. */
  kinds: ConnectionKind[];
  remoteAddrs: string[];
}

export type RelayState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failed';

export interface TransferStatus {
  id: string;
  label: string;
  direction: 'download' | 'upload';
  bytes: number;
  total?: number;
  state: 'running' | 'done' | 'failed';
  /** How the bytes came, when known: the connection to the peer that sent them, or a community node's block gateway (HTTP). */
  via?: ConnectionKind | 'gateway';
  error?: string;
}

export interface NetworkStatus {
  peerId?: string;
  relay: {
    state: RelayState;
    multiaddr?: string;
    error?: string;
    /** ms from node start to the first relay connection */
    connectMs?: number;
    /** ms from the page's navigation start (performance.timeOrigin) to the first relay connection; browsers only */
    sincePageLoadMs?: number;
  };
  peers: PeerStatus[];
  transfers: TransferStatus[];
  listenAddrs: string[];
  /**
   * Where this peer keeps its key and blocks. Each tab of the app holds its own store (a second tab cannot share the
   * first one's peer id); `slot` 0 is the first tab's.
   */
  store?: { name: string; slot: number };
}

export type StatusListener = (status: NetworkStatus) => void;

export class StatusStore {
  #value: NetworkStatus;
  readonly #listeners = new Set<StatusListener>();

  constructor(initial?: Partial<NetworkStatus>) {
    this.#value = { relay: { state: 'idle' }, peers: [], transfers: [], listenAddrs: [], ...initial };
  }

  get(): NetworkStatus {
    return this.#value;
  }

  subscribe(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    listener(this.#value);
    return () => this.#listeners.delete(listener);
  }

  update(change: (current: NetworkStatus) => NetworkStatus): void {
    this.#value = change(this.#value);
    for (const listener of this.#listeners) listener(this.#value);
  }

  /** Adds or replaces a transfer by id; finished transfers stay listed (newest first, at most 20). */
  putTransfer(transfer: TransferStatus): void {
    this.update((s) => ({ ...s, transfers: [transfer, ...s.transfers.filter((t) => t.id !== transfer.id)].slice(0, 20) }));
  }
}
