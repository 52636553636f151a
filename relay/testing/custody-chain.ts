// A real chain for custody tests: anvil on a free port with the contracts deployed by src/lib/chain/deploy.ts, real
// Groth16 proofs for register / authorize / instantiate, fresh funded wallets per member, and the Consortium's
// custodian list. The one place a custody test touches the registry's actions, so a change of the chain protocol
// changes this file only.
import { createPublicClient, createWalletClient, http, parseAbi, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { compileContracts } from '../../src/lib/chain/compile.node.ts';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import {
  authorizeGranule,
  instantiateGranule,
  registerGranule,
  readInstantiation,
  revokeLicence,
  transferGranule,
  type AuthorizeGranuleReturnType,
} from '../../src/lib/chain/index';
import { consortiumAbi, granuleRegistryAbi } from '../../src/lib/chain/abi.generated';
import { startAnvil, ANVIL_ACCOUNTS, type RunningAnvil } from '../../src/lib/node/anvil';
import { jsonRpc } from '../../src/lib/node/json-rpc';
import { freePort } from '../../scripts/stack/ports';
import { ensureMembership } from '../../src/lib/records/index';
import { createIdentity, type Identity } from '../../src/lib/identity/index';
import { createProver, terminateProver, type Prover } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';
import { signCustodyDeposit } from '../../src/lib/custody/index';
import type { CustodyChainOptions } from '../instantiations';

const CREDIT_ABI = parseAbi([
  'function MINTER_ROLE() view returns (bytes32)',
  'function hasRole(bytes32 role, address account) view returns (bool)',
  'function grantRole(bytes32 role, address account)',
  'function mint(address to, uint256 amount)',
  'function balanceOf(address) view returns (uint256)',
]);

export interface Member {
  identity: Identity;
  wallet: WalletClient;
  address: Address;
}

export interface CustodyChain {
  rpcUrl: string;
  chainId: number;
  registry: Address;
  consortium: Address;
  deployBlock: number;
  publicClient: PublicClient;
  /** The app's prover on the committed circuits (shared by this chain's actions). */
  prover: Prover;
  /** What a custodian relay is started with. */
  chainOptions(confirmations?: number): CustodyChainOptions;
  /** A fresh funded account (not enrolled). */
  wallet(): Promise<WalletClient & { account: { address: Address } }>;
  /** A fresh identity enrolled in the Consortium with a fresh funded account. */
  member(): Promise<Member>;
  /** The Consortium lists these X25519 keys (hex) as custodians, in order, with threshold t. */
  listCustodians(x25519Keys: string[], threshold: number): Promise<void>;
  register(owner: Member, alpha: string, manifestCid: Uint8Array): Promise<void>;
  authorize(owner: Member, alpha: string, user: Member, terms?: { expiresAt?: bigint; price?: bigint }): Promise<AuthorizeGranuleReturnType>;
  instantiate(user: Member, authorized: AuthorizeGranuleReturnType, x25519PublicKey?: Uint8Array, maxPrice?: bigint): Promise<{ blockNumber: bigint }>;
  /** The owner revokes the licence of an authorization. */
  revoke(owner: Member, authorized: AuthorizeGranuleReturnType): Promise<void>;
  /** The owner hands α to another member (with its transfer proof). */
  transfer(owner: Member, alpha: string, to: Member): Promise<void>;
  /** Mints community credit (base units) to a member, as the incentive contract would pay it. */
  mintCredits(to: Member, amount: bigint): Promise<void>;
  /** The member's community credit balance (base units). */
  credits(of: Member): Promise<bigint>;
  /** The latest block's time (unix seconds). */
  now(): Promise<bigint>;
  /** The owner's EIP-712 deposit signature (or anyone's: the wallet decides who signed). */
  signDeposit(signer: WalletClient, alpha: string, manifestCid: Uint8Array): Promise<Hex>;
  manifestOf(alpha: string): Promise<Hex>;
  instantiatedAt(alpha: string, userPk: bigint): Promise<bigint>;
  mine(blocks?: number): Promise<void>;
  rpc(method: string, params?: unknown[]): Promise<unknown>;
  stop(): Promise<void>;
}

export async function startCustodyChain(): Promise<CustodyChain> {
  const prover: Prover = createProver(fileArtifactSource());
  const anvil: RunningAnvil = await startAnvil({ port: await freePort() });
  const { contracts, deployBlock } = await deployContracts({
    rpcUrl: anvil.rpcUrl,
    deployerPrivateKey: ANVIL_ACCOUNTS[0].privateKey,
    openEnrolment: true,
    compiled: compileContracts(),
  });
  const chain = {
    id: anvil.chainId,
    name: 'anvil',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [anvil.rpcUrl] } },
  } as const;
  const publicClient = createPublicClient({ chain, transport: http(anvil.rpcUrl), pollingInterval: 50, cacheTime: 0 }) as PublicClient;
  const registry = contracts.GranuleRegistry!;
  const consortium = contracts.Consortium!;
  const credit = contracts.CommunityCredit!;
  const rpc = (method: string, params: unknown[] = []): Promise<unknown> => jsonRpc(anvil.rpcUrl, method, params);
  const admin = createWalletClient({ account: privateKeyToAccount(ANVIL_ACCOUNTS[0].privateKey), chain, transport: http(anvil.rpcUrl) });
  const send = async (hash: Hex): Promise<void> => {
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== 'success') throw new Error(`transaction ${hash} reverted`);
  };

  const wallet: CustodyChain['wallet'] = async () => {
    const account = privateKeyToAccount(generatePrivateKey());
    await rpc('anvil_setBalance', [account.address, '0x3635C9ADC5DEA00000']); // 1,000 ETH
    return createWalletClient({ account, chain, transport: http(anvil.rpcUrl) }) as WalletClient & { account: { address: Address } };
  };

  return {
    rpcUrl: anvil.rpcUrl,
    chainId: anvil.chainId,
    registry,
    consortium,
    deployBlock,
    publicClient,
    prover,
    chainOptions: (confirmations) => ({
      rpcUrl: anvil.rpcUrl,
      registry,
      fromBlock: deployBlock,
      pollingIntervalMs: 50,
      ...(confirmations !== undefined ? { confirmations } : {}),
    }),
    wallet,
    async member() {
      const identity = createIdentity();
      const w = await wallet();
      await ensureMembership({ publicClient, walletClient: w, consortium, secret: identity.secret, prover });
      return { identity, wallet: w, address: w.account.address };
    },
    async listCustodians(keys, threshold) {
      for (const key of keys) {
        const account = privateKeyToAccount(generatePrivateKey()).address; // custodians send nothing
        await send(await admin.writeContract({ address: consortium, abi: consortiumAbi, functionName: 'registerCustodian', args: [account, `0x${key}`] }));
      }
      await send(await admin.writeContract({ address: consortium, abi: consortiumAbi, functionName: 'setThreshold', args: [threshold] }));
    },
    async register(owner, alpha, manifestCid) {
      // Without a salt, registerGranule commits first and reveals in a later block (commit–reveal).
      await registerGranule({ publicClient, walletClient: owner.wallet, registry, prover, secret: owner.identity.secret, alpha: BigInt(alpha), manifestCid });
    },
    authorize: (owner, alpha, user, terms = {}) =>
      authorizeGranule({
        publicClient,
        walletClient: owner.wallet,
        registry,
        prover,
        secret: owner.identity.secret,
        alpha: BigInt(alpha),
        userPk: user.identity.publicKey,
        fromBlock: BigInt(deployBlock),
        ...terms,
      }),
    async instantiate(user, authorized, x25519PublicKey, maxPrice) {
      const r = await instantiateGranule({
        publicClient,
        walletClient: user.wallet,
        prover,
        secret: user.identity.secret,
        record: authorized.record,
        x25519PublicKey: x25519PublicKey ?? user.identity.x25519.publicKey,
        fromBlock: BigInt(deployBlock),
        ...(maxPrice !== undefined ? { maxPrice } : {}),
      });
      return { blockNumber: (r as { blockNumber?: bigint }).blockNumber ?? (await publicClient.getBlockNumber({ cacheTime: 0 })) };
    },
    async revoke(owner, authorized) {
      await revokeLicence({ publicClient, walletClient: owner.wallet, secret: owner.identity.secret, record: authorized.record });
    },
    async transfer(owner, alpha, to) {
      await transferGranule({
        publicClient,
        walletClient: owner.wallet,
        registry,
        prover,
        secret: owner.identity.secret,
        alpha: BigInt(alpha),
        newOwnerPk: to.identity.publicKey,
      });
    },
    async mintCredits(to, amount) {
      const minter = await publicClient.readContract({ address: credit, abi: CREDIT_ABI, functionName: 'MINTER_ROLE' });
      if (!(await publicClient.readContract({ address: credit, abi: CREDIT_ABI, functionName: 'hasRole', args: [minter, admin.account.address] }))) {
        await send(await admin.writeContract({ address: credit, abi: CREDIT_ABI, functionName: 'grantRole', args: [minter, admin.account.address] }));
      }
      await send(await admin.writeContract({ address: credit, abi: CREDIT_ABI, functionName: 'mint', args: [to.address, amount] }));
    },
    credits: (of) => publicClient.readContract({ address: credit, abi: CREDIT_ABI, functionName: 'balanceOf', args: [of.address] }),
    now: async () => (await publicClient.getBlock({ blockTag: 'latest' })).timestamp,
    signDeposit: (signer, alpha, manifestCid) => signCustodyDeposit(signer, { chainId: anvil.chainId, registry, alpha, manifestCid }),
    manifestOf: async (alpha) =>
      (await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [BigInt(alpha)] })) as Hex,
    instantiatedAt: async (alpha, userPk) => (await readInstantiation({ publicClient, registry, alpha: BigInt(alpha), userPk }))?.timestamp ?? 0n,
    async mine(blocks = 1) {
      for (let i = 0; i < blocks; i++) await rpc('evm_mine');
    },
    rpc,
    async stop() {
      await anvil.stop();
      await terminateProver();
    },
  };
}
