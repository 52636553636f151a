// The Content-Security-Policy the app and its workers are served with (issue 13, item 2: defence in depth behind
// the granule sandbox). It is an HTTP header, not a <meta> tag: a meta policy does not reach workers, and a dedicated
// or service worker script takes its policy from its own response. The app needs only its own origin, the chain RPC
// and the relays of the runtime configuration; everything else — remote scripts, fonts, images, beacons, sockets — is
// refused by the browser, whatever code (granule code included) asks for it.
import type { RuntimeConfig } from '../../src/lib/config';

/** The origins the app's fetch/WebSocket traffic really needs beyond 'self': the chain RPC, the relays, the pinning services. */
export function connectSources(config: RuntimeConfig | undefined): string[] {
  if (!config) return [];
  const out = new Set<string>();
  try {
    const rpc = new URL(config.chain.rpcUrl);
    if (/^(https?|wss?):$/.test(rpc.protocol)) out.add(rpc.origin === 'null' ? `${rpc.protocol}//${rpc.host}` : rpc.origin);
  } catch {
    /* a malformed RPC URL is reported by the app itself; it gets no exception here */
  }
  for (const addr of config.relay.multiaddrs) {
    const ws = multiaddrToWebSocket(addr);
    if (ws) out.add(ws);
  }
  // The pinning services the app pins granules through (IPFS Pinning Service API over http(s)).
  for (const service of config.pinning?.services ?? []) {
    try {
      const url = new URL(service.endpoint);
      if (/^https?:$/.test(url.protocol) && /^[A-Za-z0-9.:[\]-]+$/.test(url.host)) out.add(url.origin);
    } catch {
      /* refused by parseRuntimeConfig already */
    }
  }
  // The community nodes' block gateways the app fetches granule blocks from.
  for (const gateway of config.relay.gateways ?? []) {
    try {
      const url = new URL(gateway);
      if (/^https?:$/.test(url.protocol) && /^[A-Za-z0-9.:[\]-]+$/.test(url.host)) out.add(url.origin);
    } catch {
      /* refused by parseRuntimeConfig already */
    }
  }
  // The community node's tree snapshot a new browser starts from.
  if (config.trees) {
    try {
      const url = new URL(config.trees.snapshot);
      if (/^https?:$/.test(url.protocol) && /^[A-Za-z0-9.:[\]-]+$/.test(url.host)) out.add(url.origin);
    } catch {
      /* refused by parseRuntimeConfig already */
    }
  }
  return [...out];
}

/** /ip4/127.0.0.1/tcp/9090/ws/p2p/… → ws://127.0.0.1:9090 (wss for /wss or /tls/ws); null for non-WebSocket addresses. */
export function multiaddrToWebSocket(addr: string): string | null {
  const m = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/(\d+)\/(ws|wss|tls\/ws|tls\/sni\/[^/]+\/ws)(\/|$)/.exec(addr);
  if (!m) return null;
  const host = m[1] === 'ip6' ? `[${m[2]}]` : m[2]!;
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) return null;
  return `${m[4] === 'ws' ? 'ws' : 'wss'}://${host}:${m[3]}`;
}

/** The exact header value for a deployment with this runtime configuration. */
export function contentSecurityPolicy(config: RuntimeConfig | undefined): string {
  return [
    "default-src 'self'",
    // snarkjs and the QuickJS sandbox compile WebAssembly; no remote or inline script, no eval.
    "script-src 'self' 'wasm-unsafe-eval'",
    // snarkjs starts its provers from blob: URLs (a blob: worker inherits this page's policy).
    "worker-src 'self' blob:",
    ['connect-src', "'self'", ...connectSources(config)].join(' '),
    "img-src 'self' data: blob:",
    "font-src 'self'",
    // Svelte sets style attributes; styles cannot reach the network past img-src and font-src.
    "style-src 'self' 'unsafe-inline'",
    "media-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
