// `twingrain fetch <α>`: a headless user whose instantiation is on chain gathers t key shares from the custodians and
// k shards from peers or the pinning relay, decrypts, checks α, and writes the granule archive byte for byte.
// Refused up front (no network wait) when the α is not registered or this identity never instantiated it.
import { readFile, writeFile } from 'node:fs/promises';
import { CliUsageError, type Command } from '../command';
import { parseArgs, printJson } from '../output';
import { readRuntimeConfig, runtimeConfigPath, startPeer, takeRepeated } from './identity/network';

export const command: Command = {
  summary: 'fetch and decrypt an instantiated granule: twingrain fetch <α> --identity <file> --out <file>',
  usage:
    'twingrain fetch <α> --identity <identity file or app backup> --out <file> [--passphrase <p> | --passphrase-env TWINGRAIN_PASSPHRASE] [--config .twingrain/runtime-config.json] [--relay <multiaddr>]… [--timeout 60]',
  async run(argv) {
    const { values: relays, rest } = takeRepeated(argv, 'relay');
    const { positionals, flags } = parseArgs(rest, {
      strings: ['identity', 'out', 'config', 'passphrase', 'passphrase-env', 'timeout'],
      aliases: { o: 'out' },
    });
    const alphaText = positionals[0];
    if (!alphaText || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    if (typeof flags['identity'] !== 'string')
      throw new CliUsageError(`--identity <file> is required: the identity that instantiated the granule. Usage: ${command.usage}`);
    if (typeof flags['out'] !== 'string') throw new CliUsageError(`--out <file> is required: where to write the granule archive. Usage: ${command.usage}`);
    const out = flags['out'];
    const timeoutSeconds = Number(flags['timeout'] ?? 60);
    if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
      throw new CliUsageError(`--timeout must be a number of seconds, got "${String(flags['timeout'])}".`);
    const { parseAlpha, alphaHex } = await import('../../lib/granule');
    let alpha: bigint;
    try {
      alpha = parseAlpha(alphaText);
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    const configPath = runtimeConfigPath(flags);
    const config = await readRuntimeConfig(configPath);
    if (!config) throw new CliUsageError(`${configPath} was not found: pass --config <runtime-config.json> (npm start writes .twingrain/runtime-config.json)`);
    const registry = config.chain.contracts.GranuleRegistry;
    if (!registry) throw new CliUsageError(`${configPath} lists no GranuleRegistry contract`);

    // Either identity format works: the CLI's identity file (`twingrain identity new`, the one `instantiate` used) or
    // the app's exported backup (Settings → Export backup).
    const { parseIdentityBackup, unsealIdentity, BACKUP_FORMAT } = await import('../../lib/identity');
    const { parseIdentityFile, unlockIdentityFile } = await import('../../lib/zk/index');
    const envName = typeof flags['passphrase-env'] === 'string' ? flags['passphrase-env'] : 'TWINGRAIN_PASSPHRASE';
    const passphrase = typeof flags['passphrase'] === 'string' ? flags['passphrase'] : process.env[envName];
    let identityJson: unknown;
    try {
      identityJson = JSON.parse(await readFile(flags['identity'], 'utf8'));
    } catch {
      throw new CliUsageError(`${flags['identity']} is not a readable identity file (JSON)`);
    }
    let identity;
    if ((identityJson as { format?: unknown } | null)?.format === BACKUP_FORMAT) {
      if (!passphrase) throw new CliUsageError(`set the backup's passphrase with --passphrase or in the environment variable ${envName}`);
      identity = await unsealIdentity(parseIdentityBackup(identityJson), passphrase);
    } else {
      identity = (await unlockIdentityFile(parseIdentityFile(identityJson), passphrase)).identity;
    }

    const { createPublicClient, http } = await import('viem');
    const { receiveGranule, checkReceivable, SharingError } = await import('../../lib/sharing/index');
    const { WaitingForKeyHoldersError } = await import('../../lib/custody');
    const publicClient = createPublicClient({ transport: http(config.chain.rpcUrl) });
    let checked;
    try {
      checked = await checkReceivable({ publicClient, registry, alpha, userPk: identity.publicKey });
    } catch (error) {
      if (error instanceof SharingError) throw error;
      throw new Error(`The chain at ${config.chain.rpcUrl} does not answer (${(error as Error).message.split('\n')[0]}): is it running?`);
    }
    const node = await startPeer({ multiaddrs: relays.length > 0 ? relays : config.relay.multiaddrs, development: config.relay.development });
    try {
      let lastWaiting = -1;
      let lastStall: string | undefined;
      let result;
      try {
        result = await receiveGranule({
          publicClient,
          registry,
          alpha,
          userPk: identity.publicKey,
          checked,
          helia: node.helia,
          userSecretKey: identity.x25519.secretKey,
          keyTimeoutMs: timeoutSeconds * 1000,
          relayPeerIds: node.supervisor.relayPeerIds,
          onState: (s) => {
            if (s.phase === 'key' && s.threshold - s.have !== lastWaiting) {
              lastWaiting = s.threshold - s.have;
              process.stderr.write(`waiting for ${lastWaiting} more key holder${lastWaiting === 1 ? '' : 's'}…\n`);
            }
            // A shard whose peer went quiet: said once per episode, on stderr (stdout carries only the result).
            const stalled = s.phase === 'shards' ? s.waiting?.message : undefined;
            if (stalled && stalled !== lastStall) process.stderr.write(`${stalled}\n`);
            if (s.phase === 'shards') lastStall = stalled;
          },
        });
      } catch (error) {
        // Not a failure of the granule: the custodians were not there in time. Say how to carry on.
        if (error instanceof WaitingForKeyHoldersError)
          error.message += ` Run the same command again later, or wait longer with --timeout <seconds> (now ${timeoutSeconds}).`;
        throw error;
      }
      await writeFile(out, result.archive);
      printJson({
        alpha: alphaHex(alpha),
        manifestCid: result.manifestCid,
        out,
        bytes: result.archive.length,
        name: result.manifest.granule.name,
        version: result.manifest.granule.version,
        keyMs: result.keyMs,
        shardsMs: result.shardsMs,
        // Who delivered the shards' blocks (peer id, connection kind, blocks, bytes), most bytes first.
        sources: result.sources,
      });
      return 0;
    } finally {
      await node.stop();
    }
  },
};
