// `twingrain register <granule-file> --identity <file>`: Mechanisms 1–2 for a granule archive, as the app does it.
// Before the transaction the granule is published: encrypted with a fresh key, sharded (any 2 of 3 rebuild it),
// pinned by a pinning relay, and the key split among the custodians the Consortium lists (threshold t from the chain)
// — so the owner may go offline as soon as the command exits. The public manifest's CID is what gets registered.
// `--manifest-cid` registers a manifest published elsewhere instead (no peer-to-peer step).
// Prints {"alpha", "leafIndex", "root", "txHash"}; progress goes to stderr.
import { readFile } from 'node:fs/promises';
import { CID } from 'multiformats/cid';
import type { PublicClient } from 'viem';
import { CliUsageError, type Command } from '../command';
import { parseArgs, printJson } from '../output';
import { unpackGranule, type UnpackGranuleReturnType } from '../../lib/granule/index';
import { registerGranule } from '../../lib/chain/register';
import { readCustody, type ReadCustodyReturnType } from '../../lib/chain/custody';
import { consortiumAbi, granuleRegistryAbi } from '../../lib/chain/abi.generated';
import { ContractRevertError } from '../../lib/chain/errors';
import { describeContractError } from '../../lib/chain/revert';
import { createProver } from '../../lib/zk/index';
import { fileArtifactSource } from '../../lib/zk/artifacts.node.ts';
import { COMMON_FLAGS, clientsFor, contractOf, hex32, loadDeployment, readIdentity, type Deployment } from './identity/context';
import { CustodyUnavailableError, PublishUnavailableError, PublishedNotRegisteredError } from './identity/errors';
import { readRuntimeConfig, runtimeConfigPath, startPeer, takeRepeated, waitForProtocols } from './identity/network';

// The app's Share page publishes with the same erasure code: any 2 of 3 shards rebuild the ciphertext.
const SHARDS = { k: 2, n: 3 } as const;

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function revert(name: string, ...args: unknown[]): ContractRevertError {
  return new ContractRevertError(describeContractError(name, args), name, args);
}

/** The custody a publication needs, or a refusal saying how to proceed. */
function requireCustody(custody: ReadCustodyReturnType, consortium: string): void {
  const n = custody.custodians.length;
  if (n === 0) {
    throw new CustodyUnavailableError(
      `The Consortium ${consortium} lists no key custodians, so nobody could ever be given this granule's key. ` +
        `Ask the consortium admin to register custodians (registerCustodian, setThreshold), or register a manifest you published elsewhere with --manifest-cid <cid>.`,
    );
  }
  if (custody.threshold < 1 || custody.threshold > n) {
    throw new CustodyUnavailableError(`The Consortium ${consortium} asks for ${custody.threshold} of ${n} custodians to release a key, which cannot work: ask the consortium admin to set a threshold between 1 and ${n}.`);
  }
}

interface PublishOptions {
  deployment: Deployment;
  relays: string[];
  configPath: string;
  waitMs: number;
}

/** Publishes the granule on the peer-to-peer layer; returns the manifest CID (binary) to register. */
async function publish(granule: UnpackGranuleReturnType, archive: Uint8Array, custody: ReadCustodyReturnType, o: PublishOptions): Promise<CID> {
  const config = await readRuntimeConfig(o.configPath);
  const multiaddrs = o.relays.length > 0 ? o.relays : (config?.relay.multiaddrs ?? []);
  if (multiaddrs.length === 0) {
    throw new CliUsageError(
      `register publishes the granule through a pinning relay, and none is known: pass --relay <multiaddr> or --config <runtime-config.json> ` +
        `(${o.configPath} ${config ? 'lists no relay' : 'does not exist'}; "npm start" writes it), or register a manifest published elsewhere with --manifest-cid <cid>.`,
    );
  }
  const { publishGranule, PIN_PROTOCOL, CUSTODY_DEPOSIT_PROTOCOL } = await import('../../lib/p2p/index');
  progress(`publishing ${granule.manifest.name} ${granule.manifest.version} through ${multiaddrs.length} relay(s)…`);
  const node = await startPeer({ multiaddrs, development: config?.relay.development ?? o.deployment.development });
  try {
    // Every listed custodian that is reachable gets its share; waiting for all of them makes that most of them.
    const found = await waitForProtocols(node, { [PIN_PROTOCOL]: 1, [CUSTODY_DEPOSIT_PROTOCOL]: custody.custodians.length }, o.waitMs);
    const pins = found[PIN_PROTOCOL] ?? 0;
    const custodians = found[CUSTODY_DEPOSIT_PROTOCOL] ?? 0;
    progress(`found ${pins} pinning node(s) and ${custodians} of ${custody.custodians.length} custodian(s)`);
    // Refused before anything leaves: a custodian keeps the first deposit of a granule, so a deposit made for a
    // publication that then fails (no pin) would block every later attempt with the same α.
    if (pins === 0 || custodians < custody.threshold) {
      throw new PublishUnavailableError(
        `Nothing was published: within ${Math.round(o.waitMs / 1000)} s the relays (${multiaddrs.join(', ')}) offered ${pins} pinning node(s) (1 needed) and ${custodians} of the ${custody.custodians.length} custodians listed on chain (${custody.threshold} needed). ` +
          `Check that they are running (twingrain relay --pin / --custodian) and reachable from these addresses, or wait longer with --timeout <seconds>.`,
      );
    }
    const m = granule.manifest;
    let published;
    try {
      published = await publishGranule({
        helia: node.helia,
        archive,
        alpha: granule.alphaHex,
        granule: { name: m.name, version: m.version, description: m.description, domain: m.domain, context: m.context, printers: m.printers, tags: m.tags, license: m.license },
        ...SHARDS,
        custody: { threshold: custody.threshold, custodians: custody.custodians.map((c) => c.x25519PublicKey) },
      });
    } catch (error) {
      // The likeliest cause of custodians declining is an earlier run that published this α and never registered.
      if (error instanceof Error) error.message += ' If an earlier run printed "published <cid>" for this granule, register that manifest with --manifest-cid <cid>.';
      throw error;
    }
    progress(
      `published ${published.manifestCid.toString()}: pinned by ${published.pinnedBy.length}, key shares with ${published.depositedWith.length} of ${custody.custodians.length} custodians (threshold ${custody.threshold})`,
    );
    return published.manifestCid;
  } finally {
    // Everything is pinned and deposited: the owner's peer is no longer needed.
    await node.stop();
  }
}

export const command: Command = {
  summary: 'publish a granule (encrypted, sharded, pinned, key shares with the custodians) and register it on chain with a zero-knowledge proof',
  usage:
    'twingrain register <granule-file> --identity <file> [--passphrase <p>] [--rpc <url>] [--config .twingrain/runtime-config.json] [--relay <multiaddr>]… [--timeout 15] | [--manifest-cid <cid>]',
  async run(argv) {
    const { values: relays, rest } = takeRepeated(argv, 'relay');
    const { positionals, flags } = parseArgs(rest, { strings: [...COMMON_FLAGS, 'manifest-cid', 'config', 'timeout'] });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    let manifestCid: CID | undefined;
    if (typeof flags['manifest-cid'] === 'string') {
      if (relays.length > 0 || typeof flags.config === 'string') throw new CliUsageError('--manifest-cid registers a manifest published elsewhere: it takes no --relay or --config.');
      try {
        manifestCid = CID.parse(flags['manifest-cid']);
      } catch {
        throw new CliUsageError(`--manifest-cid ${flags['manifest-cid']} is not a CID.`);
      }
    }
    const waitSeconds = Number(flags.timeout ?? 15);
    if (!Number.isFinite(waitSeconds) || waitSeconds <= 0) throw new CliUsageError(`--timeout must be a number of seconds, got "${String(flags.timeout)}".`);
    let archive: Uint8Array;
    try {
      archive = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new CliUsageError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
    }
    const granule = unpackGranule({ bytes: archive });
    const unlocked = await readIdentity(flags);
    const deployment = await loadDeployment(flags);
    const { publicClient, walletClient } = await clientsFor(deployment, unlocked.walletPrivateKey);
    const registry = contractOf(deployment, 'GranuleRegistry');

    const registerWith = async (cid: CID): Promise<number> => {
      const result = await registerGranule({
        publicClient, walletClient, registry, prover: createProver(fileArtifactSource()),
        secret: unlocked.identity.secret, alpha: granule.alpha, manifestCid: cid.bytes,
        onStage: (stage) => progress(`register: ${stage}`),
      });
      printJson({ alpha: granule.alphaHex, leafIndex: result.leafIndex, root: hex32(result.root), txHash: result.txHash });
      return 0;
    };
    if (manifestCid) return registerWith(manifestCid);

    // Checked before publishing: a refused registration would leave a deposit nobody registered, and the
    // custodians keep only the first deposit of an α.
    await refuseDoomed(publicClient, deployment, registry, granule.alpha, walletClient.account!.address);
    const consortium = contractOf(deployment, 'Consortium');
    const custody = await readCustody({ publicClient, consortium });
    requireCustody(custody, consortium);
    const published = await publish(granule, archive, custody, { deployment, relays, configPath: runtimeConfigPath(flags), waitMs: waitSeconds * 1000 });
    try {
      return await registerWith(published);
    } catch (error) {
      throw new PublishedNotRegisteredError(published.toString(), error);
    }
  },
};

async function refuseDoomed(publicClient: PublicClient, deployment: Deployment, registry: `0x${string}`, alpha: bigint, account: `0x${string}`): Promise<void> {
  const consortium = contractOf(deployment, 'Consortium');
  const [owner, member] = await Promise.all([
    publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [alpha] }),
    publicClient.readContract({ address: consortium, abi: consortiumAbi, functionName: 'isMember', args: [account] }),
  ]);
  if (owner !== 0n) throw revert('AlreadyRegistered', alpha);
  if (!member) throw revert('NotAMember', account);
}
