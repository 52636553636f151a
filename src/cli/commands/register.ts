// `twingrain register <granule-file> --identity <file>`: Mechanisms 1–2 for a granule archive, as the app does it, through
// the same sharing module (src/lib/sharing): the granule is encrypted and sharded on this node (nothing leaves it), a
// commitment that hides α goes on chain, the registration with its proof follows one block later, and only then is
// the granule pinned by the community's storage node and its key split among the custodians the Consortium lists —
// so the owner may go offline as soon as the command exits. `--manifest-cid` registers a manifest published
// elsewhere instead (no peer-to-peer step).
// Prints {"alpha", "leafIndex", "root", "txHash"} (the shape other tools read); progress, including the commitment's
// transaction, goes to stderr.
import { readFile } from 'node:fs/promises';
import { CID } from 'multiformats/cid';
import { CliUsageError, type Command } from '../command';
import { parseArgs } from 'node:util';
import { printJson } from '../output';
import { unpackGranule } from '../../lib/granule/index';
import { registerGranule } from '../../lib/chain/index';
import { shareGranule, SharingError, type SharingPeer } from '../../lib/sharing/index';
import { COMMON_FLAGS, contractOf, hex32, provingIdentity } from './identity/context';
import { publicationDir, readRuntimeConfig, runtimeConfigPath, startPeer } from './identity/network';

const progress = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

export const command: Command = {
  summary: 'register a granule on chain with a zero-knowledge proof, then publish it (encrypted, sharded, pinned, key shares with the custodians)',
  usage:
    'twingrain register <granule-file> --identity <file> [--passphrase <p>] [--rpc <url>] [--config .twingrain/runtime-config.json] [--relay <multiaddr>]… [--pin-service <url> [--replication r]]… [--timeout 15] | [--manifest-cid <cid>]',
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        strict: true,
        options: {
          ...Object.fromEntries(COMMON_FLAGS.map((f) => [f, { type: 'string' as const }])),
          'manifest-cid': { type: 'string' },
          config: { type: 'string' },
          timeout: { type: 'string' },
          relay: { type: 'string', multiple: true },
          'pin-service': { type: 'string', multiple: true },
          replication: { type: 'string' },
        },
      });
    } catch (e) {
      throw new CliUsageError(`${(e as Error).message}. Usage: ${command.usage}`);
    }
    const { positionals } = parsed;
    const { relay, 'pin-service': pinServices, replication: replicationText, ...rest } = parsed.values as Record<string, string | string[] | undefined>;
    const relays = (relay ?? []) as string[];
    const flags = Object.fromEntries(Object.entries(rest).filter((e): e is [string, string] => typeof e[1] === 'string'));
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    let manifestCid: CID | undefined;
    if (typeof flags['manifest-cid'] === 'string') {
      if (relays.length > 0 || typeof flags.config === 'string')
        throw new CliUsageError('--manifest-cid registers a manifest published elsewhere: it takes no --relay or --config.');
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
    const { deployment, act } = await provingIdentity(flags);

    if (manifestCid) {
      // Commit and reveal in one call (registerGranule commits first when given no commitment).
      const result = await registerGranule({
        ...act,
        alpha: granule.alpha,
        manifestCid: manifestCid.bytes,
        onStage: (stage) => progress(`register: ${stage}`),
      });
      if (result.commitTxHash) progress(`committed in transaction ${result.commitTxHash}`);
      printJson({ alpha: granule.alphaHex, leafIndex: result.leafIndex, root: hex32(result.root), txHash: result.txHash });
      return 0;
    }

    // Pinning services: --pin-service (repeatable) over the runtime config's; without either, the relays pin over libp2p.
    const configuredPinning = (await readRuntimeConfig(runtimeConfigPath(flags)).catch(() => undefined))?.pinning;
    const services =
      pinServices && (pinServices as string[]).length > 0 ? (pinServices as string[]).map((endpoint) => ({ endpoint })) : (configuredPinning?.services ?? []);
    for (const s of services)
      if (!/^https?:\/\//.test(s.endpoint)) throw new CliUsageError(`--pin-service ${s.endpoint} is not an http(s) URL of a pinning service.`);
    const replication = replicationText !== undefined ? Number(replicationText) : pinServices ? services.length : (configuredPinning?.replication ?? 1);
    if (services.length > 0 && (!Number.isInteger(replication) || replication < 1 || replication > services.length)) {
      throw new CliUsageError(`--replication must be a whole number from 1 to the ${services.length} pinning service(s), got "${String(replicationText)}".`);
    }
    if (replicationText !== undefined && services.length === 0)
      throw new CliUsageError('--replication needs pinning services: name them with --pin-service <url>.');
    let node: Awaited<ReturnType<typeof startPeer>> | undefined;
    const peer = async (): Promise<SharingPeer> => {
      const configPath = runtimeConfigPath(flags);
      const config = await readRuntimeConfig(configPath);
      const multiaddrs = relays.length > 0 ? relays : (config?.relay.multiaddrs ?? []);
      if (multiaddrs.length === 0) {
        throw new CliUsageError(
          `register publishes the granule through a pinning relay, and none is known: pass --relay <multiaddr> or --config <runtime-config.json> ` +
            `(${configPath} ${config ? 'lists no relay' : 'does not exist'}; "npm start" writes it), or register a manifest published elsewhere with --manifest-cid <cid>.`,
        );
      }
      progress(`publishing ${granule.manifest.name} ${granule.manifest.version} through ${multiaddrs.length} relay(s)…`);
      node = await startPeer({ multiaddrs, development: config?.relay.development ?? deployment.development }, { dataDir: publicationDir(granule.alphaHex) });
      return node;
    };
    try {
      const result = await shareGranule({
        ...act,
        consortium: contractOf(deployment, 'Consortium'),
        granule: { alpha: granule.alpha, manifest: granule.manifest, archive },
        peer,
        resume: true,
        requireCustody: true,
        ...(services.length > 0 ? { pinning: { services, replication } } : {}),
        fromBlock: BigInt(deployment.deployBlock),
        serviceWaitMs: waitSeconds * 1000,
        onStage: (stage) => progress(`register: ${stage}`),
        onProgress: progress,
      });
      if (result.registered) progress(`committed in transaction ${result.registered.commitTxHash}`);
      const pub = result.published;
      if (pub)
        progress(
          `published ${pub.manifestCid}: pinned by ${pub.pinnedBy}, key shares with ${pub.depositedWith} of ${pub.custodians} custodians (threshold ${pub.threshold})`,
        );
      printJson({ alpha: granule.alphaHex, leafIndex: result.leafIndex, root: hex32(result.root), txHash: result.txHash });
      return 0;
    } catch (error) {
      if (error instanceof SharingError && error.code === 'NO_CUSTODY')
        error.message += ' Or register a manifest you published elsewhere with --manifest-cid <cid>.';
      throw error;
    } finally {
      // Pinned and deposited: the owner's peer is no longer needed.
      await node?.stop();
    }
  },
};
