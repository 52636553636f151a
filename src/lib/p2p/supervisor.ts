// Keeps a libp2p node attached to the network: dials the relays from the runtime config (and redials when the
// connection drops), dials peers that discovery reports (libp2p 3 does not do it by itself), preferring a direct
// WebRTC connection signalled through the relay, and mirrors all of it into a StatusStore.
import type { Connection, Libp2p, PeerInfo } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import type { ConnectionKind, PeerStatus, StatusStore } from './status';
import { RelayAddressError } from './errors';

export interface SupervisorOptions {
  relayMultiaddrs: string[];
  status: StatusStore;
  /** Dial peers found through discovery. Browsers do; the relay does not need to. */
  dialDiscovered: boolean;
  /** WebRTC attempts before falling back to a relayed connection (about 1 in 10 fail on a busy machine). */
  webrtcAttempts?: number;
  /** How long the peer with the larger id waits for the other to dial before dialing itself (ms). */
  answerDeferMs?: number;
  /** Later tries to turn a relayed connection to a peer into a direct WebRTC one (default 4: after 5, 10, 20, 40 s). */
  upgradeAttempts?: number;
}

export interface Supervisor {
  relayPeerIds: Set<string>;
  /** Resolves when a relay is connected (or rejects after the timeout). */
  relayConnected(timeoutMs?: number): Promise<void>;
  /** Dials a peer, direct WebRTC first; returns the connection kind obtained. */
  dialPeer(peerId: string, addrs: Array<Multiaddr | string>): Promise<ConnectionKind>;
  stop(): void;
}

export function parseRelayMultiaddrs(addrs: string[]): Multiaddr[] {
  return addrs.map((text) => {
    let ma: Multiaddr;
    try {
      ma = multiaddr(text);
    } catch {
      throw new RelayAddressError(
        `"${text}" is not a multiaddr. Relay addresses look like /ip4/127.0.0.1/tcp/9090/ws/p2p/12D3Koo…; check relay.multiaddrs in the configuration.`,
      );
    }
    if (ma.getComponents().find((c) => c.name === 'p2p') === undefined) {
      throw new RelayAddressError(
        `The relay address ${text} has no /p2p/<peer id> part, so the relay cannot be authenticated. Use the full address the relay prints.`,
      );
    }
    return ma;
  });
}

export function peerIdOf(ma: Multiaddr): string | undefined {
  const parts = ma.getComponents().filter((c) => c.name === 'p2p');
  return parts[parts.length - 1]?.value;
}

export function connectionKind(connection: Connection, relayPeerIds: Set<string>): ConnectionKind {
  if (relayPeerIds.has(connection.remotePeer.toString())) return 'relay';
  const addr = connection.remoteAddr.toString();
  if (addr.includes('/p2p-circuit') && !addr.includes('/webrtc')) return 'relayed';
  if (connection.limits != null) return 'relayed';
  if (addr.includes('/webrtc')) return 'webrtc';
  return 'direct';
}

export function supervise(libp2p: Libp2p, o: SupervisorOptions): Supervisor {
  const relays = parseRelayMultiaddrs(o.relayMultiaddrs);
  const relayPeerIds = new Set(relays.map((r) => peerIdOf(r)!));
  const startedAt = Date.now();
  // In a page, performance.now() counts from navigation start; in Node from process start, which means nothing here.
  const inBrowser = typeof document !== 'undefined';
  const attempts = o.webrtcAttempts ?? 3;
  const deferMs = o.answerDeferMs ?? 5_000;
  const upgradeAttempts = o.upgradeAttempts ?? 4;
  let stopped = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const dialing = new Set<string>();
  const waiters = new Set<() => void>();

  const refreshPeers = (): void => {
    const byPeer = new Map<string, PeerStatus>();
    for (const c of libp2p.getConnections()) {
      if (c.status !== 'open') continue;
      const id = c.remotePeer.toString();
      const entry = byPeer.get(id) ?? { id, kinds: [], remoteAddrs: [] };
      entry.kinds.push(connectionKind(c, relayPeerIds));
      entry.remoteAddrs.push(c.remoteAddr.toString());
      byPeer.set(id, entry);
    }
    const relayUp = [...byPeer.keys()].some((id) => relayPeerIds.has(id));
    o.status.update((s) => ({
      ...s,
      peers: [...byPeer.values()],
      listenAddrs: libp2p.getMultiaddrs().map((m) => m.toString()),
      relay: relayUp
        ? {
            ...s.relay,
            state: 'connected',
            error: undefined,
            connectMs: s.relay.connectMs ?? Date.now() - startedAt,
            sincePageLoadMs: s.relay.sincePageLoadMs ?? (inBrowser ? Math.round(performance.now()) : undefined),
          }
        : s.relay.state === 'connected'
          ? { ...s.relay, state: 'disconnected' }
          : s.relay,
    }));
    if (relayUp) for (const w of waiters) w();
  };

  const later = (ms: number, fn: () => void): void => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (!stopped) fn();
    }, ms);
    timers.add(t);
  };

  let relayBackoff = 500;
  const dialRelays = async (): Promise<void> => {
    if (stopped) return;
    o.status.update((s) => (s.relay.state === 'connected' ? s : { ...s, relay: { ...s.relay, state: 'connecting', multiaddr: relays[0]?.toString() } }));
    let ok = false;
    let missing = 0;
    let lastError = '';
    for (const relay of relays) {
      try {
        // Bounded: a dial that hangs (a relay half gone) would otherwise hold the status at "connecting" for good.
        await libp2p.dial(relay, { signal: AbortSignal.timeout(10_000) });
        ok = true;
        o.status.update((s) => ({ ...s, relay: { ...s.relay, multiaddr: relay.toString() } }));
      } catch (error) {
        missing++;
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
    if (ok) {
      refreshPeers();
      // Every listed relay matters (each may be a key custodian): keep trying the ones that are down.
      if (missing > 0 && !stopped) {
        later(relayBackoff, () => void dialRelays());
        relayBackoff = Math.min(relayBackoff * 2, 10_000);
      } else relayBackoff = 500;
    } else if (!stopped) {
      o.status.update((s) => ({ ...s, relay: { ...s.relay, state: 'failed', error: `Cannot reach the relay (${lastError}). Retrying.` } }));
      later(relayBackoff, () => void dialRelays());
      relayBackoff = Math.min(relayBackoff * 2, 10_000);
    }
  };

  const directTo = (peerId: string): Connection | undefined =>
    libp2p
      .getConnections()
      .find((c) => c.status === 'open' && c.remotePeer.toString() === peerId && ['webrtc', 'direct'].includes(connectionKind(c, relayPeerIds)));

  // One dial per peer at a time: a second WebRTC connection to the same peer is worse than none (streams opened on
  // the one still being set up on the other side fail).
  const inFlight = new Map<string, Promise<ConnectionKind>>();
  const dialPeer = (peerId: string, given: Array<Multiaddr | string>): Promise<ConnectionKind> => {
    const open = directTo(peerId);
    if (open) return Promise.resolve(connectionKind(open, relayPeerIds));
    let p = inFlight.get(peerId);
    if (!p) {
      p = dialNew(peerId, given).finally(() => inFlight.delete(peerId));
      inFlight.set(peerId, p);
    }
    return p;
  };

  const dialNew = async (peerId: string, given: Array<Multiaddr | string>): Promise<ConnectionKind> => {
    const addrs = given.map((a) => (typeof a === 'string' ? multiaddr(a) : a));
    const webrtc = addrs.filter((a) => a.toString().includes('/webrtc'));
    const circuit = addrs.filter((a) => a.toString().includes('/p2p-circuit') && !a.toString().includes('/webrtc'));
    const other = addrs.filter((a) => !a.toString().includes('/p2p-circuit'));
    let lastError: unknown;
    for (let i = 0; i < attempts && webrtc.length > 0; i++) {
      try {
        const c = await libp2p.dial(webrtc, { signal: AbortSignal.timeout(10_000) });
        return connectionKind(c, relayPeerIds);
      } catch (error) {
        lastError = error;
      }
    }
    for (const group of [other, circuit]) {
      if (group.length === 0) continue;
      try {
        const c = await libp2p.dial(group, { signal: AbortSignal.timeout(10_000) });
        const kind = connectionKind(c, relayPeerIds);
        if (kind === 'relayed') scheduleUpgrade(peerId, webrtc);
        return kind;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError instanceof Error ? lastError : new Error(`no dialable address for ${peerId}`);
  };

  const self = libp2p.peerId.toString();

  // A WebRTC dial that failed (about 1 in 10 on a busy machine) left the peer reached only through the relay, which
  // carries every block twice and is rate-limited. It is tried again later, a few times, from the peer's addresses as
  // identify reported them; the peer with the larger id waits longer, so the two do not open two connections at once.
  const upgradesTried = new Map<string, number>();
  const upgradePending = new Set<string>();
  const webrtcAddrsOf = async (id: string, given: Multiaddr[]): Promise<Multiaddr[]> => {
    const fromGiven = given.filter((a) => a.toString().includes('/webrtc'));
    if (fromGiven.length > 0) return fromGiven;
    const peer = libp2p.getConnections().find((c) => c.remotePeer.toString() === id)?.remotePeer;
    if (!peer) return [];
    try {
      return (await libp2p.peerStore.get(peer)).addresses.map((a) => a.multiaddr).filter((a) => a.toString().includes('/webrtc'));
    } catch {
      return [];
    }
  };
  const scheduleUpgrade = (id: string, given: Multiaddr[]): void => {
    if (!o.dialDiscovered || stopped || relayPeerIds.has(id) || id === self || upgradePending.has(id)) return;
    const tried = upgradesTried.get(id) ?? 0;
    if (tried >= upgradeAttempts) return;
    upgradesTried.set(id, tried + 1);
    upgradePending.add(id);
    later(5_000 * 2 ** tried + (self < id ? 0 : deferMs), () => {
      upgradePending.delete(id);
      // Gone (it left, or the relay dropped it): nothing to upgrade.
      if (directTo(id) || inFlight.has(id) || libp2p.getConnections().every((c) => c.remotePeer.toString() !== id)) return;
      void webrtcAddrsOf(id, given).then((addrs) => {
        if (addrs.length === 0 || directTo(id) || inFlight.has(id)) return;
        void dialPeer(id, addrs)
          .then((kind) => (kind === 'webrtc' || kind === 'direct' ? undefined : scheduleUpgrade(id, addrs)))
          .catch(() => scheduleUpgrade(id, addrs))
          .finally(refreshPeers);
      });
    });
  };

  const onDiscovery = (event: CustomEvent<PeerInfo>): void => {
    if (!o.dialDiscovered || stopped) return;
    const id = event.detail.id.toString();
    if (relayPeerIds.has(id) || dialing.has(id) || directTo(id)) return;
    const addrs = event.detail.multiaddrs.map((a) => (peerIdOf(a) === id ? a : a.encapsulate(`/p2p/${id}`)));
    if (addrs.length === 0) return;
    dialing.add(id);
    const dial = (): void =>
      void dialPeer(id, addrs)
        .catch(() => undefined)
        .finally(() => {
          dialing.delete(id);
          refreshPeers();
        });
    // Both peers discover each other at about the same time; if both dialed, each would end up with two WebRTC
    // connections. The peer with the smaller id dials; the other one only if no connection arrived meanwhile.
    if (self < id) return dial();
    later(deferMs, () => {
      if (directTo(id)) {
        dialing.delete(id);
        return;
      }
      dial();
    });
  };

  const onOpen = (event: CustomEvent<Connection>): void => {
    refreshPeers();
    const c = event.detail;
    if (connectionKind(c, relayPeerIds) === 'relayed') scheduleUpgrade(c.remotePeer.toString(), []);
  };
  const onClose = (event: CustomEvent<Connection>): void => {
    refreshPeers();
    const id = event.detail.remotePeer.toString();
    if (relayPeerIds.has(id) && libp2p.getConnections(event.detail.remotePeer).length === 0) later(300, () => void dialRelays());
  };
  const onSelf = (): void => refreshPeers();

  libp2p.addEventListener('peer:discovery', onDiscovery);
  libp2p.addEventListener('connection:open', onOpen);
  libp2p.addEventListener('connection:close', onClose);
  libp2p.addEventListener('self:peer:update', onSelf);
  o.status.update((s) => ({ ...s, peerId: libp2p.peerId.toString() }));
  void dialRelays();

  return {
    relayPeerIds,
    dialPeer,
    relayConnected(timeoutMs = 15_000) {
      if (o.status.get().relay.state === 'connected') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const done = (): void => {
          clearTimeout(t);
          waiters.delete(done);
          resolve();
        };
        const t = setTimeout(() => {
          waiters.delete(done);
          reject(
            new RelayAddressError(
              `The relay did not answer within ${timeoutMs} ms. Check that it is running (npx twingrain relay) and that relay.multiaddrs is right.`,
            ),
          );
        }, timeoutMs);
        waiters.add(done);
      });
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      libp2p.removeEventListener('peer:discovery', onDiscovery);
      libp2p.removeEventListener('connection:open', onOpen);
      libp2p.removeEventListener('connection:close', onClose);
      libp2p.removeEventListener('self:peer:update', onSelf);
    },
  };
}
