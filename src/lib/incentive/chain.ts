// Reading and claiming compensation on chain (browser and Node): balances, terms, payouts of one account.
import type { Account, Address, Chain, PublicClient, Transport, WalletClient } from 'viem';
import { BaseError, ContractFunctionRevertedError, parseAbi } from 'viem';
import { communityCreditAbi, sharingIncentiveAbi } from './abi';
import { IncentiveError, InvalidParameterError } from './errors';
import { toWad } from './fixed-point';
import type { Scenario } from './scenario';
import type { SolveScenarioReturnType } from './solve';
import { namedError } from '../errors/index';

const consortiumAbi = parseAbi(['function pkOf(address account) view returns (uint256)']);
const registryAbi = parseAbi(['function registrationsOf(uint256 pk) view returns (uint256)']);

class IncentiveNotDeployedError extends namedError('IncentiveNotDeployedError', IncentiveError) {
  constructor() {
    super(
      'The incentive contracts are not deployed on this chain (no SharingIncentive or CommunityCredit in the configuration). Restart the stack with "npm start" or ask the consortium admin.',
    );
  }
}

const REVERTS: Record<string, string> = {
  NotAdmin: "Only the consortium admin (or the deployer) may set incentive terms. Use the admin's wallet or key.",
  NotAMember: 'This account is not enrolled in the Consortium, so it has no public key to be paid for. Enrol it in the Consortium first.',
  NoTerms: 'The consortium admin has not set compensation terms for this public key yet; nothing can be claimed.',
  InvalidTerms: 'The terms were refused: each needs a public key, a positive cap and f ≥ 0, and the lists must be equally long.',
  NoSources: 'The incentive contract is not connected to the Consortium and registry yet; the admin must call setSources.',
  NotGranuleOwner: "One of the granules is not registered under this account's public key; claim only your own granules.",
};

/** Turns a SharingIncentive revert into an IncentiveError saying what to do; other errors pass through. */
function incentiveRevert(error: unknown): unknown {
  if (error instanceof BaseError) {
    const revert = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    const name = revert?.data?.errorName;
    if (name && REVERTS[name]) return new IncentiveError(REVERTS[name]);
  }
  return error;
}

interface Payout {
  blockNumber: bigint;
  transactionHash: `0x${string}`;
  kind: 'compensation' | 'instantiations';
  /** Credits in 1e18 units. */
  amount: bigint;
  /** Granules counted (compensation) or instantiations rewarded. */
  count: bigint;
}

export interface ReadIncentiveAccountParameters {
  client: PublicClient;
  contracts: Record<string, `0x${string}`>;
  account: Address;
  /** First block to scan for payouts (the deployment block). */
  fromBlock?: bigint;
}

export interface ReadIncentiveAccountReturnType {
  symbol: string;
  /** Community credits held (1e18 units). */
  balance: bigint;
  /** The account's twingrain public key in the Consortium (0n: not enrolled). */
  pk: bigint;
  /** Granules registered under pk. */
  registrations: bigint | null;
  /** The terms the admin set for pk (null: none). */
  terms: { f: bigint; g: bigint; cap: bigint } | null;
  /** E = f·min(registrations, cap) + g now (1e18 units; null without terms). */
  compensation: bigint | null;
  paid: bigint;
  owed: bigint;
  payouts: Payout[];
}

export async function readIncentiveAccount(p: ReadIncentiveAccountParameters): Promise<ReadIncentiveAccountReturnType> {
  const incentive = p.contracts.SharingIncentive;
  const credit = p.contracts.CommunityCredit;
  if (!incentive || !credit) throw new IncentiveNotDeployedError();
  const c = p.client;
  const [symbol, balance] = await Promise.all([
    c.readContract({ address: credit, abi: communityCreditAbi, functionName: 'symbol' }),
    c.readContract({ address: credit, abi: communityCreditAbi, functionName: 'balanceOf', args: [p.account] }),
  ]);
  const pk = p.contracts.Consortium
    ? await c.readContract({ address: p.contracts.Consortium, abi: consortiumAbi, functionName: 'pkOf', args: [p.account] })
    : 0n;
  let registrations: bigint | null = null;
  let terms: ReadIncentiveAccountReturnType['terms'] = null;
  let compensation: bigint | null = null;
  let paid = 0n;
  let owed = 0n;
  if (pk !== 0n) {
    if (p.contracts.GranuleRegistry)
      registrations = await c.readContract({ address: p.contracts.GranuleRegistry, abi: registryAbi, functionName: 'registrationsOf', args: [pk] });
    const [f, g, cap] = await c.readContract({ address: incentive, abi: sharingIncentiveAbi, functionName: 'termsOf', args: [pk] });
    paid = await c.readContract({ address: incentive, abi: sharingIncentiveAbi, functionName: 'paidOf', args: [pk] });
    if (cap !== 0n) {
      terms = { f, g, cap };
      if (registrations !== null) {
        const [, e] = await c.readContract({ address: incentive, abi: sharingIncentiveAbi, functionName: 'compensationOf', args: [pk] });
        compensation = e;
        owed = await c.readContract({ address: incentive, abi: sharingIncentiveAbi, functionName: 'owedTo', args: [pk] });
      }
    }
  }
  const fromBlock = p.fromBlock ?? 0n;
  const [comp, inst] = await Promise.all([
    c.getContractEvents({ address: incentive, abi: sharingIncentiveAbi, eventName: 'CompensationPaid', args: { account: p.account }, fromBlock }),
    c.getContractEvents({ address: incentive, abi: sharingIncentiveAbi, eventName: 'InstantiationsRewarded', args: { account: p.account }, fromBlock }),
  ]);
  const payouts: Payout[] = [
    ...comp.map((e) => ({
      blockNumber: e.blockNumber,
      transactionHash: e.transactionHash,
      kind: 'compensation' as const,
      amount: e.args.amount!,
      count: e.args.granules!,
    })),
    ...inst.map((e) => ({
      blockNumber: e.blockNumber,
      transactionHash: e.transactionHash,
      kind: 'instantiations' as const,
      amount: e.args.amount!,
      count: e.args.instantiations!,
    })),
  ].sort((a, b) => Number(b.blockNumber - a.blockNumber));
  return { symbol, balance, pk, registrations, terms, compensation, paid, owed, payouts };
}

/** Claims the connected account's outstanding compensation; resolves with the transaction hash once mined. */
export async function claimCompensation(p: {
  walletClient: WalletClient<Transport, Chain, Account>;
  publicClient: PublicClient;
  contracts: Record<string, `0x${string}`>;
}): Promise<`0x${string}`> {
  const incentive = p.contracts.SharingIncentive;
  if (!incentive) throw new IncentiveNotDeployedError();
  const { request } = await p.publicClient
    .simulateContract({ address: incentive, abi: sharingIncentiveAbi, functionName: 'claim', account: p.walletClient.account })
    .catch((e: unknown) => {
      throw incentiveRevert(e);
    });
  const hash = await p.walletClient.writeContract(request);
  const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new IncentiveError(`The claim transaction ${hash} failed on chain; nothing was paid. Try again.`);
  return hash;
}

export interface OnChainTerms {
  pk: bigint;
  /** 1e18 units per granule. */
  f: bigint;
  /** 1e18 units. */
  g: bigint;
  /** Registered granules counted at most: the provider's n_i. */
  cap: bigint;
}

/** The on-chain terms of every provider of a solved scenario that names its public key (`providers[i].pk`). */
export function termsFromSolution(scenario: Scenario, solution: Pick<SolveScenarioReturnType, 'f' | 'g'>): OnChainTerms[] {
  const out: OnChainTerms[] = [];
  scenario.providers.forEach((p, i) => {
    if (p.pk === undefined) return;
    let pk: bigint;
    try {
      pk = BigInt(p.pk);
    } catch {
      throw new InvalidParameterError(
        `providers[${i}].pk`,
        `is not a decimal public key (got ${JSON.stringify(p.pk)})`,
        "Use the provider's twingrain public key (the Pk of its identity).",
      );
    }
    if (pk <= 0n)
      throw new InvalidParameterError(`providers[${i}].pk`, 'must be positive', "Use the provider's twingrain public key (the Pk of its identity).");
    // Granules are counted whole on chain; a fractional n_i counts its whole part (at least one).
    const cap = BigInt(Math.max(1, Math.floor(p.n)));
    out.push({ pk, f: toWad(solution.f[i]!, `f[${i}]`), g: toWad(solution.g[i]!, `g[${i}]`), cap });
  });
  return out;
}

/** The consortium admin publishes terms, up to `chunk` providers per transaction; resolves with the mined hashes. */
export async function publishIncentiveTerms(p: {
  walletClient: WalletClient<Transport, Chain, Account>;
  publicClient: PublicClient;
  contracts: Record<string, `0x${string}`>;
  terms: OnChainTerms[];
  chunk?: number;
}): Promise<`0x${string}`[]> {
  const incentive = p.contracts.SharingIncentive;
  if (!incentive) throw new IncentiveNotDeployedError();
  const size = p.chunk ?? 100;
  const hashes: `0x${string}`[] = [];
  for (let k = 0; k < p.terms.length; k += size) {
    const part = p.terms.slice(k, k + size);
    const { request } = await p.publicClient
      .simulateContract({
        address: incentive,
        abi: sharingIncentiveAbi,
        functionName: 'setTermsBatch',
        args: [part.map((t) => t.pk), part.map((t) => t.f), part.map((t) => t.g), part.map((t) => t.cap)],
        account: p.walletClient.account,
      })
      .catch((e: unknown) => {
        throw incentiveRevert(e);
      });
    const hash = await p.walletClient.writeContract(request);
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new IncentiveError(`Publishing terms failed in transaction ${hash}; nothing after provider ${k} was set.`);
    hashes.push(hash);
  }
  return hashes;
}

const adminAbi = parseAbi(['function deployer() view returns (address)', 'function hasRole(bytes32 role, address account) view returns (bool)']);
const DEFAULT_ADMIN_ROLE = `0x${'0'.repeat(64)}` as const;

/**
 * Whether `account` may set incentive terms: the incentive contract's deployer or a Consortium admin (the rule
 * SharingIncentive.onlyAdmin enforces). The app uses it to show admin actions only to admins; the contract decides.
 */
export async function isIncentiveAdmin(p: { client: PublicClient; contracts: Record<string, `0x${string}`>; account: `0x${string}` }): Promise<boolean> {
  const incentive = p.contracts.SharingIncentive;
  if (!incentive) return false;
  const deployer = await p.client.readContract({ address: incentive, abi: adminAbi, functionName: 'deployer' });
  if (deployer.toLowerCase() === p.account.toLowerCase()) return true;
  if (!p.contracts.Consortium) return false;
  return p.client.readContract({ address: p.contracts.Consortium, abi: adminAbi, functionName: 'hasRole', args: [DEFAULT_ADMIN_ROLE, p.account] });
}
