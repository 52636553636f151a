// `twingrain fetch <α>`: a headless user whose instantiation is on chain gathers t key shares from the custodians and
// k shards from peers or the pinning relay, decrypts, checks α, and writes the granule archive byte for byte.
import { readFile, writeFile } from 'node:fs/promises';
import { CliUsageError, type Command } from '../command';
import { parseArgs, printJson } from '../output';
import { parseRuntimeConfig } from '../../lib/config';

const REGISTRY_ABI = [
  { type: 'function', name: 'manifestOf', stateMutability: 'view', inputs: [{ name: 'alpha', type: 'uint256' }], outputs: [{ name: '', type: 'bytes' }] },
] as const;

export const command: Command = {
  summary: 'fetch and decrypt an instantiated granule: twingrain fetch <α> --identity <file> --out <file>',
  usage:
    'twingrain fetch <α> --identity <identity file or app backup> --out <file> [--config .twingrain/runtime-config.json] [--relay <multiaddr>]… [--passphrase-env TWINGRAIN_PASSPHRASE] [--timeout 60]',
  async run(argv) {
    const relays: string[] = [];
    const rest: string[] = [];
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === '--relay') {
        const v = argv[++i];
        if (!v) throw new CliUsageError('--relay needs a multiaddr');
        relays.push(v);
      } else rest.push(argv[i]!);
    }
    const { positionals, flags } = parseArgs(rest, { strings: ['identity', 'out', 'config', 'passphrase-env', 'timeout'], aliases: { o: 'out' } });
    const alphaText = positionals[0];
    if (!alphaText || typeof flags['identity'] !== 'string' || typeof flags['out'] !== 'string') throw new CliUsageError(`usage: ${command.usage}`);
    const { parseAlpha, alphaHex } = await import('../../lib/granule');
    let alpha: bigint;
    try {
      alpha = parseAlpha(alphaText);
    } catch (error) {
      throw new CliUsageError((error as Error).message);
    }
    const configPath = typeof flags['config'] === 'string' ? flags['config'] : '.twingrain/runtime-config.json';
    let configText: string;
    try {
      configText = await readFile(configPath, 'utf8');
    } catch {
      throw new CliUsageError(`${configPath} was not found: pass --config <runtime-config.json> (npm start writes .twingrain/runtime-config.json)`);
    }
    const config = parseRuntimeConfig(JSON.parse(configText));
    const registry = config.chain.contracts.GranuleRegistry;
    if (!registry) throw new CliUsageError(`${configPath} lists no GranuleRegistry contract`);

    // Either identity format works: the CLI's identity file (`twingrain identity new`, the one `instantiate` used) or
    // the app's exported backup (Settings → Export backup).
    const { parseIdentityBackup, unsealIdentity, BACKUP_FORMAT } = await import('../../lib/identity');
    const { parseIdentityFile, unlockIdentityFile } = await import('../../lib/zk/identity-file');
    const envName = typeof flags['passphrase-env'] === 'string' ? flags['passphrase-env'] : 'TWINGRAIN_PASSPHRASE';
    const passphrase = process.env[envName];
    let identityJson: unknown;
    try {
      identityJson = JSON.parse(await readFile(flags['identity'], 'utf8'));
    } catch {
      throw new CliUsageError(`${flags['identity']} is not a readable identity file (JSON)`);
    }
    let identity;
    if ((identityJson as { format?: unknown } | null)?.format === BACKUP_FORMAT) {
      if (!passphrase) throw new CliUsageError(`set the backup's passphrase in the environment variable ${envName}`);
      identity = await unsealIdentity(parseIdentityBackup(identityJson), passphrase);
    } else {
      identity = (await unlockIdentityFile(parseIdentityFile(identityJson), passphrase)).identity;
    }

    const { createPublicClient, http } = await import('viem');
    const client = createPublicClient({ transport: http(config.chain.rpcUrl) });
    const cidHex = await client.readContract({ address: registry, abi: REGISTRY_ABI, functionName: 'manifestOf', args: [alpha] });
    if (!cidHex || cidHex === '0x') throw new Error(`granule ${alphaHex(alpha)} is not registered on chain ${config.chain.chainId}`);

    await import('../../lib/p2p/websocket-global.node.ts');
    const { createNodeNode } = await import('../../lib/p2p/node.node.ts');
    const { cidFromChainBytes } = await import('../../lib/p2p/public-manifest');
    const { retrieveGranule } = await import('../../lib/p2p/retrieve');
    const node = await createNodeNode({ multiaddrs: relays.length > 0 ? relays : config.relay.multiaddrs, development: config.relay.development });
    try {
      await node.supervisor.relayConnected();
      const timeoutMs = Number(flags['timeout'] ?? 60) * 1000;
      let lastWaiting = -1;
      const result = await retrieveGranule({
        helia: node.helia,
        manifestCid: cidFromChainBytes(cidHex),
        alpha: alphaHex(alpha),
        userSecretKey: identity.x25519.secretKey,
        keyTimeoutMs: timeoutMs,
        onState: (s) => {
          if (s.phase === 'key' && s.threshold - s.have !== lastWaiting) {
            lastWaiting = s.threshold - s.have;
            process.stderr.write(`waiting for ${lastWaiting} more key holder${lastWaiting === 1 ? '' : 's'}…\n`);
          }
        },
      });
      await writeFile(flags['out'], result.archive);
      printJson({
        alpha: alphaHex(alpha),
        manifestCid: cidFromChainBytes(cidHex).toString(),
        out: flags['out'],
        bytes: result.archive.length,
        name: result.manifest.granule.name,
        version: result.manifest.granule.version,
        keyMs: result.keyMs,
        shardsMs: result.shardsMs,
      });
      return 0;
    } finally {
      await node.stop();
    }
  },
};
