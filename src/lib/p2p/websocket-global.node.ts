// Node 20 has no global WebSocket (Node 22 does); the libp2p WebSockets transport dials with the global one.
// undici (already pinned to ^7 in package.json overrides for Helia) provides the standard implementation.
import { WebSocket as UndiciWebSocket } from 'undici';

if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
  Object.defineProperty(globalThis, 'WebSocket', { configurable: true, writable: true, value: UndiciWebSocket });
}
