// Deploys twingrain's contracts with viem (Node side: the embedded stack, scripts and contract tests).
// Contracts appear in the returned map under their Solidity names; a contract whose source has not landed yet is
// simply absent, so callers keep one shape while the set grows.
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { compileContracts, type CompiledContracts } from './compile.node.ts';
import { DeploymentError } from './errors';

export interface DeployContractsParameters {
  rpcUrl: string;
  deployerPrivateKey: `0x${string}`;
  /** Lets anyone enrol in the Consortium (the embedded development chain turns this on). */
  openEnrolment: boolean;
  /** Precompiled contracts (tests pass them to skip the cache lookup). */
  compiled?: CompiledContracts;
  /** Repository root for compiling. */
  root?: string;
  /** Registrations + authorizations a member may make per rolling day (GranuleRegistry.ACTIONS_PER_DAY). */
  actionsPerDay?: number;
  /** Blocks each deployment transaction must be under before the next is sent (default 0: mined is enough). */
  confirmations?: number;
}

/** The registry's per-member limit when the deployer sets none. */
export const DEFAULT_ACTIONS_PER_DAY = 64;

export interface DeployContractsReturnType {
  contracts: Record<string, `0x${string}`>;
  deployBlock: number;
}

/** Deployment order and constructor arguments; `deps` are names whose addresses are passed in order. */
const PLAN: {
  name: string;
  args: (ctx: { admin: Address; openEnrolment: boolean; actionsPerDay: number; at: (n: string) => Address }) => unknown[];
  needs: string[];
}[] = [
  { name: 'EnrolmentVerifier', needs: [], args: () => [] },
  { name: 'Consortium', needs: ['EnrolmentVerifier'], args: ({ admin, openEnrolment, at }) => [admin, openEnrolment, at('EnrolmentVerifier')] },
  { name: 'RegistrationVerifier', needs: [], args: () => [] },
  { name: 'AuthorizationVerifier', needs: [], args: () => [] },
  { name: 'InstantiationVerifier', needs: [], args: () => [] },
  { name: 'TransferVerifier', needs: [], args: () => [] },
  // Licence prices are paid in community credit; the incentive contracts (src/lib/incentive/deploy) reuse this token.
  { name: 'CommunityCredit', needs: [], args: ({ admin }) => [admin] },
  // Not Solidity: circomlibjs generates Poseidon's EVM bytecode from the same constants as the circuits.
  { name: 'PoseidonT3', needs: [], args: () => [] },
  {
    name: 'GranuleRegistry',
    needs: ['Consortium', 'RegistrationVerifier', 'AuthorizationVerifier', 'InstantiationVerifier', 'TransferVerifier', 'PoseidonT3', 'CommunityCredit'],
    args: ({ at, actionsPerDay }) => [
      at('Consortium'),
      at('RegistrationVerifier'),
      at('AuthorizationVerifier'),
      at('InstantiationVerifier'),
      at('TransferVerifier'),
      at('PoseidonT3'),
      at('CommunityCredit'),
      BigInt(actionsPerDay),
    ],
  },
];

/** Poseidon (t = 3) bytecode from circomlibjs, in the shape of a compiled contract. */
export async function poseidonT3Artifact(): Promise<{ abi: Abi; bytecode: Hex }> {
  const { poseidonContract } = await import('circomlibjs');
  return { abi: poseidonContract.generateABI(2) as Abi, bytecode: poseidonContract.createCode(2) as Hex };
}

export async function deployContracts(parameters: DeployContractsParameters): Promise<DeployContractsReturnType> {
  const compiled: Record<string, { abi: Abi; bytecode: Hex }> = {
    ...(parameters.compiled ?? compileContracts(parameters.root ? { root: parameters.root } : {})),
  };
  compiled.PoseidonT3 ??= await poseidonT3Artifact();
  const account = privateKeyToAccount(parameters.deployerPrivateKey);
  const transport = http(parameters.rpcUrl);
  const publicClient = createPublicClient({ transport });
  const walletClient = createWalletClient({ account, transport });
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (cause) {
    throw new DeploymentError(`Cannot reach the chain at ${parameters.rpcUrl}: is the node running? (${(cause as Error).message.split('\n')[0]})`);
  }
  const chain = {
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [parameters.rpcUrl] } },
  };

  const contracts: Record<string, `0x${string}`> = {};
  let deployBlock: number | undefined;
  const at = (name: string): Address => {
    const address = contracts[name];
    if (!address) throw new DeploymentError(`Contract ${name} was not deployed.`);
    return address;
  };
  for (const step of PLAN) {
    const artifact = compiled[step.name];
    if (!artifact || !step.needs.every((n) => contracts[n])) continue;
    const hash = await walletClient.deployContract({
      abi: artifact.abi as Abi,
      bytecode: artifact.bytecode as Hex,
      args: step.args({
        admin: account.address,
        openEnrolment: parameters.openEnrolment,
        actionsPerDay: parameters.actionsPerDay ?? DEFAULT_ACTIONS_PER_DAY,
        at,
      }),
      chain,
    });
    const receipt = await publicClient.waitForTransactionReceipt({ hash, confirmations: Math.max(1, parameters.confirmations ?? 0) });
    if (receipt.status !== 'success' || !receipt.contractAddress) {
      throw new DeploymentError(`Deploying ${step.name} failed in transaction ${hash}.`);
    }
    contracts[step.name] = receipt.contractAddress;
    deployBlock ??= Number(receipt.blockNumber);
  }
  return { contracts, deployBlock: deployBlock ?? 0 };
}
