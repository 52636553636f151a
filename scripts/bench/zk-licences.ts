// Licences (issue 16) on this machine: the transfer circuit's proving and verification in Node with the app's prover,
// and the gas and end-to-end time of each new action through src/lib/chain on a local anvil — authorization with
// terms, a paid instantiation (and the approval before it), revocation, transfer, and the new owner's first
// authorization (which adds its registration leaf). Writes its section of docs/bench/zk.md (between the licences
// markers; zk.ts keeps the section when it rewrites the file) and zk-licences.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { createPublicClient, createWalletClient, http, parseAbi, parseEventLogs, type Address, type Hash, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil } from '../../src/lib/chain/testing/anvil.node.ts';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import { authorizeGranule, enrol, granuleRegistryAbi, instantiateGranule, registerGranule, revokeLicence, transferGranule } from '../../src/lib/chain/index';
import { poseidonHash } from '../../src/lib/identity/index';
import { createProver, terminateProver } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { machineStamp, markdownTable, summarize } from './report';
import { randomField, randomInput } from './_inputs';

export const LICENCES_BEGIN = '<!-- licences:begin -->';
export const LICENCES_END = '<!-- licences:end -->';
const ACTIONS = Number(process.env.TWINGRAIN_BENCH_LICENCE_ACTIONS ?? 6);
const PROOFS = Number(process.env.TWINGRAIN_BENCH_LICENCE_PROOFS ?? 20);
const CREDIT_ABI = parseAbi([
  'function MINTER_ROLE() view returns (bytes32)',
  'function grantRole(bytes32 role, address account)',
  'function mint(address to, uint256 amount)',
]);

export async function run(ctx: { outDir: string }): Promise<void> {
  const log = (s: string) => process.stdout.write(`  zk-licences: ${s}\n`);
  const load0 = loadavg()[0]!;
  const started = new Date();

  // 1. The transfer circuit: warm proofs (run 0 is cold) and verifications.
  const prover = createProver(fileArtifactSource());
  const gen: number[] = [];
  const verify: number[] = [];
  let cold = 0;
  for (let i = 0; i <= PROOFS; i++) {
    const input = randomInput('transfer');
    const t0 = performance.now();
    const { proof, publicSignals } = await prover.prove(input);
    const ms = performance.now() - t0;
    if (i === 0) cold = ms;
    else gen.push(ms);
    const t1 = performance.now();
    if (!(await prover.verify('transfer', publicSignals, proof))) throw new Error('a transfer proof did not verify');
    verify.push(performance.now() - t1);
  }
  log('proved transfer');

  // 2. The actions on a local chain: gas from the receipts, time through the library as the app and CLI run it.
  const anvil = await startAnvil();
  const gas: Record<string, number[]> = {
    'authorization with terms': [],
    'approve (before a paid instantiation)': [],
    'paid instantiation': [],
    revocation: [],
    transfer: [],
    'new owner: take up the registration leaf': [],
  };
  const e2e: Record<string, number[]> = {
    'authorization with terms': [],
    'paid instantiation (approve + instantiate)': [],
    revocation: [],
    transfer: [],
    "new owner's first authorization (leaf + authorize)": [],
  };
  try {
    const { contracts } = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: anvil.privateKeys[0]!, openEnrolment: true });
    const registry = contracts.GranuleRegistry!;
    const publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) }) as PublicClient;
    const wallets = [0, 1, 2, 3].map((i) =>
      createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[i]!), transport: http(anvil.rpcUrl) }),
    );
    const [admin, owner, user, heir] = wallets as [(typeof wallets)[0], (typeof wallets)[0], (typeof wallets)[0], (typeof wallets)[0]];
    const secrets = [randomField(), randomField(), randomField()];
    const [ownerSecret, userSecret, heirSecret] = secrets as [bigint, bigint, bigint];
    for (const [w, s] of [
      [owner, ownerSecret],
      [user, userSecret],
      [heir, heirSecret],
    ] as const)
      await enrol({ publicClient, walletClient: w, consortium: contracts.Consortium as Address, prover, secret: s });
    const credit = contracts.CommunityCredit!;
    const minter = await publicClient.readContract({ address: credit, abi: CREDIT_ABI, functionName: 'MINTER_ROLE' });
    await publicClient.waitForTransactionReceipt({
      hash: await admin.writeContract({ address: credit, abi: CREDIT_ABI, functionName: 'grantRole', args: [minter, admin.account.address] }),
    });
    await publicClient.waitForTransactionReceipt({
      hash: await admin.writeContract({ address: credit, abi: CREDIT_ABI, functionName: 'mint', args: [user.account.address, 10n ** 24n] }),
    });
    const used = async (hash: Hash) => Number((await publicClient.getTransactionReceipt({ hash })).gasUsed);
    const price = 3n * 10n ** 18n;
    for (let i = 0; i < ACTIONS; i++) {
      log(`actions ${i + 1}/${ACTIONS}`);
      const alpha = randomField() >> 8n;
      await registerGranule({
        publicClient,
        walletClient: owner,
        registry,
        prover,
        secret: ownerSecret,
        alpha,
        manifestCid: new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Uint8Array(32).fill(i + 1)]),
      });
      const expiresAt = (await publicClient.getBlock()).timestamp + 86_400n;
      let t = performance.now();
      const auth = await authorizeGranule({
        publicClient,
        walletClient: owner,
        registry,
        prover,
        secret: ownerSecret,
        alpha,
        userPk: poseidonHash([userSecret]),
        expiresAt,
        price,
      });
      e2e['authorization with terms']!.push(performance.now() - t);
      gas['authorization with terms']!.push(await used(auth.txHash));
      const before = await publicClient.getBlockNumber();
      t = performance.now();
      const inst = await instantiateGranule({
        publicClient,
        walletClient: user,
        prover,
        secret: userSecret,
        record: auth.record,
        x25519PublicKey: new Uint8Array(32).fill(1),
        maxPrice: price,
      });
      e2e['paid instantiation (approve + instantiate)']!.push(performance.now() - t);
      gas['paid instantiation']!.push(await used(inst.txHash));
      for (let b = before + 1n; b < inst.blockNumber; b++) {
        for (const hash of (await publicClient.getBlock({ blockNumber: b })).transactions) gas['approve (before a paid instantiation)']!.push(await used(hash));
      }
      t = performance.now();
      const revoked = await revokeLicence({ publicClient, walletClient: owner, secret: ownerSecret, record: auth.record });
      e2e.revocation!.push(performance.now() - t);
      gas.revocation!.push(await used(revoked.txHash));
      t = performance.now();
      const moved = await transferGranule({
        publicClient,
        walletClient: owner,
        registry,
        prover,
        secret: ownerSecret,
        alpha,
        newOwnerPk: poseidonHash([heirSecret]),
      });
      e2e.transfer!.push(performance.now() - t);
      gas.transfer!.push(await used(moved.txHash));
      t = performance.now();
      const byHeir = await authorizeGranule({
        publicClient,
        walletClient: heir,
        registry,
        prover,
        secret: heirSecret,
        alpha,
        userPk: poseidonHash([ownerSecret]),
      });
      e2e["new owner's first authorization (leaf + authorize)"]!.push(performance.now() - t);
      gas['new owner: take up the registration leaf']!.push(await used(byHeir.claimTxHash!));
      const claimed = parseEventLogs({
        abi: granuleRegistryAbi,
        logs: (await publicClient.getTransactionReceipt({ hash: byHeir.claimTxHash! })).logs,
        eventName: 'OwnershipClaimed',
      });
      if (claimed.length !== 1) throw new Error('the new owner took up no leaf');
    }
  } finally {
    await anvil.stop();
    await terminateProver();
  }
  const load1 = loadavg()[0]!;
  const ms = (v: number) => (v < 100 ? v.toFixed(1) : v.toFixed(0));
  const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length));
  const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '../../public/zk/manifest.json'), 'utf8')) as {
    circuits: Record<string, { constraints: number }>;
  };
  const g = summarize(gen);
  const v = summarize(verify);
  const section = `${LICENCES_BEGIN}
## Licences: the new actions (issue 16)

${machineStamp(started)}. Load average ${load0.toFixed(1)} at the start, ${load1.toFixed(1)} at the end.

Proving the transfer of ownership (proof of Sk_S bound to α, the new owner and the transfer nonce) in Node with the
app's prover, ${PROOFS} warm runs (ms):

${markdownTable(['circuit', 'constraints', 'generation median', 'p95', 'min', 'max', 'cold', 'verify median'], [['transfer', manifest.circuits.transfer?.constraints ?? '—', ms(g.median), ms(g.p95), ms(g.min), ms(g.max), ms(cold), ms(v.median)]])}

Gas of each new action (${ACTIONS} each; a paid instantiation is the instantiation above plus the licence checks and the
credit transfer, after an ERC-20 approval; the new owner of a transferred granule takes up its own registration leaf —
a registration proof and a tree insert — before its first authorization):

${markdownTable(
  ['action', 'mean gas', 'max gas'],
  Object.entries(gas).map(([name, xs]) => [name, mean(xs), Math.max(...xs)]),
)}

End to end through src/lib/chain (checks, proof where there is one, transactions and inclusion on a local anvil), ms:

${markdownTable(
  ['action', 'n', 'median', 'p95', 'min', 'max'],
  Object.entries(e2e).map(([name, xs]) => {
    const s = summarize(xs);
    return [name, s.n, ms(s.median), ms(s.p95), ms(s.min), ms(s.max)];
  }),
)}
${LICENCES_END}
`;
  const file = join(ctx.outDir, 'zk.md');
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = current.indexOf(LICENCES_BEGIN);
  const end = current.indexOf(LICENCES_END);
  const next =
    start >= 0 && end > start ? current.slice(0, start) + section.trimEnd() + current.slice(end + LICENCES_END.length) : `${current.trimEnd()}\n\n${section}`;
  writeFileSync(file, next);
  writeFileSync(
    join(ctx.outDir, 'zk-licences.json'),
    JSON.stringify({ transfer: { gen, verify, cold }, gas, e2e, load: [load0, load1], at: started.toISOString() }, null, 2),
  );
  log(`wrote ${file}`);
}
