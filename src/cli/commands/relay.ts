// `twingrain relay`: the community node — circuit relay v2 over WebSockets, discovery, and optionally pinning
// (--pin: only what the registry records) and key custody (--custodian: deposits and releases read from the registry
// at head − --confirmations). Prints one JSON line with its addresses (and custodian key), then runs until Ctrl-C /
// SIGTERM. `--pins-port` also serves the IPFS Pinning Service API (relay/pinning-api.ts) there. A relay that knows the
// chain also publishes the registry's trees (GET /trees/snapshot, on --trees-port or any free port; stderr says where)
// so new members need not hash the community's history. A pinning relay serves the blocks it pins as an IPFS Trustless
// Gateway (GET /ipfs/{cid}: raw blocks, and CARs of whole pinned DAGs; relay/block-gateway.ts) on --gateway-port or any free port; stderr says where. `--custodian-key` only prints the custodian's public key (creating its key in the data folder if needed) and
// exits: what a consortium admin lists with `twingrain deploy --custodian <key>@<account>` before any chain exists.
import { mkdir, readFile } from 'node:fs/promises';
import { CliUsageError, type Command } from '../command';
import { parseFlags, printJson } from '../output';
import { parseRuntimeConfig } from '../../lib/config';

export const command: Command = {
  summary: 'run a relay (circuit relay v2, discovery) with optional --pin and --custodian roles',
  usage:
    'twingrain relay [--host 127.0.0.1] [--port 9090] [--data-dir .twingrain/relay] [--pin] [--custodian] [--config .twingrain/runtime-config.json | --rpc <url> --registry <0x…> [--from-block N]] [--confirmations N] [--announce <multiaddr>] [--pins-port N] [--trees-port N] [--gateway-port N] [--production] [--keep-relay-limits] | --custodian-key [--data-dir …]',
  async run(argv) {
    const text = { type: 'string' } as const;
    const flag = { type: 'boolean' } as const;
    const { values: flags } = parseFlags(argv, {
      ...{
        host: text,
        port: text,
        'data-dir': text,
        config: text,
        rpc: text,
        registry: text,
        'from-block': text,
        confirmations: text,
        announce: text,
        'pins-port': text,
        'trees-port': text,
        'gateway-port': text,
      },
      ...{ pin: flag, custodian: flag, production: flag, 'keep-relay-limits': flag, 'custodian-key': flag },
    });
    if (flags['custodian-key']) {
      const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : '.twingrain/relay';
      const { loadOrCreateCustodianKey } = await import('../../../relay/custodian-key');
      const { x25519 } = await import('@noble/curves/ed25519.js');
      const { bytesToHex } = await import('@noble/hashes/utils.js');
      await mkdir(dataDir, { recursive: true });
      printJson({ x25519PublicKey: bytesToHex(x25519.getPublicKey(await loadOrCreateCustodianKey(dataDir))) });
      return 0;
    }
    const port = Number(flags['port'] ?? process.env.TWINGRAIN_RELAY_PORT ?? 9090);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliUsageError(`--port must be a port number, got "${String(flags['port'])}"`);
    let confirmations: number | undefined;
    if (flags['confirmations'] !== undefined) {
      confirmations = Number(flags['confirmations']);
      if (!Number.isInteger(confirmations) || confirmations < 0)
        throw new CliUsageError(`--confirmations must be a whole number of blocks (0 or more), got "${String(flags['confirmations'])}"`);
    }
    let chain: { rpcUrl: string; registry: `0x${string}`; fromBlock?: number } | undefined;
    // Both roles read the chain: a custodian registrations and instantiations, a pinning relay manifestOf(α); the tree
    // snapshots the registry's events and roots.
    let treesPort: number | undefined;
    if (flags['trees-port'] !== undefined) {
      treesPort = Number(flags['trees-port']);
      if (!Number.isInteger(treesPort) || treesPort < 0 || treesPort > 65535)
        throw new CliUsageError(`--trees-port must be a port number, got "${String(flags['trees-port'])}"`);
    }
    if (flags['custodian'] || flags['pin'] || treesPort !== undefined) {
      if (typeof flags['rpc'] === 'string' || typeof flags['registry'] === 'string') {
        if (typeof flags['rpc'] !== 'string' || typeof flags['registry'] !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(flags['registry'])) {
          throw new CliUsageError('a custodian, pinning or tree-publishing relay needs both --rpc <url> and --registry <GranuleRegistry address>');
        }
        chain = { rpcUrl: flags['rpc'], registry: flags['registry'] as `0x${string}`, fromBlock: Number(flags['from-block'] ?? 0) };
      } else {
        const path = typeof flags['config'] === 'string' ? flags['config'] : '.twingrain/runtime-config.json';
        let text: string;
        try {
          text = await readFile(path, 'utf8');
        } catch {
          throw new CliUsageError(
            `a custodian, pinning or tree-publishing relay reads the chain: pass --rpc and --registry, or --config <runtime-config.json> (${path} was not found; "npm start" writes it)`,
          );
        }
        const config = parseRuntimeConfig(JSON.parse(text));
        const registry = config.chain.contracts.GranuleRegistry;
        if (!registry) throw new CliUsageError(`${path} lists no GranuleRegistry contract: deploy the contracts first`);
        chain = { rpcUrl: config.chain.rpcUrl, registry, fromBlock: config.chain.deployBlock };
      }
    }
    let pinsPort: number | undefined;
    if (flags['pins-port'] !== undefined) {
      pinsPort = Number(flags['pins-port']);
      if (!Number.isInteger(pinsPort) || pinsPort < 0 || pinsPort > 65535)
        throw new CliUsageError(`--pins-port must be a port number, got "${String(flags['pins-port'])}"`);
      if (!flags['pin'] || !chain)
        throw new CliUsageError(
          '--pins-port serves the IPFS Pinning Service API of a pinning relay: add --pin (and the chain: --config, or --rpc and --registry).',
        );
    }
    let gatewayPort = 0;
    if (flags['gateway-port'] !== undefined) {
      gatewayPort = Number(flags['gateway-port']);
      if (!Number.isInteger(gatewayPort) || gatewayPort < 0 || gatewayPort > 65535)
        throw new CliUsageError(`--gateway-port must be a port number, got "${String(flags['gateway-port'])}"`);
      if (!flags['pin']) throw new CliUsageError('--gateway-port serves the blocks a pinning relay keeps: add --pin.');
    }
    const { startRelay } = await import('../../../relay/relay');
    const relay = await startRelay({
      host: typeof flags['host'] === 'string' ? flags['host'] : '127.0.0.1',
      port,
      dataDir: typeof flags['data-dir'] === 'string' ? flags['data-dir'] : '.twingrain/relay',
      development: !flags['production'],
      pin:
        flags['pin'] === true
          ? { ...(chain ? { chain } : {}), ...(pinsPort !== undefined ? { api: { port: pinsPort } } : {}), gateway: { port: gatewayPort } }
          : false,
      liftRelayLimits: !flags['keep-relay-limits'],
      ...(typeof flags['announce'] === 'string' ? { announce: [flags['announce']] } : {}),
      // Without --confirmations: 0 on the embedded anvil (it mines one block per transaction and nothing else), 12 elsewhere.
      // Every relay that reads the chain publishes its trees: the community's way in for new members.
      ...(chain ? { trees: { chain, port: treesPort ?? 0 } } : {}),
      ...(flags['custodian'] && chain ? { custodian: { chain: { ...chain, ...(confirmations !== undefined ? { confirmations } : {}) } } } : {}),
    });
    if (relay.pinning?.apiUrl) process.stderr.write(`pinning service (IPFS Pinning Service API): ${relay.pinning.apiUrl}/pins\n`);
    if (relay.trees) process.stderr.write(`tree snapshots: ${relay.trees.url}\n`);
    if (relay.pinning?.gatewayUrl) process.stderr.write(`block gateway (IPFS Trustless Gateway): ${relay.pinning.gatewayUrl}/ipfs/<cid>\n`);
    printJson({
      peerId: relay.peerId,
      multiaddrs: relay.multiaddrs,
      pin: flags['pin'] === true,
      custodian: relay.custodian ? { x25519PublicKey: relay.custodian.x25519PublicKey } : null,
    });
    let stopping = false;
    const stop = async (): Promise<void> => {
      if (stopping) return;
      stopping = true;
      await relay.stop();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop());
    process.on('SIGTERM', () => void stop());
    return -1; // keep running until a signal arrives
  },
};
