// The Consortium admin's side of key custody: list custodians (an account and the X25519 key shares are sealed to)
// and set the threshold t. Idempotent, so a deployment script that stopped half way can simply run again.
import type { Address, Hex, PublicClient, WalletClient } from 'viem';
import { consortiumAbi } from './abi.generated';
import { DeploymentError } from './errors';

export interface ListCustodiansParameters {
  publicClient: PublicClient;
  /** The Consortium's admin (the deployer). */
  walletClient: WalletClient;
  consortium: Address;
  custodians: ReadonlyArray<{ account: Address; x25519PublicKey: Hex }>;
  /** Shares needed to rebuild a granule key; between 1 and the number of custodians listed in the end. */
  threshold: number;
  /** Blocks each transaction must be under before the next is sent (default 0: mined is enough). */
  confirmations?: number;
}

export async function listCustodians(p: ListCustodiansParameters): Promise<void> {
  const account = p.walletClient.account;
  if (!account) throw new DeploymentError("Listing custodians needs the Consortium admin's wallet.");
  const send = async (request: Parameters<WalletClient['writeContract']>[0]): Promise<void> => {
    const hash = await p.walletClient.writeContract(request);
    const receipt = await p.publicClient.waitForTransactionReceipt({ hash, confirmations: Math.max(1, p.confirmations ?? 0) });
    if (receipt.status !== 'success')
      throw new DeploymentError(`The Consortium refused ${request.functionName} in transaction ${hash}: is this wallet its admin?`);
  };
  const listed = await p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'custodians' });
  for (const c of p.custodians) {
    if (listed.some((l) => l.account.toLowerCase() === c.account.toLowerCase())) continue;
    await send({
      address: p.consortium,
      abi: consortiumAbi,
      functionName: 'registerCustodian',
      args: [c.account, c.x25519PublicKey],
      account,
      chain: p.walletClient.chain,
    });
  }
  const current = Number(await p.publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'threshold' }));
  if (current !== p.threshold)
    await send({ address: p.consortium, abi: consortiumAbi, functionName: 'setThreshold', args: [p.threshold], account, chain: p.walletClient.chain });
}
