// Node only (it compiles Solidity): deploys the community credit token and the sharing incentive contract.
// The embedded stack calls it after the zero-knowledge contracts, passing their Consortium and GranuleRegistry.
import { createPublicClient, createWalletClient, http, zeroAddress, type Abi, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { compileContracts, type CompiledContracts } from '../chain/compile.node.ts';
import { IncentiveError } from './errors';
import { namedError } from '../errors/index';

export interface DeployIncentiveContractsParameters {
  rpcUrl: string;
  deployerPrivateKey: `0x${string}`;
  /** GranuleRegistry (registrationsOf, instantiationsOf, ownerOf). Settable later with setSources. */
  registry?: `0x${string}`;
  /** Consortium (pkOf, hasRole): its admins may set terms. */
  consortium?: `0x${string}`;
  /** The CommunityCredit already deployed with the registry (licence prices are paid in it); a new one when absent. */
  credit?: `0x${string}`;
  /** Precompiled contracts (tests pass them to skip the cache lookup). */
  compiled?: CompiledContracts;
}

export type DeployIncentiveContractsReturnType = Record<string, `0x${string}`>;

class IncentiveDeploymentError extends namedError('IncentiveDeploymentError', IncentiveError) {}

export async function deployIncentiveContracts(p: DeployIncentiveContractsParameters): Promise<DeployIncentiveContractsReturnType> {
  const compiled = p.compiled ?? compileContracts();
  const account = privateKeyToAccount(p.deployerPrivateKey);
  const transport = http(p.rpcUrl);
  const publicClient = createPublicClient({ transport, pollingInterval: 100 });
  let chainId: number;
  try {
    chainId = await publicClient.getChainId();
  } catch (cause) {
    throw new IncentiveDeploymentError(
      `Cannot reach the chain at ${p.rpcUrl} to deploy the incentive contracts: is the node running? (${(cause as Error).message.split('\n')[0]})`,
    );
  }
  const chain = {
    id: chainId,
    name: `chain-${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [p.rpcUrl] } },
  };
  const wallet = createWalletClient({ account, transport, chain });
  const deploy = async (name: string, args: unknown[]): Promise<`0x${string}`> => {
    const artifact = compiled[name];
    if (!artifact) throw new IncentiveDeploymentError(`The contract ${name} is missing from the compiled output; is contracts/incentive/${name}.sol there?`);
    const hash = await wallet.deployContract({ abi: artifact.abi as Abi, bytecode: artifact.bytecode as Hex, args });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success' || !receipt.contractAddress) throw new IncentiveDeploymentError(`Deploying ${name} failed in transaction ${hash}.`);
    return receipt.contractAddress;
  };
  const credit = p.credit ?? (await deploy('CommunityCredit', [account.address]));
  const incentive = await deploy('SharingIncentive', [p.consortium ?? zeroAddress, p.registry ?? zeroAddress, credit]);
  const creditAbi = compiled.CommunityCredit!.abi as Abi;
  const minter = (await publicClient.readContract({ address: credit, abi: creditAbi, functionName: 'MINTER_ROLE' })) as Hex;
  const hash = await wallet.writeContract({ address: credit, abi: creditAbi, functionName: 'grantRole', args: [minter, incentive] });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  if (receipt.status !== 'success') throw new IncentiveDeploymentError(`Granting the minter role to SharingIncentive failed in transaction ${hash}.`);
  return { CommunityCredit: credit, SharingIncentive: incentive };
}
