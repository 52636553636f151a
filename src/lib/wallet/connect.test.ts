import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { parseEther } from 'viem';
import { startAnvil, type RunningAnvil } from '../node/anvil';
import { freePort } from '../node/ports';
import { connectDevelopmentAccount, NotDevelopmentChainError, DEVELOPMENT_FUNDING } from './index';
import type { ChainConfig } from '../config';

let anvil: RunningAnvil;
let config: ChainConfig;

beforeAll(async () => {
  anvil = await startAnvil({ port: await freePort() });
  config = { rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, name: 'test chain', development: true, contracts: {}, deployBlock: 0 };
});
afterAll(async () => anvil?.stop());

describe('local development account', () => {
  it('is created, funded by the development chain, and can send a transaction', async () => {
    const { connection, privateKey } = await connectDevelopmentAccount(config, undefined);
    expect(privateKey).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await connection.publicClient.getBalance({ address: connection.address })).toBe(DEVELOPMENT_FUNDING);
    const hash = await connection.walletClient.sendTransaction({ to: '0x000000000000000000000000000000000000dEaD', value: parseEther('1') });
    const receipt = await connection.publicClient.waitForTransactionReceipt({ hash });
    expect(receipt.status).toBe('success');
    // Reconnecting with the stored key gives the same account without re-funding it above the threshold.
    const again = await connectDevelopmentAccount(config, privateKey);
    expect(again.connection.address).toBe(connection.address);
    expect(again.connection.label).toMatch(/development/);
  });

  it('is refused on a chain that is not the development chain', async () => {
    await expect(connectDevelopmentAccount({ ...config, development: false }, undefined)).rejects.toBeInstanceOf(NotDevelopmentChainError);
  });
});
