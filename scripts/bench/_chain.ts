// The chain side of Table 4 and Fig. 8: anvil with --no-mining and a zero base fee, the real contracts, many
// enrolled senders, real registration proofs made ahead of time (distinct α per transaction, bound to its sender and
// chain), and the paper's block policy: an ordering service that cuts a block when N transactions wait or when the
// oldest has waited the batch timeout (FISCO BCOS / Fabric style) and has anvil mine exactly that batch (evm_mine).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAbiParameters, encodeFunctionData, getContractAddress, keccak256, toHex, type Abi, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { startAnvil, ANVIL_ACCOUNTS, type RunningAnvil } from '../../src/lib/node/anvil';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import { compileContracts } from '../../src/lib/chain/compile.node.ts';
import { poseidonHash } from '../../src/lib/identity/index';
import { createProver, deriveRegistrationSalt, registrationInput, terminateProver, toSolidityProof } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { randomField } from './_inputs';
import { freePort } from './_proxy';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ROOT } from './_plonk';

/** Gas limit of every registration transaction: a Groth16 check (≈ 215k) plus record and tree insert fit well. */
export const TX_GAS = 1_200_000n;
export const BATCH_TIMEOUT_MS = 2_000;
export const CHAIN_ID = 31337;

export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
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

/**
 * Where deployContracts puts the GranuleRegistry on a fresh chain (the deployer's 7th transaction: EnrolmentVerifier,
 * Consortium, three verifiers, PoseidonT3, registry): proofs are bound to it and are made before the chain starts.
 */
const PREDICTED_REGISTRY = getContractAddress({ from: ANVIL_ACCOUNTS[0].address, nonce: 6n });
/** The bench's registration commitments use a salt derived from α (the commitments are sent during set-up). */
const commitSalt = (alpha: string): Hex => keccak256(toHex(`twingrain-bench-commit-${alpha}`));

/** `count` registration proofs, round-robin over the senders, cached under .twingrain/cache/bench/. */
async function registrationProofs(all: Sender[], count: number, log: (s: string) => void): Promise<StoredProof[]> {
  const zkey = readFileSync(join(ROOT, 'public/zk/registration.zkey'));
  const key = createHash('sha256')
    .update(zkey)
    .update(all.map((s) => s.address).join())
    .update(String(CHAIN_ID))
    .update(PREDICTED_REGISTRY)
    .digest('hex')
    .slice(0, 16);
  const dir = join(ROOT, '.twingrain/cache/bench');
  const file = join(dir, `registration-proofs-${key}.json`);
  const cached: StoredProof[] = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StoredProof[]) : [];
  if (cached.length >= count) return cached.slice(0, count);
  const prover = createProver(fileArtifactSource());
  const t0 = Date.now();
  for (let i = cached.length; i < count; i++) {
    const s = all[i % all.length]!;
    const alpha = randomField();
    const input = registrationInput({
      secret: s.secret,
      alpha,
      salt: deriveRegistrationSalt(s.secret, alpha),
      sender: s.address,
      chainId: CHAIN_ID,
      registry: PREDICTED_REGISTRY,
    });
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
  /** Where clients send: the ordering service in front of anvil. */
  orderer: Orderer;
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
    // The per-member daily limit is lifted: the bench measures the chain's throughput, not the spam protection.
    const { contracts } = await deployContracts({
      rpcUrl: url,
      deployerPrivateKey: deployer.privateKey,
      openEnrolment: true,
      compiled,
      actionsPerDay: 1_000_000,
    });
    const registry = contracts.GranuleRegistry;
    const consortium = contracts.Consortium;
    if (!registry || !consortium) throw new Error('The GranuleRegistry or Consortium was not deployed.');
    if (registry.toLowerCase() !== PREDICTED_REGISTRY.toLowerCase())
      throw new Error(`The registry landed at ${registry}, not at ${PREDICTED_REGISTRY} the proofs are bound to.`);
    const admin = privateKeyToAccount(deployer.privateKey);
    let adminNonce = Number(await rpc<string>(url, 'eth_getTransactionCount', [admin.address, 'latest']));
    for (const s of all) {
      await rpc(url, 'anvil_setBalance', [s.address, toHex(10n ** 21n)]);
      const data = encodeFunctionData({ abi: compiled.Consortium!.abi as Abi, functionName: 'enrolMember', args: [s.address, s.pk] });
      const raw = await admin.signTransaction({
        to: consortium,
        data,
        gas: 300_000n,
        nonce: adminNonce++,
        chainId: CHAIN_ID,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 0n,
        type: 'eip1559',
      });
      const hash = await rpc<Hex>(url, 'eth_sendRawTransaction', [raw]);
      let receipt: { status: string } | null = null;
      for (let tries = 0; !receipt && tries < 200; tries++) {
        receipt = await rpc<{ status: string } | null>(url, 'eth_getTransactionReceipt', [hash]);
        if (!receipt) await new Promise((r) => setTimeout(r, 50));
      }
      if (receipt?.status !== '0x1') throw new Error(`Enrolling bench sender ${s.address} failed: ${JSON.stringify(receipt)?.slice(0, 300)}`);
    }
    const registryAbi = compiled.GranuleRegistry!.abi as Abi;
    // Step 1 of each registration (commit–reveal) is set-up; the measured load is the reveals.
    const commitsPerSender = new Array<number>(all.length).fill(0);
    for (const p of proofs) {
      const s = all[p.sender]!;
      const c = keccak256(
        encodeAbiParameters(
          [{ type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }],
          [BigInt(p.alpha), BigInt(p.ownerPk), s.address, commitSalt(p.alpha)],
        ),
      );
      const data = encodeFunctionData({ abi: registryAbi, functionName: 'commitRegistration', args: [c] });
      const raw = await privateKeyToAccount(s.privateKey).signTransaction({
        to: registry,
        data,
        gas: 200_000n,
        nonce: commitsPerSender[p.sender]!++,
        chainId: CHAIN_ID,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 0n,
        type: 'eip1559',
      });
      await rpc<Hex>(url, 'eth_sendRawTransaction', [raw]);
    }
    await rpc(url, 'evm_mine');
    await rpc(url, 'evm_setAutomine', [false]);

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
          commitSalt(p.alpha),
        ],
      });
      rawTransactions.push(
        await privateKeyToAccount(s.privateKey).signTransaction({
          to: registry,
          data,
          gas: TX_GAS,
          nonce: commitsPerSender[p.sender]! + Math.floor(i / all.length),
          chainId: CHAIN_ID,
          maxFeePerGas: 10n ** 10n,
          maxPriorityFeePerGas: 0n,
          type: 'eip1559',
        }),
      );
    }
    let snapshot = await rpc<string>(url, 'evm_snapshot');
    const orderer = await startOrderer(url);
    return {
      anvil,
      rpcUrl: url,
      registry,
      rawTransactions,
      proofSeconds,
      orderer,
      async reset() {
        await rpc(url, 'evm_revert', [snapshot]);
        snapshot = await rpc<string>(url, 'evm_snapshot');
      },
      async stop() {
        await orderer.close();
        await anvil.stop();
      },
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
  /** How long handing the batch to anvil and evm_mine took (the block's "service time"). */
  mineMs: number;
  txs: Hex[];
  /** Why it was cut. */
  cause: 'full' | 'timeout';
}

/**
 * The ordering service in front of anvil: clients talk JSON-RPC to it as to any node; it answers
 * eth_sendRawTransaction at once with the transaction hash and keeps the transaction in its own pool, and passes every
 * other call through. It cuts a block when `blockSize` transactions wait or the oldest has waited the batch timeout
 * (FISCO BCOS's sealer and Fabric's orderer work this way), hands exactly that batch to anvil (--no-mining) and calls
 * evm_mine. A block gas limit cannot cap blocks at N here: inclusion is checked against gas *used*, which differs
 * per registration (the tree insert hashes one to ⌈log2 n⌉ levels), so anvil would pack more than N.
 */
export interface Orderer {
  url: string;
  /** Blocks cut since the last `configure`. */
  blocks: MinedBlock[];
  configure(blockSize: number): void;
  /** Resolves once nothing is waiting and no block is being made. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

export async function startOrderer(anvilUrl: string, timeoutMs = BATCH_TIMEOUT_MS): Promise<Orderer> {
  let blockSize = 8;
  let blocks: MinedBlock[] = [];
  let queue: { raw: Hex; hash: Hex }[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let busy: Promise<void> | undefined;
  let failure: Error | undefined;

  const cut = (cause: 'full' | 'timeout'): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = queue.slice(0, blockSize);
    queue = queue.slice(blockSize);
    busy = (async () => {
      const before = performance.now();
      // Different senders, and a sender's nonces in order: anvil's pool holds a nonce gap until it closes.
      await Promise.all(batch.map((t) => rpc(anvilUrl, 'eth_sendRawTransaction', [t.raw])));
      await rpc(anvilUrl, 'evm_mine');
      const at = performance.now();
      const block = await rpc<{ number: Hex; transactions: Hex[] }>(anvilUrl, 'eth_getBlockByNumber', ['latest', false]);
      if (block.transactions.length !== batch.length) throw new Error(`anvil mined ${block.transactions.length} of a batch of ${batch.length}.`);
      blocks.push({ number: Number(block.number), at, mineMs: at - before, txs: block.transactions, cause });
    })()
      .catch((error: unknown) => {
        failure ??= error as Error;
      })
      .finally(() => {
        busy = undefined;
        // Leftovers have waited since before this cut: a full batch goes at once, else their timer starts now.
        schedule();
      });
  };
  const schedule = (): void => {
    if (busy || !queue.length) return;
    if (queue.length >= blockSize) return cut('full');
    timer ??= setTimeout(() => cut('timeout'), timeoutMs);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const reply = (text: string) => res.writeHead(200, { 'content-type': 'application/json' }).end(text);
      let call: { id?: unknown; method?: string; params?: unknown[] } = {};
      try {
        call = JSON.parse(body) as typeof call;
      } catch {
        /* not one call: pass it through */
      }
      if (call.method === 'eth_sendRawTransaction' && typeof call.params?.[0] === 'string') {
        const raw = call.params[0] as Hex;
        const hash = keccak256(raw);
        queue.push({ raw, hash });
        schedule();
        reply(JSON.stringify({ jsonrpc: '2.0', id: call.id ?? null, result: hash }));
        return;
      }
      fetch(anvilUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
        .then((r) => r.text())
        .then(reply, () => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get blocks() {
      return blocks;
    },
    configure(n) {
      if (queue.length || busy) throw new Error('The orderer still holds transactions from the last cell.');
      blockSize = n;
      blocks = [];
    },
    async idle() {
      while (queue.length || busy) {
        if (failure) throw failure;
        await (busy ?? new Promise((r) => setTimeout(r, 20)));
      }
      if (failure) throw failure;
    },
    async close() {
      if (timer) clearTimeout(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
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
export async function runLoad(
  chain: BenchChain,
  o: { rate: number; count: number; blockSize: number; sendUrl?: string; drainMs?: number; onSent?: (hash: Hex) => void },
): Promise<LoadResult> {
  await chain.reset();
  chain.orderer.configure(o.blockSize);
  const sendUrl = o.sendUrl ?? chain.orderer.url;
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
  await Promise.race([chain.orderer.idle(), new Promise((r) => setTimeout(r, o.drainMs ?? 60_000))]);
  const blocks = [...chain.orderer.blocks];
  const at = new Map<Hex, number>();
  for (const b of blocks) for (const h of b.txs) at.set(h, b.at);
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
  const lastInclusion = Math.max(...blocks.map((b) => b.at));
  return { sent, latencies, blocks, stuck: sent.length - latencies.length, span: (lastInclusion - (sent[0]?.at ?? 0)) / 1000 };
}
