// Which community block gateways the app asks at all: https addresses on the internet only, except for the local
// development node (plain http, loopback and private addresses, as its relay dial allows there). One rule for both
// ways of asking — whole DAGs as CARs (gateway-car.ts) and block by block through Helia's broker (gateway-blocks.ts) —
// so the two cannot drift apart. "Private" is libp2p's own list, the one its connection gater refuses for dials.
import { isPrivateIp } from '@libp2p/utils';

/** Why the gateway at `url` is not asked (a sentence for the failure record), or undefined when it may be. */
export function gatewayRefusal(url: string, development: boolean): string | undefined {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    return `Block gateway ${url} is not a web address; it is not asked.`;
  }
  if (base.protocol !== 'https:' && base.protocol !== 'http:') return `Block gateway ${url} is not an http(s) address; it is not asked.`;
  if (development) return undefined;
  // URL has already normalised the host: IPv4 in dotted decimal, IPv6 in brackets and compressed, names lower case.
  const host = base.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  const local = isPrivateIp(host) === true || host === 'localhost' || host.endsWith('.localhost');
  if (base.protocol !== 'https:' || local) return `Block gateway ${base.origin} is not an https address on the internet; it is not asked.`;
  return undefined;
}
