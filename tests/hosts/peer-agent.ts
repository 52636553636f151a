// A light node on one host of the test bed, for what the CLI has no command for: `serve` keeps a peer on the relays
// and prints its addresses (a line each time they change: its relayed address moves when its relay goes);
// `reach <multiaddr>` dials another peer at a relayed address and runs a transfer test over that connection.
// One JSON object per line on stdout.
import '../../src/lib/node/polyfills';
import { multiaddr } from '@multiformats/multiaddr';
import { createNodeNode } from '../../src/lib/p2p/node.node.ts';

const [mode, relaysJson, target] = process.argv.slice(2);
const print = (o: unknown): void => void process.stdout.write(`${JSON.stringify(o)}\n`);
const node = await createNodeNode({ multiaddrs: JSON.parse(relaysJson ?? '[]') as string[], development: true });
await node.supervisor.relayConnected(30_000);

if (mode === 'serve') {
  const report = (): void => print({ peerId: node.peerId, addrs: node.libp2p.getMultiaddrs().map(String) });
  report();
  node.libp2p.addEventListener('self:peer:update', report);
  process.on('SIGTERM', () => void node.stop().finally(() => process.exit(0)));
} else if (mode === 'reach' && target) {
  const peerId = target.split('/p2p/').pop()!;
  const connection = await node.libp2p.dial(multiaddr(target), { signal: AbortSignal.timeout(30_000) });
  const result = await node.transferTest(peerId, 256 * 1024);
  print({ ...result, remoteAddr: connection.remoteAddr.toString() });
  await node.stop();
  process.exit(0);
} else {
  process.stderr.write('usage: peer-agent serve <relays JSON> | reach <relays JSON> <multiaddr>\n');
  process.exit(2);
}
