// The chain side of Table 4 and Fig. 8: anvil with --no-mining and a zero base fee, the real contracts, many
// enrolled senders, real registration proofs made ahead of time (distinct α per transaction, bound to its sender and
// chain), and the paper's block policy: a block producer that cuts a block when N transactions wait or when the
// oldest has waited the batch timeout (FISCO BCOS / Fabric style), by calling evm_mine. The block gas limit is set to
// N × the transaction gas limit, so a cut block holds at most N transactions.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeFunctionData, keccak256, toHex, type Abi, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startAnvil, ANVIL_ACCOUNTS, type RunningAnvil } from '../../src/lib/node/anvil';
import { deployContracts } from '../../src/lib/chain/deploy';
import { compileContracts } from '../../src/lib/chain/compile.node.ts';
import { poseidonHash } from '../../src/lib/identity/index';
import { createProver, deriveRegistrationSalt, registrationInput, terminateProver, toSolidityProof } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { randomField } from './_inputs';
import { freePort } from './_proxy';
import { ROOT } from './_plonk';

/** Gas limit of every registration transaction: a Groth16 check (≈ 215k) plus record and tree insert fit well. */
export const TX_GAS = 1_200_000n;
export const BATCH_TIMEOUT_MS = 2_000;
export const CHAIN_ID = 31337;
const POLL_MS = 20;

export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await response.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

interface Sender {
  privateKey: Hex;
  address: `0x${string}`;
  secret: bigint;
  pk: bigint;
}

/** Deterministic throwaway keys (local chain only), so cached proofs stay valid from run to run. */
function senders(count: number): Sender[] {
  return Array.from({ length: count }, (_, j) => {
    const privateKey = keccak256(toHex(`twingrain-bench-sender-${j}`));
    const secret = poseidonHash([BigInt(keccak256(toHex(`twingrain-bench-identity-${j}`))) >> 8n]);
    return { privateKey, address: privateKeyToAccount(privateKey).address, secret, pk: poseidonHash([secret]) };
  });
}

interface StoredProof {
  sender: number;
  alpha: string;
  ownerPk: string;
  commitment: string;
  proof: { a: string[]; b: string[][]; c: string[] };
}

/** `count` registration proofs, round-robin over the senders, cached under .twingrain/cache/bench/. */
async function registrationProofs(all: Sender[], count: number, log: (s: string) => void): Promise<StoredProof[]> {
  const zkey = readFileSync(join(ROOT, 'public/zk/registration.zkey'));
  const key = createHash('sha256').update(zkey).update(all.map((s) => s.address).join()).update(String(CHAIN_ID)).digest('hex').slice(0, 16);
  const dir = join(ROOT, '.twingrain/cache/bench');
  const file = join(dir, `registration-proofs-${key}.json`);
  const cached: StoredProof[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredProof[]) : [];
  if (cached.length >= count) return cached.slice(0, count);
  const prover = createProver(fileArtifactSource());
  const t0 = Date.now();
  for (let i = cached.length; i < count; i++) {
    const s = all[i % all.length]!;
    const alpha = randomField();
    const input = registrationInput({ secret: s.secret, alpha, salt: deriveRegistrationSalt(s.secret, alpha), sender: s.address, chainId: CHAIN_ID });
    const proved = await prover.prove(input);
    const sp = toSolidityProof(proved.proof);
    cached.push({
      sender: i % all.length,
      alpha: alpha.toString(),
      ownerPk: s.pk.toString(),
      commitment: input.publicSignals[1]!.toString(),
      proof: { a: sp.a.map(String), b: sp.b.map((r) => r.map(String)), c: sp.c.map(String) },
    });
    if ((i + 1) % 50 === 0) log(`${i + 1}/${count} registration proofs (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await terminateProver();
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(cached));
  return cached;
}

export interface BenchChain {
  anvil: RunningAnvil;
  rpcUrl: string;
  registry: `0x${string}`;
  /** Signed registration transactions; transaction i is sender (i mod S)'s nonce ⌊i/S⌋. */
  rawTransactions: Hex[];
  proofSeconds: number;
  /** Puts the chain back to "contracts deployed, senders enrolled, nothing registered". */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export async function startBenchChain(o: { senders: number; transactions: number; log: (s: string) => void }): Promise<BenchChain> {
  const all = senders(o.senders);
  const t0 = Date.now();
  const proofs = await registrationProofs(all, o.transactions, o.log);
  const proofSeconds = (Date.now() - t0) / 1000;

  const anvil = await startAnvil({ port: await freePort(), chainId: CHAIN_ID, args: ['--no-mining', '--base-fee', '0', '--gas-limit', String(TX_GAS * 80n)] });
  try {
    const url = anvil.rpcUrl;
    // Set-up transactions are mined one by one; the measured load is not.
    await rpc(url, 'evm_setAutomine', [true]);
    const compiled = compileContracts({ root: ROOT });
    const deployer = ANVIL_ACCOUNTS[0];
    const { contracts } = await deployContracts({ rpcUrl: url, deployerPrivateKey: deployer.privateKey, openEnrolment: true, compiled });
    const registry = contracts.GranuleRegistry;
    const consortium = contracts.Consortium;
    if (!registry || !consortium) throw new Error('The GranuleRegistry or Consortium was not deployed.');
    const admin = privateKeyToAccount(deployer.privateKey);
    let adminNonce = Number(await rpc<string>(url, 'eth_getTransactionCount', [admin.address, 'latest']));
    for (const s of all) {
      await rpc(url, 'anvil_setBalance', [s.address, toHex(10n ** 21n)]);
      const data = encodeFunctionData({ abi: compiled.Consortium!.abi as Abi, functionName: 'enrolMember', args: [s.address, s.pk] });
      const raw = await admin.signTransaction({ to: consortium, data, gas: 300_000n, nonce: adminNonce++, chainId: CHAIN_ID, maxFeePerGas: 10n ** 10n, maxPriorityFeePerGas: 0n, type: 'eip1559' });
      const hash = await rpc<Hex>(url, 'eth_sendRawTransaction', [raw]);
      let receipt: { status: string } | null = null;
      for (let tries = 0; !receipt && tries < 200; tries++) {
        receipt = await rpc<{ status: string } | null>(url, 'eth_getTransactionReceipt', [hash]);
        if (!receipt) await new Promise((r) => setTimeout(r, 50));
      }
      if (receipt?.status !== '0x1') throw new Error(`Enrolling bench sender ${s.address} failed: ${JSON.stringify(receipt)?.slice(0, 300)}`);
    }
    await rpc(url, 'evm_setAutomine', [false]);

    const registryAbi = compiled.GranuleRegistry!.abi as Abi;
    const cid = new Uint8Array(36);
    cid.set([0x01, 0x55, 0x12, 0x20]);
    const rawTransactions: Hex[] = [];
    for (let i = 0; i < proofs.length; i++) {
      const p = proofs[i]!;
      const s = all[p.sender]!;
      cid.set(createHash('sha256').update(p.alpha).digest(), 4);
      const data = encodeFunctionData({
        abi: registryAbi,
        functionName: 'register',
        args: [
          { a: p.proof.a.map(BigInt), b: p.proof.b.map((r) => r.map(BigInt)), c: p.proof.c.map(BigInt) },
          BigInt(p.alpha),
          BigInt(p.ownerPk),
          BigInt(p.commitment),
          toHex(cid),
        ],
      });
      rawTransactions.push(
        await privateKeyToAccount(s.privateKey).signTransaction({
          to: registry,
          data,
          gas: TX_GAS,
          nonce: Math.floor(i / all.length),
          chainId: CHAIN_ID,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 0n,
          type: 'eip1559',
        }),
      );
    }
    let snapshot = await rpc<string>(url, 'evm_snapshot');
    return {
      anvil,
      rpcUrl: url,
      registry,
      rawTransactions,
      proofSeconds,
      async reset() {
        await rpc(url, 'evm_revert', [snapshot]);
        snapshot = await rpc<string>(url, 'evm_snapshot');
      },
      stop: () => anvil.stop(),
    };
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

export interface MinedBlock {
  number: number;
  /** performance.now() when evm_mine returned. */
  at: number;
  /** How long evm_mine took (the block's "service time"). */
  mineMs: number;
  txs: Hex[];
  /** Why it was cut. */
  cause: 'full' | 'timeout';
}

export interface BlockProducer {
  blocks: MinedBlock[];
  stop(): Promise<void>;
}

/** Cuts a block when `blockSize` transactions are pending or the first of them has waited `timeoutMs`. */
export function startBlockProducer(url: string, blockSize: number, timeoutMs = BATCH_TIMEOUT_MS): BlockProducer {
  const blocks: MinedBlock[] = [];
  let running = true;
  let firstSeen: number | undefined;
  const loop = (async () => {
    while (running) {
      const status = await rpc<{ pending: string }>(url, 'txpool_status');
      const pending = Number(status.pending);
      const now = performance.now();
      if (pending > 0) firstSeen ??= now;
      else firstSeen = undefined;
      const full = pending >= blockSize;
      if (full || (firstSeen !== undefined && now - firstSeen >= timeoutMs)) {
        const before = performance.now();
        await rpc(url, 'evm_mine');
        const at = performance.now();
        const block = await rpc<{ number: Hex; transactions: Hex[] }>(url, 'eth_getBlockByNumber', ['latest', false]);
        blocks.push({ number: Number(block.number), at, mineMs: at - before, txs: block.transactions, cause: full ? 'full' : 'timeout' });
        // Transactions left in the pool have waited since before this cut: their batch timer starts now.
        firstSeen = pending > block.transactions.length ? at : undefined;
        continue;
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return {
    blocks,
    async stop() {
      running = false;
      await loop;
    },
  };
}

export interface LoadResult {
  /** Per transaction: performance.now() just before it was sent, and its hash. */
  sent: { at: number; hash: Hex }[];
  /** Seconds from sending to inclusion, per included transaction. */
  latencies: number[];
  blocks: MinedBlock[];
  /** Transactions still not included when the cell gave up waiting. */
  stuck: number;
  /** Seconds from the first send to the last inclusion. */
  span: number;
}

/**
 * Sends `count` of the signed transactions at a fixed `rate` (tx/s, as Caliper's fixed-rate controller does), lets
 * the producer cut blocks of `blockSize`, and waits until every transaction is included. `onSent` lets a caller
 * add client behaviour (e.g. polling for the receipt, as the app does).
 */
export async function runLoad(chain: BenchChain, o: { rate: number; count: number; blockSize: number; sendUrl?: string; drainMs?: number; onSent?: (hash: Hex) => void }): Promise<LoadResult> {
  await chain.reset();
  await rpc(chain.rpcUrl, 'anvil_setBlockGasLimit', [toHex(TX_GAS * BigInt(o.blockSize))]);
  const producer = startBlockProducer(chain.rpcUrl, o.blockSize);
  const sendUrl = o.sendUrl ?? chain.rpcUrl;
  const sent: { at: number; hash: Hex }[] = [];
  const inflight: Promise<void>[] = [];
  const start = performance.now() + 50;
  for (let i = 0; i < o.count; i++) {
    const due = start + (i * 1000) / o.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const raw = chain.rawTransactions[i]!;
    const at = performance.now();
    inflight.push(
      rpc<Hex>(sendUrl, 'eth_sendRawTransaction', [raw]).then((hash) => {
        sent[i] = { at, hash };
        o.onSent?.(hash);
      }),
    );
  }
  await Promise.all(inflight);
  const wanted = new Set(sent.map((s) => s.hash));
  const deadline = performance.now() + (o.drainMs ?? 60_000);
  const included = () => producer.blocks.reduce((n, b) => n + b.txs.filter((h) => wanted.has(h)).length, 0);
  while (included() < wanted.size && performance.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await producer.stop();
  const at = new Map<Hex, number>();
  for (const b of producer.blocks) for (const h of b.txs) at.set(h, b.at);
  const latencies: number[] = [];
  for (const s of sent) {
    const t = at.get(s.hash);
    if (t !== undefined) latencies.push((t - s.at) / 1000);
  }
  // Every included registration must have succeeded, or the bench measured failing transactions.
  for (const s of sent) {
    if (!at.has(s.hash)) continue;
    const receipt = await rpc<{ status: string }>(chain.rpcUrl, 'eth_getTransactionReceipt', [s.hash]);
    if (receipt.status !== '0x1') throw new Error(`Registration ${s.hash} reverted: the bench transactions are wrong.`);
  }
  const lastInclusion = Math.max(...producer.blocks.map((b) => b.at));
  return { sent, latencies, blocks: producer.blocks, stuck: wanted.size - latencies.length, span: (lastInclusion - (sent[0]?.at ?? 0)) / 1000 };
}
