// Which community services a peer can reach right now. Identify runs just after a connection opens, so asking for a
// protocol before it finished would find nobody and fail for no reason: this waits for them, up to a deadline.
import type { Libp2p } from '@libp2p/interface';
import { peersWithProtocol } from '../p2p/index';

/**
 * Waits until at least `wants[protocol]` connected peers announce each protocol, or until `timeoutMs` passed;
 * returns how many were found (the caller says what is missing, so a short count is not an error here).
 */
export async function waitForServices(libp2p: Libp2p, wants: Record<string, number>, timeoutMs: number): Promise<Record<string, number>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found: Record<string, number> = {};
    for (const protocol of Object.keys(wants)) found[protocol] = (await peersWithProtocol(libp2p, protocol)).length;
    if (Object.entries(wants).every(([p, n]) => (found[p] ?? 0) >= n) || Date.now() >= deadline) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
}
