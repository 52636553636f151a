// Zero-knowledge sharing on this machine: Groth16 proving and verification per mechanism in Node (the browser side
// is in table5.ts, same kernel), the gas of each on-chain action split by part (call trace), and the end-to-end
// time of each action through src/lib/chain (proof + transaction + inclusion on a local anvil). Writes docs/bench/zk.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createPublicClient, createWalletClient, http, type Address, type Hash, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil } from '../../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import { authorizeGranule, enrol, instantiateGranule, registerGranule } from '../../src/lib/chain/index';
import { poseidonHash } from '../../src/lib/identity/index';
import { CIRCUIT_NAMES, createProver, TREE_MAX_DEPTH, terminateProver, type SharingCircuitName } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { machineStamp, markdownTable, summarize, type Summary } from './report';
import { PROFILE_BEGIN, PROFILE_END } from './zk-profile';
import { LICENCES_BEGIN, LICENCES_END } from './zk-licences';
import { randomField, randomInput } from './_inputs';
import { appKernel, kernelInput, processCpuMs } from './_kernel';

const ROOT = join(import.meta.dirname, '../..');
const ACTIONS = Number(process.env.TWINGRAIN_BENCH_ZK_ACTIONS ?? 12);
const PROVE_SECONDS = Number(process.env.TWINGRAIN_BENCH_CELL_SECONDS ?? 20);
const PAIRED_RUNS = Number(process.env.TWINGRAIN_BENCH_ZK_PAIRED ?? 8);
/** Targets from issue 4: 100× faster than the paper's Groth16 proof generation, verification ≤ 20 ms, gas caps. */
const TARGET_PROVE_MS: Record<SharingCircuitName, number> = { registration: 100, authorization: 580, instantiation: 550 };
const PAPER_PROVE_S: Record<SharingCircuitName, number> = { registration: 10.13, authorization: 57.92, instantiation: 55.22 };

interface CallFrame {
  to?: string;
  gasUsed: string;
  input?: string;
  calls?: CallFrame[];
}

interface GasParts {
  total: number;
  verifier: number;
  poseidon: number;
  hashes: number;
  membership: number;
  rest: number;
}

async function gasParts(client: PublicClient, hash: Hash, verifiers: Set<string>, poseidon: string, consortium: string): Promise<GasParts> {
  const receipt = await client.getTransactionReceipt({ hash });
  const trace = (await client.request({ method: 'debug_traceTransaction' as never, params: [hash, { tracer: 'callTracer' }] as never })) as CallFrame;
  let verifier = 0;
  let pos = 0;
  let hashes = 0;
  let membership = 0;
  const walk = (frame: CallFrame) => {
    const to = frame.to?.toLowerCase() ?? '';
    const used = Number(BigInt(frame.gasUsed));
    if (verifiers.has(to)) verifier += used;
    else if (to === poseidon) {
      pos += used;
      hashes += 1;
    } else if (to === consortium) membership += used;
    for (const child of frame.calls ?? []) walk(child);
  };
  for (const child of trace.calls ?? []) walk(child);
  const total = Number(receipt.gasUsed);
  return { total, verifier, poseidon: pos, hashes, membership, rest: total - verifier - pos - membership };
}

export async function run(ctx: { outDir: string }): Promise<void> {
  const log = (s: string) => process.stdout.write(`  zk: ${s}\n`);
  const load0 = loadavg()[0]!;
  const started = new Date();

  // 1. Proving and verification in Node with the app's prover (warm runs; run 0 is the cold one), CPU time too.
  const proving: Record<string, { gen: Summary; witness: Summary; verify: Summary; cpu: Summary; cold: number }> = {};
  const benchProver = createProver(fileArtifactSource());
  for (const circuit of CIRCUIT_NAMES) {
    log(`proving ${circuit}`);
    const r = await appKernel()(benchProver, {
      inputs: Array.from({ length: 10 }, () => kernelInput(randomInput(circuit))),
      maxRuns: 100,
      budgetMs: PROVE_SECONDS * 1000,
      minRuns: 5,
      verifyRuns: 100,
      cpuMs: processCpuMs,
    });
    proving[circuit] = { gen: summarize(r.gen), witness: summarize(r.witness), verify: summarize(r.verify), cpu: summarize(r.cpu), cold: r.cold };
  }
  // Before/after on the same inputs, interleaved (app proof, then snarkjs's own wtns.calculate + groth16.prove, what
  // the app ran before), so that whatever else loads the shared machine weighs on both alike.
  const snarkjs = await import('snarkjs');
  const paired: Record<string, { app: Summary; snarkjs: Summary; appCpu: Summary; snarkjsCpu: Summary }> = {};
  for (const circuit of CIRCUIT_NAMES) {
    log(`before/after ${circuit}`);
    const dir = join(ROOT, 'public/zk');
    const wasm = new Uint8Array(readFileSync(join(dir, `${circuit}.wasm`)));
    const zkey = new Uint8Array(readFileSync(join(dir, `${circuit}.zkey`)));
    const app: number[] = [];
    const old: number[] = [];
    const appCpu: number[] = [];
    const oldCpu: number[] = [];
    for (let i = 0; i < PAIRED_RUNS; i++) {
      const input = randomInput(circuit);
      let c0 = processCpuMs();
      let t0 = performance.now();
      await benchProver.prove(input);
      app.push(performance.now() - t0);
      appCpu.push(processCpuMs() - c0);
      c0 = processCpuMs();
      t0 = performance.now();
      const w: { type: 'mem'; data?: Uint8Array } = { type: 'mem' };
      await snarkjs.wtns.calculate(input.signals, wasm, w);
      await snarkjs.groth16.prove(zkey, w as { type: 'mem'; data: Uint8Array });
      old.push(performance.now() - t0);
      oldCpu.push(processCpuMs() - c0);
    }
    paired[circuit] = { app: summarize(app), snarkjs: summarize(old), appCpu: summarize(appCpu), snarkjsCpu: summarize(oldCpu) };
  }

  // 2. The three actions end to end on a local chain, with gas split by part.
  const anvil = await startAnvil();
  const gas: Record<SharingCircuitName, GasParts[]> = { registration: [], authorization: [], instantiation: [] };
  const e2e: Record<SharingCircuitName, number[]> = { registration: [], authorization: [], instantiation: [] };
  try {
    const deployed = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
    const c = deployed.contracts;
    const registry = c.GranuleRegistry!;
    const verifiers = new Set([c.RegistrationVerifier!, c.AuthorizationVerifier!, c.InstantiationVerifier!].map((a) => a.toLowerCase()));
    const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
    const owner = createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[1]!), transport: http(anvil.rpcUrl) });
    const user = createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[2]!), transport: http(anvil.rpcUrl) });
    const ownerSecret = randomField();
    const userSecret = randomField();
    const prover = createProver(fileArtifactSource());
    for (const [wallet, secret] of [
      [owner, ownerSecret],
      [user, userSecret],
    ] as const) {
      await enrol({ publicClient, walletClient: wallet, consortium: c.Consortium as Address, prover, secret });
    }
    await prover.warmUp(CIRCUIT_NAMES);
    const parts = (hash: Hash) => gasParts(publicClient, hash, verifiers, c.PoseidonT3!.toLowerCase(), c.Consortium!.toLowerCase());
    for (let i = 0; i < ACTIONS; i++) {
      log(`actions ${i + 1}/${ACTIONS}`);
      const alpha = randomField() >> 8n;
      let t = performance.now();
      const reg = await registerGranule({
        publicClient,
        walletClient: owner,
        registry,
        prover,
        secret: ownerSecret,
        alpha,
        manifestCid: new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Uint8Array(32).fill(i + 1)]),
      });
      e2e.registration.push(performance.now() - t);
      gas.registration.push(await parts(reg.txHash));
      t = performance.now();
      const auth = await authorizeGranule({
        publicClient,
        walletClient: owner,
        registry,
        prover,
        secret: ownerSecret,
        alpha,
        userPk: poseidonHash([userSecret]),
      });
      e2e.authorization.push(performance.now() - t);
      gas.authorization.push(await parts(auth.txHash));
      t = performance.now();
      const inst = await instantiateGranule({
        publicClient,
        walletClient: user,
        prover,
        secret: userSecret,
        record: auth.record,
        x25519PublicKey: new Uint8Array(32).fill(1),
      });
      e2e.instantiation.push(performance.now() - t);
      gas.instantiation.push(await parts(inst.txHash));
    }
  } finally {
    await anvil.stop();
    await terminateProver();
  }
  const load1 = loadavg()[0]!;

  const ms = (v: number) => (v < 100 ? v.toFixed(1) : v.toFixed(0));
  const manifest = JSON.parse(readFileSync(join(ROOT, 'public/zk/manifest.json'), 'utf8')) as { circuits: Record<string, { constraints: number }> };
  const provingRows = CIRCUIT_NAMES.map((name) => {
    const p = proving[name]!;
    return [
      name,
      manifest.circuits[name]?.constraints ?? '—',
      ms(p.witness.median),
      ms(p.gen.median),
      ms(p.gen.p95),
      ms(p.gen.min),
      ms(p.gen.max),
      ms(p.cpu.median),
      ms(p.cold),
      ms(p.verify.median),
      ms(p.verify.p95),
      `${TARGET_PROVE_MS[name]} ms`,
      `${((PAPER_PROVE_S[name] * 1000) / p.gen.median).toFixed(0)}×`,
    ];
  });
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  const gasRows = CIRCUIT_NAMES.map((name) => {
    const g = gas[name];
    return [
      name,
      mean(g.map((x) => x.total)),
      Math.max(...g.map((x) => x.total)),
      mean(g.map((x) => x.verifier)),
      `${mean(g.map((x) => x.poseidon))} (${(g.reduce((a, x) => a + x.hashes, 0) / g.length).toFixed(1)} hashes)`,
      mean(g.map((x) => x.membership)),
      mean(g.map((x) => x.rest)),
    ];
  });
  const e2eRows = CIRCUIT_NAMES.map((name) => {
    const s = summarize(e2e[name]);
    return [name, s.n, ms(s.median), ms(s.p95), ms(s.min), ms(s.max)];
  });
  const report = `# Zero-knowledge sharing: proving, gas and end-to-end actions

${machineStamp(started)}. Load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end (other work on this 2-core
machine slows proving; compare runs made under similar load).

Groth16 (snarkjs 0.7, BN254, Poseidon), circuits built with circom 2.2 \`--O2\`; both trees are lean incremental Merkle
trees with at most ${TREE_MAX_DEPTH} levels in the circuit. Headless Chromium numbers for the same artifacts are in [table5.md](table5.md).

## Proof generation and verification in Node (ms)

Generation = witness + proof through the app's prover (\`createProver\` in src/lib/zk: the circuit's witness
calculator compiled once, the proving key parsed once, the QAP step in one WASM task, multi-exponentiations in a few
thread tasks each), warm runs (${PROVE_SECONDS} s budget per circuit); "cold" is the first run (snarkjs and curve load,
circuit WASM compile, key parse). "CPU" is the process's CPU time per proof over all threads: it depends much less than wall time on
how busy the shared machine is (two idle cores can at best halve it in wall time).

${markdownTable(['mechanism', 'constraints', 'witness median', 'generation median', 'p95', 'min', 'max', 'CPU median', 'cold', 'verify median', 'verify p95', 'target (warm)', 'vs paper'], provingRows)}

### Before and after, interleaved (ms, medians of ${PAIRED_RUNS} pairs)

Each pair proves the same input with the app's prover and then with snarkjs's own \`wtns.calculate\` +
\`groth16.prove\` (what the app ran before this change), one right after the other, so the load of the moment weighs on both.

${markdownTable(
  ['mechanism', 'app prover', 'snarkjs (before)', 'speed-up', 'app CPU', 'snarkjs CPU', 'CPU ratio'],
  CIRCUIT_NAMES.map((name) => {
    const q = paired[name]!;
    return [
      name,
      ms(q.app.median),
      ms(q.snarkjs.median),
      `${(q.snarkjs.median / q.app.median).toFixed(2)}×`,
      ms(q.appCpu.median),
      ms(q.snarkjsCpu.median),
      `${(q.snarkjsCpu.median / q.appCpu.median).toFixed(2)}×`,
    ];
  }),
)}

## Gas per action, by part (${ACTIONS} actions each; means unless stated)

"rest" is the intrinsic 21,000, calldata, storage writes (ownership, counters, tree side nodes, root history, manifest
CID) and the event. Targets: verification ≤ 250,000; whole action ≤ 500,000.

${markdownTable(['action', 'total', 'max total', 'proof verification', 'Poseidon tree hashes', 'membership check', 'rest'], gasRows)}

The registry's trees grow while the bench runs (${ACTIONS} leaves), so the number of Poseidon hashes per insert is that of a
small community; an insert costs at most ⌈log2 n⌉ hashes (about 29,000 gas each with circomlibjs's Poseidon contract).

## End to end through src/lib/chain (ms)

Checks, tree sync from events, proof, transaction and inclusion on a local anvil (automine), as the app and CLI run them.

${markdownTable(['action', 'n', 'median', 'p95', 'min', 'max'], e2eRows)}
`;
  // The licence actions' section (zk-licences.ts) is measured separately: keep it.
  const previous = existsSync(join(ctx.outDir, 'zk.md')) ? readFileSync(join(ctx.outDir, 'zk.md'), 'utf8') : '';
  const kept =
    previous.includes(LICENCES_BEGIN) && previous.includes(LICENCES_END)
      ? previous.slice(previous.indexOf(LICENCES_BEGIN), previous.indexOf(LICENCES_END) + LICENCES_END.length)
      : '';
  // So is the profile of a proof's parts (zk-profile.ts).
  const profile =
    previous.includes(PROFILE_BEGIN) && previous.includes(PROFILE_END)
      ? previous.slice(previous.indexOf(PROFILE_BEGIN), previous.indexOf(PROFILE_END) + PROFILE_END.length)
      : '';
  writeFileSync(join(ctx.outDir, 'zk.md'), [report, kept, profile].filter(Boolean).join('\n') + (kept || profile ? '\n' : ''));
  writeFileSync(join(ctx.outDir, 'zk.json'), JSON.stringify({ proving, paired, gas, e2e, load: [load0, load1], at: started.toISOString() }, null, 2));
  log(`wrote ${join(ctx.outDir, 'zk.md')}`);
}
