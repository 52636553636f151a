// Lists the stack's key custodians in the Consortium and sets the threshold t (the embedded default: one custodian, t = 1).
import { createPublicClient, createWalletClient, http } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { consortiumAbi } from '../../src/lib/chain/abi.generated';

export interface EnrolCustodianParameters {
  rpcUrl: string;
  adminKey: `0x${string}`;
  consortium: `0x${string}`;
  /** The custodian's account on chain (who it is; shares are sealed to its X25519 key). */
  account: `0x${string}`;
  x25519PublicKey: `0x${string}`;
  /** Threshold to set once this custodian is listed (default 1). */
  threshold?: number;
}

export async function enrolCustodian(p: EnrolCustodianParameters): Promise<void> {
  const transport = http(p.rpcUrl);
  const publicClient = createPublicClient({ transport, pollingInterval: 100 });
  const chainId = await publicClient.getChainId();
  const chain = { id: chainId, name: 'twingrain development chain', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [p.rpcUrl] } } };
  const admin = createWalletClient({ account: privateKeyToAccount(p.adminKey), chain, transport });
  const listed = (await publicClient.readContract({ address: p.consortium, abi: consortiumAbi, functionName: 'custodians' })) as ReadonlyArray<{ account: string }>;
  if (!listed.some((c) => c.account.toLowerCase() === p.account.toLowerCase())) {
    await publicClient.waitForTransactionReceipt({
      hash: await admin.writeContract({ address: p.consortium, abi: consortiumAbi, functionName: 'registerCustodian', args: [p.account, p.x25519PublicKey] }),
    });
  }
  await publicClient.waitForTransactionReceipt({ hash: await admin.writeContract({ address: p.consortium, abi: consortiumAbi, functionName: 'setThreshold', args: [p.threshold ?? 1] }) });
}
