// `twingrain deploy --rpc <url> --key-file <file>`: twingrain's contracts on an existing EVM chain (a consortium's
// Besu, a testnet, an anvil on another machine). The key file's account deploys and becomes the Consortium's admin;
// custodians named with --custodian are listed and the threshold set; every transaction is waited for under
// --confirmations blocks. Then the runtime config the app serves and the CLI reads is written (with deployment.json
// beside it), and one line is printed: {"chainId","contracts":{…},"deployBlock","config"}.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createPublicClient, createWalletClient, defineChain, http, type Address, type Hex, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { CliUsageError, type Command } from '../command';
import { printJson } from '../output';
import type { RuntimeConfig } from '../../lib/config/index';

const USAGE =
  'twingrain deploy --rpc <url> --key-file <file> [--custodian <x25519 key>@<address>]… [--threshold t] [--relay <multiaddr>]… ' +
  '[--confirmations N] [--open-enrolment] [--actions-per-day N] [--name <chain name>] [--development] [--out <dir>]';

const OPTIONS = {
  rpc: { type: 'string' },
  'key-file': { type: 'string' },
  custodian: { type: 'string', multiple: true },
  threshold: { type: 'string' },
  relay: { type: 'string', multiple: true },
  confirmations: { type: 'string' },
  'open-enrolment': { type: 'boolean' },
  'actions-per-day': { type: 'string' },
  name: { type: 'string' },
  development: { type: 'boolean' },
  out: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** `<x25519 public key, 64 hex digits>@<0x account>` → the pair the Consortium lists. */
export function parseCustodian(text: string): { account: Address; x25519PublicKey: Hex } {
  const m = /^(?:0x)?([0-9a-fA-F]{64})@(0x[0-9a-fA-F]{40})$/.exec(text.trim());
  if (!m)
    throw new CliUsageError(
      `--custodian ${text} is not <x25519 key>@<address>: the custodian's public key (64 hex digits, as "twingrain relay --custodian" prints it), "@", and its 0x account.`,
    );
  return { x25519PublicKey: `0x${m[1]!.toLowerCase()}`, account: m[2] as Address };
}

function wholeNumber(flag: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliUsageError(`--${flag} must be a whole number of at least ${min}, got "${value}".`);
  return n;
}

async function readKeyFile(path: string): Promise<`0x${string}`> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (e) {
    throw new CliUsageError(`Cannot read the key file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
  }
  const hex = text.startsWith('0x') ? text.slice(2) : text;
  if (!/^[0-9a-fA-F]{64}$/.test(hex))
    throw new CliUsageError(`${path} does not hold a private key: it must contain 64 hex digits (optionally after 0x), nothing else.`);
  return `0x${hex.toLowerCase()}`;
}

export const command: Command = {
  summary: 'deploy the contracts to an existing EVM chain and write the runtime config the app and CLI read',
  usage: USAGE,
  async run(argv) {
    let values: ReturnType<typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: false; strict: true }>>['values'];
    try {
      ({ values } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: false, strict: true }));
    } catch (e) {
      throw new CliUsageError(`${(e as Error).message}. Usage: ${USAGE}`);
    }
    if (!values.rpc || !/^(https?|wss?):\/\//.test(values.rpc))
      throw new CliUsageError(`--rpc <url> is required: the http(s) address of a node of the chain. Usage: ${USAGE}`);
    if (!values['key-file'])
      throw new CliUsageError(`--key-file <file> is required: a file holding the deployer's private key (it becomes the Consortium's admin). Usage: ${USAGE}`);
    const custodians = (values.custodian ?? []).map(parseCustodian);
    if (new Set(custodians.map((c) => c.account.toLowerCase())).size !== custodians.length)
      throw new CliUsageError('Each --custodian needs its own account: two of them name the same address.');
    // A majority by default: fewer could hand out keys behind the others' backs, more would stall on one absence.
    const threshold = wholeNumber('threshold', values.threshold, Math.floor(custodians.length / 2) + 1, 1);
    if (values.threshold !== undefined && custodians.length === 0)
      throw new CliUsageError('--threshold needs custodians: name them with --custodian <x25519 key>@<address>.');
    if (custodians.length > 0 && threshold > custodians.length)
      throw new CliUsageError(`--threshold ${threshold} asks for more key holders than the ${custodians.length} listed: choose 1 to ${custodians.length}.`);
    const development = values.development === true;
    // One block deep on a development node that only mines when asked; two elsewhere (a consortium's BFT chain is
    // final at once, a public chain is not: raise it there).
    const confirmations = wholeNumber('confirmations', values.confirmations, development ? 1 : 2, 1);
    const actionsPerDay = wholeNumber('actions-per-day', values['actions-per-day'], 64, 1);
    const deployerPrivateKey = await readKeyFile(values['key-file']);
    const outDir = resolve(values.out ?? process.env.TWINGRAIN_STATE_DIR ?? '.twingrain');

    const progress = (line: string): void => void process.stderr.write(`${line}\n`);
    const { deployContracts } = await import('../../lib/chain/deploy.node.ts');
    const { listCustodians } = await import('../../lib/chain/index');
    const { deployIncentiveContracts } = await import('../../lib/incentive/deploy.node.ts');
    const transport = http(values.rpc);
    let chainId: number;
    try {
      chainId = await createPublicClient({ transport }).getChainId();
    } catch (error) {
      throw new Error(`The chain at ${values.rpc} does not answer (${(error as Error).message.split('\n')[0]}): check --rpc and that the node is running.`);
    }
    const chain = defineChain({
      id: chainId,
      name: values.name ?? `Chain ${chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [values.rpc] } },
    });
    const publicClient = createPublicClient({ chain, transport, pollingInterval: 250 }) as PublicClient;
    const walletClient = createWalletClient({ chain, transport, account: privateKeyToAccount(deployerPrivateKey) });
    progress(
      `deploying to chain ${chainId} at ${values.rpc} from ${walletClient.account.address} (${confirmations} confirmation${confirmations === 1 ? '' : 's'} per transaction)…`,
    );

    const deployed = await deployContracts({
      rpcUrl: values.rpc,
      deployerPrivateKey,
      openEnrolment: values['open-enrolment'] === true,
      actionsPerDay,
      confirmations,
    });
    const consortium = deployed.contracts.Consortium;
    const registry = deployed.contracts.GranuleRegistry;
    if (!consortium || !registry) throw new Error('The Consortium and GranuleRegistry were not deployed: the contracts did not compile in full.');
    progress(`registry ${registry}, consortium ${consortium} (from block ${deployed.deployBlock})`);
    // Licences are priced in the registry's community credit: the incentive contract pays in the same token.
    const credit = deployed.contracts.CommunityCredit;
    const incentives = await deployIncentiveContracts({ rpcUrl: values.rpc, deployerPrivateKey, registry, consortium, ...(credit ? { credit } : {}) });
    if (custodians.length > 0) {
      await listCustodians({ publicClient, walletClient, consortium, custodians, threshold, confirmations });
      progress(`${custodians.length} custodian(s) listed, ${threshold} needed to release a key`);
    }
    // The incentive contracts' own receipts are one block deep: wait for the rest on the head.
    const last = await publicClient.getBlockNumber();
    while ((await publicClient.getBlockNumber()) < last + BigInt(confirmations - 1)) await new Promise((r) => setTimeout(r, 250));

    const contracts = { ...deployed.contracts, ...incentives };
    const config: RuntimeConfig = {
      chain: { rpcUrl: values.rpc, chainId, name: chain.name, development, contracts, deployBlock: deployed.deployBlock },
      relay: { multiaddrs: values.relay ?? [], development },
      startedAt: new Date().toISOString(),
    };
    await mkdir(outDir, { recursive: true });
    const configPath = join(outDir, 'runtime-config.json');
    await writeFile(configPath, JSON.stringify(config, null, 2) + '\n');
    // The sharing commands read the chain from deployment.json (the runtime config's `chain`).
    await writeFile(join(outDir, 'deployment.json'), JSON.stringify(config.chain, null, 2) + '\n');
    printJson({ chainId, contracts, deployBlock: deployed.deployBlock, config: configPath });
    return 0;
  },
};
