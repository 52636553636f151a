// Connecting a wallet: an injected one (switching to, or adding, the configured chain) or, on the development chain
// only, a local development account whose key lives in this browser and which the chain itself funds.
import {
  createPublicClient,
  createWalletClient,
  custom,
  http,
  numberToHex,
  parseEther,
  type Account,
  type Chain,
  type PublicClient,
  type WalletClient,
  type Transport,
} from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import type { ChainConfig } from '../config';
import { chainFromConfig } from './chain';
import type { DiscoveredWallet } from './eip6963';
import { NotDevelopmentChainError, WalletRejectedError, WalletError } from './errors';

export interface WalletConnection {
  kind: 'injected' | 'development';
  label: string;
  address: `0x${string}`;
  chain: Chain;
  walletClient: WalletClient<Transport, Chain, Account>;
  publicClient: PublicClient;
}

function isUserRejection(error: unknown): boolean {
  const e = error as { code?: number; cause?: { code?: number } };
  return e?.code === 4001 || e?.cause?.code === 4001;
}

export async function connectInjected(wallet: DiscoveredWallet, config: ChainConfig): Promise<WalletConnection> {
  const chain = chainFromConfig(config);
  const provider = wallet.provider;
  let accounts: string[];
  try {
    accounts = (await provider.request({ method: 'eth_requestAccounts' })) as string[];
  } catch (error) {
    if (isUserRejection(error)) throw new WalletRejectedError('connect');
    throw new WalletError(`${wallet.info.name} could not connect: ${(error as Error).message}`);
  }
  const address = accounts[0] as `0x${string}` | undefined;
  if (!address) throw new WalletError(`${wallet.info.name} returned no account. Unlock it and try again.`);
  try {
    await provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: numberToHex(config.chainId) }] });
  } catch (error) {
    // 4902: the wallet does not know the chain yet; add it (this also switches).
    if ((error as { code?: number }).code === 4902) {
      try {
        await provider.request({
          method: 'wallet_addEthereumChain',
          params: [{ chainId: numberToHex(config.chainId), chainName: config.name, rpcUrls: [config.rpcUrl], nativeCurrency: chain.nativeCurrency }],
        });
      } catch (addError) {
        if (isUserRejection(addError)) throw new WalletRejectedError(`add ${config.name}`);
        throw new WalletError(`${wallet.info.name} could not add ${config.name}: ${(addError as Error).message}`);
      }
    } else if (isUserRejection(error)) {
      throw new WalletRejectedError(`switch to ${config.name}`);
    } else {
      throw new WalletError(`${wallet.info.name} could not switch to ${config.name}: ${(error as Error).message}`);
    }
  }
  const walletClient = createWalletClient({ account: address, chain, transport: custom(provider) }) as unknown as WalletClient<Transport, Chain, Account>;
  return {
    kind: 'injected',
    label: wallet.info.name,
    address,
    chain,
    walletClient,
    publicClient: createPublicClient({ chain, transport: http(config.rpcUrl) }) as PublicClient,
  };
}

export const DEVELOPMENT_FUNDING = parseEther('100');

/** The key is kept by the caller (the app stores it in its settings table); a new one is made when absent. */
export async function connectDevelopmentAccount(
  config: ChainConfig,
  privateKey: `0x${string}` | undefined,
): Promise<{ connection: WalletConnection; privateKey: `0x${string}` }> {
  if (!config.development) throw new NotDevelopmentChainError();
  const key = privateKey ?? generatePrivateKey();
  const account = privateKeyToAccount(key);
  const chain = chainFromConfig(config);
  const transport = http(config.rpcUrl);
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const balance = await publicClient.getBalance({ address: account.address });
  if (balance < DEVELOPMENT_FUNDING / 2n) {
    // Funded by the development chain itself (anvil's cheat RPC), never by a real faucet or key.
    await publicClient.request({ method: 'anvil_setBalance' as never, params: [account.address, numberToHex(DEVELOPMENT_FUNDING)] as never });
  }
  const walletClient = createWalletClient({ account, chain, transport });
  return {
    connection: {
      kind: 'development',
      label: 'Local development account (development chain only)',
      address: account.address,
      chain,
      walletClient,
      publicClient,
    },
    privateKey: key,
  };
}
