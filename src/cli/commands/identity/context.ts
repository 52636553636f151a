// What the zero-knowledge commands share: where the chain and contracts are (the embedded stack's
// .twingrain/deployment.json unless flags say otherwise), viem clients for an identity's wallet, and the identity file.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createPublicClient, createWalletClient, defineChain, http, type Address, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import * as v from 'valibot';
import { CliUsageError } from '../../command';
import { issueLines } from '../../../lib/schema/index';
import { httpTreeSnapshot, type TreeSources } from '../../../lib/chain/index';
import { fileTreeStore } from '../../../lib/chain/tree-store.node.ts';
import { createProver, parseIdentityFile, unlockIdentityFile, type UnlockedIdentity } from '../../../lib/zk/index';
import { fileArtifactSource } from '../../../lib/zk/artifacts.node.ts';

export interface Deployment {
  rpcUrl: string;
  chainId?: number;
  development: boolean;
  contracts: Record<string, Address>;
  deployBlock: number;
}

export const COMMON_FLAGS = ['rpc', 'identity', 'passphrase', 'registry', 'consortium', 'deployment'];

/** The embedded stack writes the deployment here (same shape as the runtime config's `chain`). */
function deploymentPath(flags: Record<string, string | boolean>): string {
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

const ADDRESS_RE = /^0x[0-9a-fA-F]{40}$/;
/** deployment.json as the embedded stack and `twingrain deploy` write it (the runtime config's `chain`); every field may be absent. */
const DeploymentFileSchema = v.pipe(
  // valibot's object takes an array too; a list is not a deployment.
  v.custom<object>((x) => typeof x === 'object' && x !== null && !Array.isArray(x), 'must be a JSON object'),
  v.object({
    rpcUrl: v.optional(v.pipe(v.string(), v.regex(/^(https?|wss?):\/\//, 'must be an http(s) or ws(s) URL'))),
    chainId: v.optional(v.pipe(v.number(), v.integer('must be a positive integer'), v.minValue(1, 'must be a positive integer'))),
    name: v.optional(v.string()),
    development: v.optional(v.boolean()),
    contracts: v.optional(v.record(v.string(), v.pipe(v.string(), v.regex(ADDRESS_RE, 'must be a 0x address of 20 bytes')))),
    deployBlock: v.optional(v.pipe(v.number(), v.integer('must be a whole block number'), v.minValue(0, 'must be a whole block number'))),
  }),
);

export async function loadDeployment(flags: Record<string, string | boolean>): Promise<Deployment> {
  let fromFile: v.InferOutput<typeof DeploymentFileSchema> = {};
  const path = deploymentPath(flags);
  let text: string | undefined;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (typeof flags.rpc !== 'string') {
      throw new CliUsageError(
        `No chain is known: start the embedded stack with "npm start" (it writes ${path}) or pass --rpc <url> --registry <address> --consortium <address>.`,
      );
    }
  }
  if (text !== undefined) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CliUsageError(`${path} is not JSON: pass the deployment.json that "npm start" or "twingrain deploy" writes, or remove it.`);
    }
    const checked = v.safeParse(DeploymentFileSchema, json);
    if (!checked.success) {
      throw new CliUsageError(
        `${path} is not a usable deployment file: ${issueLines(checked.issues, 'the file').join('; ')}. Pass the one "npm start" or "twingrain deploy" writes.`,
      );
    }
    fromFile = checked.output;
  }
  const contracts = { ...(fromFile.contracts ?? {}) } as Record<string, Address>;
  for (const [flag, name] of [
    ['registry', 'GranuleRegistry'],
    ['consortium', 'Consortium'],
  ] as const) {
    const value = flags[flag];
    if (typeof value === 'string') {
      if (!ADDRESS_RE.test(value)) throw new CliUsageError(`--${flag} must be a 0x address of 20 bytes.`);
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

/**
 * An acting identity with its deployment's registry and a prover on this machine's artifacts: `act` holds what every
 * proved granule action takes (spread it into registerGranule, authorizeGranule, transferGranule, shareGranule, …).
 */
export async function provingIdentity(flags: Record<string, string | boolean>) {
  const acting = await actingIdentity(flags);
  const act = {
    publicClient: acting.publicClient,
    walletClient: acting.walletClient,
    registry: contractOf(acting.deployment, 'GranuleRegistry'),
    prover: createProver(fileArtifactSource()),
    secret: acting.unlocked.identity.secret,
  };
  return { ...acting, act };
}

/** What a command that acts for an identity starts with: the unlocked identity, the deployment, clients for its wallet. */
export async function actingIdentity(
  flags: Record<string, string | boolean>,
): Promise<{ unlocked: UnlockedIdentity; deployment: Deployment; publicClient: PublicClient; walletClient: WalletClient }> {
  const unlocked = await readIdentity(flags);
  const deployment = await loadDeployment(flags);
  return { unlocked, deployment, ...(await clientsFor(deployment, unlocked.walletPrivateKey)) };
}
