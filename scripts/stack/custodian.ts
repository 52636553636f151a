// Lists the stack's key custodians in the Consortium and sets the threshold t (the embedded default: one custodian, t = 1).
import { createPublicClient, createWalletClient, http, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { listCustodians } from '../../src/lib/chain/list-custodians';

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
  const publicClient = createPublicClient({ transport, pollingInterval: 100 }) as PublicClient;
  const chainId = await publicClient.getChainId();
  const chain = {
    id: chainId,
    name: 'twingrain development chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [p.rpcUrl] } },
  };
  const walletClient = createWalletClient({ account: privateKeyToAccount(p.adminKey), chain, transport });
  await listCustodians({
    publicClient,
    walletClient,
    consortium: p.consortium,
    custodians: [{ account: p.account, x25519PublicKey: p.x25519PublicKey }],
    threshold: p.threshold ?? 1,
  });
}
