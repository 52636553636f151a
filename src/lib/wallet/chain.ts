// The viem chain object for the configured chain, so wallets can be asked to switch to (or add) it.
import { defineChain, type Chain } from 'viem';
import type { ChainConfig } from '../config';

export function chainFromConfig(config: ChainConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.name,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
    testnet: config.development,
  });
}
