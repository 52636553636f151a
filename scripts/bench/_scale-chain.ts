// A community with N registrations on a local anvil, made fast but through the real GranuleRegistry: every leaf is a
// real commit (one transaction) and a real register (another), by enrolled members within the registry's rate limit,
// inserted by the contract's own LeanTree with the on-chain Poseidon and announced by its own Registered event.
// One thing is not real, and only on this throwaway chain: the registration verifier's code is replaced
// (anvil_setCode) by one that accepts every proof, because 100,000 Groth16 proofs take about 5 hours here and a
// light node never reads proofs (it reads events and roots). Transactions go unsigned from anvil's unlocked
// development accounts in JSON-RPC batches, with automine off and one evm_mine per batch.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { encodeAbiParameters, encodeFunctionData, keccak256, numberToHex, toHex, type Address, type Hex } from 'viem';
import { consortiumAbi, granuleRegistryAbi } from '../../src/lib/chain/index';
import { compileContracts } from '../../src/lib/chain/compile.node.ts';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import { startAnvil, ANVIL_ACCOUNTS, type RunningAnvil } from '../../src/lib/node/anvil';
import { freePort } from './_proxy';

const FIELD = 21888242871839275222246405745257275088548364400416903203723323432986346627585n - 1n;
const MEMBERS = 20;
const REGISTER_GAS = 2_000_000n;
const COMMIT_GAS = 120_000n;
/** Registrations per block: a busy consortium chain (about 500 × 0.8 Mgas). */
const PER_BLOCK = 500;
/** Runtime code that returns abi.encode(true) to any call: the bench's stand-in registration verifier. */
const ACCEPT_ALL = '0x600160005260206000f3';

export interface ScaleChain {
  anvil: RunningAnvil;
  rpcUrl: string;
  registry: Address;
  deployBlock: number;
  /** Seconds spent creating the registrations (not counting deployment). */
  createSeconds: number;
  /** Adds `count` more registrations (a returning node's "since last time"). */
  add(count: number): Promise<void>;
  stop(): Promise<void>;
}

interface RpcRequest {
  method: string;
  params: unknown[];
}

async function batch<T = unknown>(url: string, requests: RpcRequest[]): Promise<T[]> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(requests.map((r, id) => ({ jsonrpc: '2.0', id, ...r }))),
  });
  const body = (await response.json()) as { id: number; result?: T; error?: { message: string } }[];
  const out: T[] = new Array(requests.length);
  for (const item of body) {
    if (item.error) throw new Error(`${requests[item.id]?.method}: ${item.error.message}`);
    out[item.id] = item.result as T;
  }
  return out;
}

const call = async <T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> => (await batch<T>(url, [{ method, params }]))[0]!;

/** Deterministic distinct field elements (commitments and α look random on chain too). */
const field = (tag: string, i: number): bigint => (BigInt(keccak256(toHex(`${tag}-${i}`))) % FIELD) + 1n;

/** The public key of the bench's member j (each of the 20 members registers every 20th granule). */
export const scaleMemberPk = (j: number): bigint => field('member', j);

async function mineAll(url: string): Promise<void> {
  for (;;) {
    // Batched requests may reach the pool out of nonce order: wait for queued ones too.
    const status = await call<{ pending: Hex; queued: Hex }>(url, 'txpool_status');
    if (Number(status.pending) + Number(status.queued) === 0) return;
    await call(url, 'evm_mine');
  }
}

async function checkReceipts(url: string, hashes: Hex[]): Promise<void> {
  // One in a hundred is enough to catch a systematic revert; the final root check catches the rest.
  const sample = hashes.filter((_, i) => i % 100 === 0 || i === hashes.length - 1);
  const receipts = await batch<{ status: Hex } | null>(
    url,
    sample.map((h) => ({ method: 'eth_getTransactionReceipt', params: [h] })),
  );
  const failed = receipts.findIndex((r) => r?.status !== '0x1');
  if (failed >= 0) {
    const tx = await call<{ from: Hex; to: Hex; input: Hex; blockNumber: Hex }>(url, 'eth_getTransactionByHash', [sample[failed]]);
    const why = await batch(url, [{ method: 'eth_call', params: [{ from: tx.from, to: tx.to, data: tx.input }, tx.blockNumber] }]).catch(
      (e: Error) => e.message,
    );
    throw new Error(`bench transaction ${sample[failed]} failed or was not mined (${JSON.stringify(receipts[failed])}; replayed: ${String(why)})`);
  }
}

/** What a saved chain state needs beside anvil's own dump to be measured again (`<state>.json`). */
interface SavedChain {
  registrations: number;
  registry: Address;
  consortium: Address;
  deployBlock: number;
  createSeconds: number;
}

/** Stops anvil with SIGTERM and waits (no SIGKILL after 3 s): it writes its --dump-state file on the way out. */
async function stopAndDump(anvil: RunningAnvil): Promise<void> {
  const exited = new Promise<void>((r) => anvil.process.once('exit', () => r()));
  anvil.process.kill('SIGTERM');
  await exited;
}

/**
 * With `statePath`, the chain is created once and saved with anvil's --dump-state (blocks, receipts and logs
 * included), then every later run loads it (--load-state): measuring repeats without re-creating 100,000
 * registrations. The file is a throwaway under /tmp, never committed.
 */
export async function startScaleChain(o: {
  registrations: number;
  log: (s: string) => void;
  statePath?: string;
  /** An anvil already running with `--load-state statePath` (loading 100,000 takes minutes): used, never stopped. */
  attach?: string;
}): Promise<ScaleChain> {
  const n = o.registrations;
  const metaPath = o.statePath ? `${o.statePath}.json` : undefined;
  const saved =
    o.statePath && metaPath && existsSync(o.statePath) && existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as SavedChain) : undefined;
  if (saved && saved.registrations !== n) throw new Error(`${o.statePath} holds ${saved.registrations} registrations, not ${n}`);
  const common = ['--accounts', String(MEMBERS + 1), '--base-fee', '0', '--gas-limit', String(REGISTER_GAS * BigInt(PER_BLOCK) + 10_000_000n)];
  if (o.attach && !saved) throw new Error(`attaching to ${o.attach} needs the saved chain's ${metaPath ?? 'state'}`);
  const anvil: RunningAnvil = o.attach
    ? ({ rpcUrl: o.attach, chainId: 31337, stop: async () => undefined } as unknown as RunningAnvil)
    : await startAnvil({
        port: await freePort(),
        args: [...common, ...(saved ? ['--load-state', o.statePath!] : o.statePath ? ['--dump-state', o.statePath] : [])],
        timeoutMs: 600_000,
      });
  const url = anvil.rpcUrl;
  try {
    const { contracts, deployBlock } = saved
      ? { contracts: { GranuleRegistry: saved.registry, Consortium: saved.consortium } as Record<string, Address>, deployBlock: saved.deployBlock }
      : await deployContracts({
          rpcUrl: url,
          deployerPrivateKey: ANVIL_ACCOUNTS[0].privateKey,
          openEnrolment: false,
          compiled: compileContracts(),
          actionsPerDay: Math.max(64, Math.ceil(n / MEMBERS)),
        });
    const registry = contracts.GranuleRegistry!;
    const consortium = contracts.Consortium!;
    const accounts = (await call<Address[]>(url, 'eth_accounts')).slice(1, MEMBERS + 1);
    const pks = accounts.map((_, j) => field('member', j));
    if (saved) {
      const nonces = await batch<Hex>(
        url,
        accounts.map((a) => ({ method: 'eth_getTransactionCount', params: [a, 'latest'] })),
      );
      return finish(o, anvil, url, registry, deployBlock, accounts, pks, nonces.map(Number), n, saved.createSeconds);
    }
    await call(url, 'anvil_setCode', [contracts.RegistrationVerifier!, ACCEPT_ALL]);
    const adminNonce = Number(await call<Hex>(url, 'eth_getTransactionCount', [ANVIL_ACCOUNTS[0].address, 'pending']));
    // One at a time: anvil under automine leaves a batch's out-of-order nonces queued for ever.
    for (const [j, account] of accounts.entries()) {
      await call(url, 'eth_sendTransaction', [
        {
          from: ANVIL_ACCOUNTS[0].address,
          to: consortium,
          nonce: numberToHex(adminNonce + j),
          data: encodeFunctionData({ abi: consortiumAbi, functionName: 'enrolMember', args: [account, pks[j]!] }),
        },
      ]);
    }
    await mineAll(url);
    const chain = await finish(
      o,
      anvil,
      url,
      registry,
      deployBlock,
      accounts,
      pks,
      accounts.map(() => 0),
      0,
      0,
    );
    if (!o.statePath || !metaPath) return chain;
    // Saved, then loaded back: the measured chain is the one later runs load.
    await stopAndDump(anvil);
    const meta: SavedChain = { registrations: n, registry, consortium, deployBlock, createSeconds: chain.createSeconds };
    writeFileSync(metaPath, `${JSON.stringify(meta, null, 2)}\n`);
    o.log(`saved the chain state to ${o.statePath}`);
    return startScaleChain(o);
  } catch (error) {
    await anvil.stop();
    throw error;
  }
}

async function finish(
  o: { registrations: number; log: (s: string) => void },
  anvil: RunningAnvil,
  url: string,
  registry: Address,
  deployBlock: number,
  accounts: Address[],
  pks: bigint[],
  nonces: number[],
  already: number,
  createdIn: number,
): Promise<ScaleChain> {
  const n = o.registrations;
  {
    let made = already;
    const add = async (count: number): Promise<void> => {
      await call(url, 'evm_setAutomine', [false]);
      // Past the rate limit's window of the last registrations: a loaded chain forgot the time it was moved on by,
      // so move on from its latest block, not from the clock.
      const latest = await call<{ timestamp: Hex }>(url, 'eth_getBlockByNumber', ['latest', false]);
      const ahead = Math.max(0, Number(latest.timestamp) - Math.floor(Date.now() / 1000));
      await call(url, 'evm_increaseTime', [numberToHex(ahead + 2 * 86_400)]);
      const t0 = performance.now();
      const target = made + count;
      const chunk = PER_BLOCK * 4;
      for (let start = made; start < target; start += chunk) {
        const end = Math.min(target, start + chunk);
        const commits: RpcRequest[] = [];
        const registers: RpcRequest[] = [];
        for (let i = start; i < end; i++) {
          const j = i % MEMBERS;
          const from = accounts[j]!;
          const alpha = field('alpha', i);
          const salt = keccak256(toHex(`salt-${i}`));
          const hidden = keccak256(
            encodeAbiParameters([{ type: 'uint256' }, { type: 'uint256' }, { type: 'address' }, { type: 'bytes32' }], [alpha, pks[j]!, from, salt]),
          );
          commits.push({
            method: 'eth_sendTransaction',
            params: [
              {
                from,
                to: registry,
                gas: numberToHex(COMMIT_GAS),
                nonce: numberToHex(nonces[j]!++),
                data: encodeFunctionData({ abi: granuleRegistryAbi, functionName: 'commitRegistration', args: [hidden] }),
              },
            ],
          });
          const proof = { a: [1n, 2n] as const, b: [[1n, 2n] as const, [3n, 4n] as const] as const, c: [1n, 2n] as const };
          const manifestCid = toHex(new Uint8Array([0x01, 0x55, 0x12, 0x20, ...new Uint8Array(32).fill(i & 0xff)]));
          registers.push({
            method: 'eth_sendTransaction',
            params: [
              {
                from,
                to: registry,
                gas: numberToHex(REGISTER_GAS),
                data: encodeFunctionData({
                  abi: granuleRegistryAbi,
                  functionName: 'register',
                  args: [proof, alpha, pks[j]!, field('leaf', i), manifestCid, salt],
                }),
              },
            ],
          });
        }
        await batch(url, commits);
        await mineAll(url);
        // Nonces after the commits, in order per member.
        for (const r of registers) {
          const tx = r.params[0] as { from: Address; nonce?: Hex };
          tx.nonce = numberToHex(nonces[accounts.indexOf(tx.from)]!++);
        }
        const hashes: Hex[] = [];
        for (let k = 0; k < registers.length; k += PER_BLOCK) {
          hashes.push(...(await batch<Hex>(url, registers.slice(k, k + PER_BLOCK))));
          await call(url, 'evm_mine');
        }
        await mineAll(url);
        await checkReceipts(url, hashes);
        made = end;
        if (end % 10_000 === 0 || end === target) o.log(`${end}/${target} registrations (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      }
      await call(url, 'evm_setAutomine', [true]);
    };
    const t0 = performance.now();
    if (already < n) await add(n - already);
    const createSeconds = already < n ? (performance.now() - t0) / 1000 : createdIn;
    const size = await call<Hex>(url, 'eth_call', [
      { to: registry, data: encodeFunctionData({ abi: granuleRegistryAbi, functionName: 'registrationTree' }) },
      'latest',
    ]);
    if (BigInt(size.slice(0, 66)) !== BigInt(n)) throw new Error(`the registry holds ${BigInt(size.slice(0, 66))} registrations, not ${n}`);
    return { anvil, rpcUrl: url, registry, deployBlock, createSeconds, add, stop: () => anvil.stop() };
  }
}
