// Spawns a real anvil for a test file on a free port and stops it afterwards. Other areas may reuse it.
import { startAnvil as startNodeAnvil, ANVIL_ACCOUNTS } from '../../node/anvil';
import { freePort } from '../../node/ports';

export interface AnvilInstance {
  rpcUrl: string;
  port: number;
  chainId: number;
  /** anvil's well-known development keys (mnemonic "test test … junk"), funded with 10,000 ETH each. */
  privateKeys: `0x${string}`[];
  stop(): Promise<void>;
}

const ANVIL_PRIVATE_KEYS: `0x${string}`[] = ANVIL_ACCOUNTS.map((a) => a.privateKey);

export { freePort };

/** An anvil on a free port for one test file (the node itself is started by src/lib/node/anvil.ts). */
export async function startAnvil(options: { chainId?: number; args?: string[]; root?: string } = {}): Promise<AnvilInstance> {
  const port = await freePort();
  const anvil = await startNodeAnvil({
    port,
    ...(options.chainId !== undefined ? { chainId: options.chainId } : {}),
    ...(options.args ? { args: options.args } : {}),
  });
  return { rpcUrl: anvil.rpcUrl, port, chainId: anvil.chainId, privateKeys: ANVIL_PRIVATE_KEYS, stop: () => anvil.stop() };
}
