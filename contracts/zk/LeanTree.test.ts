// The on-chain lean tree fuzzed against src/lib/zk/lean-tree.ts, and how long a superseded root stays acceptable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { startAnvil, type AnvilInstance } from '../../src/lib/chain/testing/anvil.node.ts';
import { compileContracts } from '../../src/lib/chain/compile.node.ts';
import { poseidonT3Artifact } from '../../src/lib/chain/deploy.node.ts';
import { LeanTree } from '../../src/lib/zk/index';

let anvil: AnvilInstance;
let publicClient: PublicClient;
let wallet: WalletClient;
let poseidon: Address;
let harness: { abi: Abi; bytecode: Hex };

async function deploy(abi: Abi, bytecode: Hex, args: unknown[] = []): Promise<Address> {
  const hash = await wallet.deployContract({ abi, bytecode, args, chain: foundry, account: wallet.account! });
  return (await publicClient.waitForTransactionReceipt({ hash })).contractAddress!;
}

async function write(address: Address, functionName: string, args: unknown[]): Promise<void> {
  const hash = await wallet.writeContract({ address, abi: harness.abi, functionName, args, chain: foundry, account: wallet.account!, gas: 25_000_000n } as never);
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  expect(receipt.status).toBe('success');
}

const read = (address: Address, functionName: string, args: unknown[] = []) => publicClient.readContract({ address, abi: harness.abi, functionName, args } as never) as Promise<unknown>;

beforeAll(async () => {
  anvil = await startAnvil({ args: ['--gas-limit', '30000000'] });
  publicClient = createPublicClient({ chain: foundry, transport: http(anvil.rpcUrl) });
  wallet = createWalletClient({ chain: foundry, account: privateKeyToAccount(anvil.privateKeys[0]!), transport: http(anvil.rpcUrl) });
  const p = await poseidonT3Artifact();
  poseidon = await deploy(p.abi, p.bytecode);
  harness = compileContracts().LeanTreeHarness!;
});
afterAll(async () => {
  await anvil?.stop();
});

describe('LeanTree.sol', () => {
  it('has the same root as the TypeScript tree after every insert (fuzzed)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.bigInt({ min: 1n, max: (1n << 253n) - 1n }), { minLength: 1, maxLength: 24 }), async (leaves) => {
        const address = await deploy(harness.abi, harness.bytecode, [poseidon]);
        const tree = new LeanTree();
        for (const leaf of leaves) {
          tree.insert(leaf);
          await write(address, 'insert', [leaf]);
          const [size, depth, root] = (await read(address, 'state')) as [bigint, bigint, bigint];
          expect(root).toBe(tree.root);
          expect(Number(size)).toBe(tree.size);
          expect(Number(depth)).toBe(tree.depth);
        }
      }),
      { numRuns: 6 },
    );
  });

  it('keeps a superseded root acceptable for ROOT_TTL (1 hour) whatever the number of inserts, then forgets it', async () => {
    const address = await deploy(harness.abi, harness.bytecode, [poseidon]);
    const tree = new LeanTree();
    await write(address, 'insert', [1n]);
    tree.insert(1n);
    const first = tree.root;
    // 200 inserts ahead of a proof against `first` (the old window of 64 inserts forgot it after 64).
    const more = Array.from({ length: 200 }, (_, i) => BigInt(i + 2));
    for (const leaf of more) tree.insert(leaf);
    for (let i = 0; i < more.length; i += 50) await write(address, 'insertMany', [more.slice(i, i + 50)]);
    expect(await read(address, 'root')).toBe(tree.root);
    expect(await read(address, 'isKnownRoot', [first])).toBe(true);
    expect(await read(address, 'isKnownRoot', [tree.root])).toBe(true);
    await rpc('evm_increaseTime', [3601]);
    await rpc('evm_mine', []);
    expect(await read(address, 'isKnownRoot', [first])).toBe(false);
    // The current root never expires.
    expect(await read(address, 'isKnownRoot', [tree.root])).toBe(true);
    expect(await read(address, 'isKnownRoot', [0n])).toBe(false);
    expect(await read(address, 'isKnownRoot', [12345n])).toBe(false);
  });
});

async function rpc(method: string, params: unknown[]): Promise<void> {
  await publicClient.request({ method: method as never, params: params as never });
}
