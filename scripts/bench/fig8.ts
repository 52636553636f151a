// Fig. 8 of the paper, reproduced: inbound and outbound bytes per second at the chain node and at the relay against
// the sending rate, block size 8. Counting TCP proxies (scripts/bench/_proxy.ts) sit in front of anvil's RPC and of the
// relay's WebSocket port, so every byte a client exchanges with either is counted. Writes docs/bench/fig8.md, .json, .svg.
import { mkdtemp, rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Hex } from 'viem';
import { writeSummary } from './_summary';
import { machineStamp, markdownTable } from './report';
import { rpc, runLoad, startBenchChain } from './_chain';
import { freePort, startCountingProxy, type CountingProxy } from './_proxy';
import { linePlot } from '../../src/lib/incentive/index';
import { RATES, SENDERS } from './table4';

const BLOCK_SIZE = 8;
const SECONDS = Number(process.env.TWINGRAIN_BENCH_LOAD_SECONDS ?? 8);
/** How often a sender's app asks for its receipt while it waits (viem's waitForTransactionReceipt polls similarly). */
const RECEIPT_POLL_MS = 1_000;
const IDLE_SECONDS = 5;
/** Node peers kept connected to the relay during the run, as app tabs would be. */
const PEERS = 2;

interface Counters {
  chainIn: number;
  chainOut: number;
  relayIn: number;
  relayOut: number;
}

interface Fig8Row extends Counters {
  rate: number;
  seconds: number;
  transactions: number;
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const log = (s: string) => process.stdout.write(`  fig8: ${s}\n`);
  const started = Date.now();
  const load0 = loadavg()[0]!;
  const chain = await startBenchChain({ senders: SENDERS, transactions: Math.max(...RATES) * SECONDS, log });
  // The chain node's front door is the ordering service (it passes everything but transactions on to anvil).
  const anvilPort = Number(new URL(chain.orderer.url).port);
  // Clients (senders and their receipt polling) reach anvil through one proxy, the relay's chain watcher through
  // another, so the relay's own RPC traffic is counted both at the chain node and at the relay.
  const clientsToChain = await startCountingProxy(anvilPort);
  const relayToChain = await startCountingProxy(anvilPort);
  let relayP2p: CountingProxy | undefined;
  let relayNote = '';
  const stops: Array<() => Promise<void>> = [];
  try {
    try {
      const { startRelay } = await import('../../relay/relay');
      const { createNodeNode } = await import('../../src/lib/p2p/node.node.ts');
      const dataDir = await mkdtemp(join(tmpdir(), 'twingrain-fig8-relay-'));
      stops.push(() => rm(dataDir, { recursive: true, force: true }));
      const relay = await startRelay({
        port: await freePort(),
        dataDir,
        development: true,
        pin: true,
        custodian: { chain: { rpcUrl: `http://127.0.0.1:${relayToChain.port}`, registry: chain.registry } },
      });
      stops.push(() => relay.stop());
      const relayPort = Number(/\/tcp\/(\d+)\//.exec(relay.multiaddrs[0] ?? '')?.[1]);
      relayP2p = await startCountingProxy(relayPort);
      const viaProxy = `/ip4/127.0.0.1/tcp/${relayP2p.port}/ws/p2p/${relay.peerId}`;
      for (let i = 0; i < PEERS; i++) {
        const peer = await createNodeNode({ multiaddrs: [viaProxy], development: true });
        stops.push(() => peer.stop());
      }
      await new Promise((r) => setTimeout(r, 3_000));
    } catch (error) {
      relayNote = `The relay could not be measured: ${(error as Error).message.split('\n')[0]}`;
      log(relayNote);
    }

    const counters = (): Counters => ({
      chainIn: clientsToChain.inbound + relayToChain.inbound,
      chainOut: clientsToChain.outbound + relayToChain.outbound,
      // From the relay's side, its RPC requests are outbound and the answers inbound.
      relayIn: (relayP2p?.inbound ?? 0) + relayToChain.outbound,
      relayOut: (relayP2p?.outbound ?? 0) + relayToChain.inbound,
    });
    const rows: Fig8Row[] = [];
    const rowFrom = (rate: number, a: Counters, b: Counters, seconds: number, transactions: number): Fig8Row => ({
      rate,
      seconds,
      transactions,
      chainIn: (b.chainIn - a.chainIn) / seconds,
      chainOut: (b.chainOut - a.chainOut) / seconds,
      relayIn: (b.relayIn - a.relayIn) / seconds,
      relayOut: (b.relayOut - a.relayOut) / seconds,
    });

    // Idle: the relay's chain watcher, peer heartbeats and discovery, no registrations.
    const idle0 = counters();
    await new Promise((r) => setTimeout(r, IDLE_SECONDS * 1000));
    rows.push(rowFrom(0, idle0, counters(), IDLE_SECONDS, 0));

    const sendUrl = `http://127.0.0.1:${clientsToChain.port}`;
    for (const rate of RATES) {
      const polls = new Set<Promise<void>>();
      let done = false;
      const waitForReceipt = (hash: Hex) => {
        const p = (async () => {
          while (!done) {
            await new Promise((r) => setTimeout(r, RECEIPT_POLL_MS));
            if (await rpc(sendUrl, 'eth_getTransactionReceipt', [hash])) return;
          }
        })();
        polls.add(p);
        void p.finally(() => polls.delete(p));
      };
      const before = counters();
      const t0 = performance.now();
      const r = await runLoad(chain, { rate, count: rate * SECONDS, blockSize: BLOCK_SIZE, sendUrl, onSent: waitForReceipt });
      // Every included transaction's app sees its receipt at its next poll; a lost one must not hang the bench.
      await Promise.race([Promise.all(polls), new Promise((r) => setTimeout(r, RECEIPT_POLL_MS * 3))]);
      done = true;
      const seconds = (performance.now() - t0) / 1000;
      rows.push(rowFrom(rate, before, counters(), seconds, r.latencies.length));
      log(`rate ${rate}: chain in ${(rows.at(-1)!.chainIn / 1024).toFixed(1)} KiB/s, out ${(rows.at(-1)!.chainOut / 1024).toFixed(1)} KiB/s`);
    }
    const load1 = loadavg()[0]!;
    const k = (v: number) => (v / 1024).toFixed(2);
    const table = rows.map((r) => [
      r.rate === 0 ? 'idle' : r.rate,
      r.transactions,
      r.seconds.toFixed(1),
      k(r.chainIn),
      k(r.chainOut),
      (r.chainOut / (r.chainIn || 1)).toFixed(2),
      relayP2p ? k(r.relayIn) : '—',
      relayP2p ? k(r.relayOut) : '—',
    ]);
    const loaded = rows.filter((r) => r.rate > 0);
    const perTx = loaded.map((r) => [
      r.rate,
      (((r.chainIn - rows[0]!.chainIn) * r.seconds) / r.transactions).toFixed(0),
      (((r.chainOut - rows[0]!.chainOut) * r.seconds) / r.transactions).toFixed(0),
    ]);
    const series = [
      { label: 'chain node in', color: '#1f77b4', points: loaded.map((r): [number, number] => [r.rate, r.chainIn / 1024]) },
      { label: 'chain node out', color: '#d62728', points: loaded.map((r): [number, number] => [r.rate, r.chainOut / 1024]) },
      ...(relayP2p
        ? [
            { label: 'relay in', color: '#2ca02c', dashed: true, points: loaded.map((r): [number, number] => [r.rate, r.relayIn / 1024]) },
            { label: 'relay out', color: '#9467bd', dashed: true, points: loaded.map((r): [number, number] => [r.rate, r.relayOut / 1024]) },
          ]
        : []),
    ];
    writeFileSync(
      join(ctx.outDir, 'fig8.svg'),
      linePlot({ title: 'Bandwidth against sending rate (block size 8)', xLabel: 'sending rate (tx/s)', yLabel: 'KiB/s', xScale: 'log2', series }),
    );
    const md = `# Fig. 8 — bandwidth at the chain node and the relay against sending rate (block size ${BLOCK_SIZE})

${machineStamp()}. ${SECONDS} s of registration load per rate, same chain, senders, proofs and block producer as Table 4.
Load average (1 min) ${load0.toFixed(2)} → ${load1.toFixed(2)}. Took ${((Date.now() - started) / 1000).toFixed(0)} s.

**How it is counted.** Counting TCP proxies sit in front of anvil's RPC port and the relay's WebSocket port; every byte
a client sends to the server is *in*, every byte back is *out* (HTTP headers, WebSocket framing, noise encryption
included). At the chain node: the senders' \`eth_sendRawTransaction\`, each sender's app polling its receipt every
${RECEIPT_POLL_MS / 1000} s until inclusion, and the relay's custodian watcher (viem event polling for \`Instantiated\`).
At the relay: ${PEERS} Node peers connected over WebSockets (identify, ping, gossipsub peer discovery, circuit-relay
reservations) plus the relay's own chain watcher. The proxy sits in front of the ordering service, so its hand-off of each batch to anvil
and \`evm_mine\` stay inside the chain node and are not counted (a single node has no peer-to-peer consensus traffic;
the paper's PBFT did).
Rates over the whole cell (first send to last receipt). "idle" is ${IDLE_SECONDS} s with no registrations.
${relayNote ? `\n${relayNote}\n` : ''}
${markdownTable(['λ (tx/s)', 'included', 'seconds', 'chain in (KiB/s)', 'chain out (KiB/s)', 'out ÷ in', 'relay in (KiB/s)', 'relay out (KiB/s)'], table)}

![bandwidth](fig8.svg)

Bytes per registration at the chain node above idle (in / out): a registration transaction carries a 256-byte proof,
five public values and a 36-byte manifest CID — never the granule.

${markdownTable(['λ (tx/s)', 'in bytes per tx', 'out bytes per tx'], perTx)}
`;
    writeFileSync(join(ctx.outDir, 'fig8.md'), md);
    writeFileSync(
      join(ctx.outDir, 'fig8.json'),
      JSON.stringify(
        { measuredAt: new Date().toISOString(), machine: machineStamp(), loadavg: [load0, load1], blockSize: BLOCK_SIZE, rows, relayNote },
        null,
        2,
      ) + '\n',
    );
    writeSummary(ctx.outDir);
  } finally {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    await relayP2p?.close();
    await clientsToChain.close();
    await relayToChain.close();
    await chain.stop();
  }
}
