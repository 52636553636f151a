// What the zero-knowledge commands share: where the chain and contracts are (the embedded stack's
// .twingrain/deployment.json unless flags say otherwise), viem clients for an identity's wallet, and the identity file.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createPublicClient, createWalletClient, defineChain, http, type Address, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { CliUsageError } from '../../command';
import { httpTreeSnapshot, type TreeSources } from '../../../lib/chain/index';
import { fileTreeStore } from '../../../lib/chain/tree-store.node.ts';
import { parseIdentityFile, unlockIdentityFile, type UnlockedIdentity } from '../../../lib/zk/index';

export interface Deployment {
  rpcUrl: string;
  chainId?: number;
  development: boolean;
  contracts: Record<string, Address>;
  deployBlock: number;
}

export const COMMON_FLAGS = ['rpc', 'identity', 'passphrase', 'registry', 'consortium', 'deployment'];

/** The embedded stack writes the deployment here (same shape as the runtime config's `chain`). */
export function deploymentPath(flags: Record<string, string | boolean>): string {
  if (typeof flags.deployment === 'string') return resolve(flags.deployment);
  return join(resolve(process.env.TWINGRAIN_STATE_DIR ?? '.twingrain'), 'deployment.json');
}

/**
 * Where the CLI keeps a registry's trees between commands (chain/trees.ts): a returning command reads only the events
 * since its last run. The file names its chain inside; another chain's file is replaced, never trusted.
 */
export function treeSourcesFor(registry: Address, flags: Record<string, string | boolean>): TreeSources {
  const store = fileTreeStore(join(resolve(process.env.TWINGRAIN_STATE_DIR ?? '.twingrain'), 'trees', `${registry.toLowerCase()}.bin`));
  // --trees-from: a community node's snapshot for a first sync (checked against the chain's roots before use).
  return typeof flags['trees-from'] === 'string' ? { store, snapshot: httpTreeSnapshot(flags['trees-from']) } : { store };
}

export async function loadDeployment(flags: Record<string, string | boolean>): Promise<Deployment> {
  let fromFile: Partial<Deployment> = {};
  const path = deploymentPath(flags);
  try {
    fromFile = JSON.parse(await readFile(path, 'utf8')) as Partial<Deployment>;
  } catch {
    if (typeof flags.rpc !== 'string') {
      throw new CliUsageError(
        `No chain is known: start the embedded stack with "npm start" (it writes ${path}) or pass --rpc <url> --registry <address> --consortium <address>.`,
      );
    }
  }
  const contracts: Record<string, Address> = { ...(fromFile.contracts ?? {}) };
  for (const [flag, name] of [
    ['registry', 'GranuleRegistry'],
    ['consortium', 'Consortium'],
  ] as const) {
    const value = flags[flag];
    if (typeof value === 'string') {
      if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new CliUsageError(`--${flag} must be a 0x address of 20 bytes.`);
      contracts[name] = value as Address;
    }
  }
  const rpcUrl = typeof flags.rpc === 'string' ? flags.rpc : fromFile.rpcUrl;
  if (!rpcUrl || !/^(https?|wss?):\/\//.test(rpcUrl)) throw new CliUsageError('--rpc must be an http(s) URL of a node.');
  // A different node than the deployment's may be another chain: only trust the file's development flag for its own node.
  const sameNode = rpcUrl === fromFile.rpcUrl;
  return {
    rpcUrl,
    ...(sameNode && fromFile.chainId ? { chainId: fromFile.chainId } : {}),
    development: sameNode && fromFile.development === true,
    contracts,
    deployBlock: sameNode ? (fromFile.deployBlock ?? 0) : 0,
  };
}

export function contractOf(deployment: Deployment, name: string): Address {
  const address = deployment.contracts[name];
  if (!address) throw new CliUsageError(`The deployment has no ${name} contract: pass --${name === 'GranuleRegistry' ? 'registry' : 'consortium'} <address>.`);
  return address;
}

export async function clientsFor(deployment: Deployment, walletPrivateKey: `0x${string}`): Promise<{ publicClient: PublicClient; walletClient: WalletClient }> {
  const transport = http(deployment.rpcUrl);
  let chainId = deployment.chainId;
  if (chainId === undefined) {
    try {
      chainId = await createPublicClient({ transport }).getChainId();
    } catch {
      throw new Error(`The chain at ${deployment.rpcUrl} does not answer: is it running?`);
    }
  }
  const chain = defineChain({
    id: chainId,
    name: `chain ${chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [deployment.rpcUrl] } },
  });
  const publicClient = createPublicClient({ chain, transport }) as PublicClient;
  const walletClient = createWalletClient({ chain, transport, account: privateKeyToAccount(walletPrivateKey) });
  return { publicClient, walletClient };
}

export async function readIdentity(flags: Record<string, string | boolean>): Promise<UnlockedIdentity> {
  const path = flags.identity;
  if (typeof path !== 'string') throw new CliUsageError('--identity <file> is required (create one with "twingrain identity new --out <file>").');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliUsageError(`Cannot read the identity file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CliUsageError(`${path} is not JSON: it is not a twingrain identity file.`);
  }
  const passphrase = typeof flags.passphrase === 'string' ? flags.passphrase : process.env.TWINGRAIN_PASSPHRASE;
  return unlockIdentityFile(parseIdentityFile(json), passphrase);
}

export { toHex32 as hex32 } from '../../../lib/identity/index';
