// The embedded stack behind `npm start`: a real local chain with the contracts deployed, the community relay, and the
// built PWA, all on loopback. Each part is stopped, in reverse order, when the stack stops or a later part fails.
import '../../src/lib/node/polyfills';
import { mkdir, writeFile, stat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { startAnvil, ANVIL_ACCOUNTS } from '../../src/lib/node/anvil';
import { deployContracts } from '../../src/lib/chain/deploy.node.ts';
import { deployIncentiveContracts } from '../../src/lib/incentive/deploy.node.ts';
import { startRelay } from '../../relay/relay';
import type { RuntimeConfig } from '../../src/lib/config';
import { PORTS, portFromEnv, assertPortFree, freePort } from './ports';
import { serveApp } from './serve';
import { enrolCustodian } from './custodian';
import { registerReferenceGranules, REFERENCE_OWNER_NAME } from './reference';

export interface StackOptions {
  root?: string;
  host?: string;
  chainPort?: number;
  relayPort?: number;
  appPort?: number;
  /** Where relay data and deployment files go; `.twingrain/` in the repository by default. */
  stateDir?: string;
  /** Build the app before serving (default: build when dist/ is missing or older than src/). */
  build?: 'always' | 'never' | 'auto';
  /**
   * Key custodians to run (default 1: the relay itself) and the threshold t the Consortium sets (default 1). Extra
   * custodians are further relay processes with the custodian role only; the app connects to all of them.
   */
  custodians?: number;
  threshold?: number;
  /** Register the reference twins' granules under the stack's reference identity (default true). */
  referenceGranules?: boolean;
  /** The built app to serve (default `dist/`; engineers sharing a tree build into their own folder and set TWINGRAIN_DIST). */
  distDir?: string;
  log?: (line: string) => void;
}

export interface RunningStack {
  config: RuntimeConfig;
  appUrl: string;
  rpcUrl: string;
  relayMultiaddrs: string[];
  stateDir: string;
  stop(): Promise<void>;
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const info = await stat(join(entry.parentPath, entry.name));
    newest = Math.max(newest, info.mtimeMs);
  }
  return newest;
}

async function needsBuild(root: string): Promise<boolean> {
  const index = await stat(join(root, 'dist', 'index.html')).catch(() => null);
  if (!index) return true;
  const sources = Math.max(await newestMtime(join(root, 'src')), await newestMtime(join(root, 'public')));
  return sources > index.mtimeMs;
}

/** TWINGRAIN_PINS_PORT, else the relay's port + 1 if it is free, else 0 (any free port: the log says which). */
async function pinsPortFor(relayPort: number, host: string): Promise<number> {
  if (process.env[PORTS.pins.variable]) return portFromEnv(PORTS.pins);
  const next = relayPort + 1;
  return next <= 65535 &&
    (await assertPortFree(PORTS.pins, next, host).then(
      () => true,
      () => false,
    ))
    ? next
    : 0;
}

export async function startStack(o: StackOptions = {}): Promise<RunningStack> {
  const root = resolve(o.root ?? process.cwd());
  const host = o.host ?? '127.0.0.1';
  const log = o.log ?? ((line: string) => process.stdout.write(line + '\n'));
  const stateDir = resolve(o.stateDir ?? join(root, '.twingrain'));
  const chainPort = o.chainPort ?? portFromEnv(PORTS.chain);
  const relayPort = o.relayPort ?? portFromEnv(PORTS.relay);
  const appPort = o.appPort ?? portFromEnv(PORTS.app);
  // Check every port first, so a clash is reported before anything is started.
  await assertPortFree(PORTS.chain, chainPort, host);
  await assertPortFree(PORTS.relay, relayPort, host);
  await assertPortFree(PORTS.app, appPort, host);
  await mkdir(stateDir, { recursive: true });

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    stops.length = 0;
  };
  try {
    const anvil = await startAnvil({ port: chainPort, host });
    stops.push(() => anvil.stop());
    const deployer = ANVIL_ACCOUNTS[0];
    const deployment = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: deployer.privateKey, openEnrolment: true });
    const incentives = await deployIncentiveContracts({
      rpcUrl: anvil.rpcUrl,
      deployerPrivateKey: deployer.privateKey,
      ...(deployment.contracts.GranuleRegistry ? { registry: deployment.contracts.GranuleRegistry } : {}),
      ...(deployment.contracts.Consortium ? { consortium: deployment.contracts.Consortium } : {}),
      ...(deployment.contracts.CommunityCredit ? { credit: deployment.contracts.CommunityCredit } : {}),
    });
    const chain: RuntimeConfig['chain'] = {
      rpcUrl: anvil.rpcUrl,
      chainId: anvil.chainId,
      name: 'twingrain development chain',
      development: true,
      contracts: { ...deployment.contracts, ...incentives },
      deployBlock: deployment.deployBlock,
    };
    log(`chain   ${anvil.rpcUrl} (chain id ${anvil.chainId}; ${Object.keys(chain.contracts).length} contracts deployed)`);

    // The embedded relay is also the one custodian of granule keys (threshold 1): whoever runs this stack can read
    // every granule registered on it. A community runs several custodians with a higher threshold (README).
    const relay = await startRelay({
      host,
      port: relayPort,
      dataDir: join(stateDir, 'relay'),
      development: true,
      // The IPFS Pinning Service API beside it: the relay's port + 1 when free (TWINGRAIN_PINS_PORT chooses), else any.
      pin: chain.contracts.GranuleRegistry
        ? {
            chain: { rpcUrl: anvil.rpcUrl, registry: chain.contracts.GranuleRegistry },
            api: { port: await pinsPortFor(relayPort, host) },
            // The pinned blocks over HTTP (an IPFS Trustless Gateway), which browsers fetch granules from.
            gateway: { port: 0 },
          }
        : { gateway: { port: 0 } },
      ...(chain.contracts.GranuleRegistry
        ? { custodian: { chain: { rpcUrl: anvil.rpcUrl, registry: chain.contracts.GranuleRegistry, fromBlock: chain.deployBlock } } }
        : {}),
      // The community's tree snapshots, which a new browser starts from (runtime config `trees.snapshot`).
      ...(chain.contracts.GranuleRegistry
        ? { trees: { chain: { rpcUrl: anvil.rpcUrl, registry: chain.contracts.GranuleRegistry, fromBlock: chain.deployBlock }, port: 0 } }
        : {}),
    });
    stops.push(() => relay.stop());
    if (relay.trees) log(`trees   ${relay.trees.url} (tree snapshots for new members)`);
    if (relay.pinning?.apiUrl) log(`pins    ${relay.pinning.apiUrl}/pins (IPFS Pinning Service API; members' tokens: npx twingrain pin-token)`);
    if (relay.pinning?.gatewayUrl) log(`gateway ${relay.pinning.gatewayUrl}/ipfs/<cid> (IPFS Trustless Gateway: the pinned blocks over HTTP)`);
    const custodianCount = Math.max(1, o.custodians ?? 1);
    const threshold = o.threshold ?? 1;
    if (threshold < 1 || threshold > custodianCount)
      throw new Error(`A threshold of ${threshold} needs between 1 and ${custodianCount} custodians; pass a threshold from 1 to the number of custodians.`);
    const relayMultiaddrs = [...relay.multiaddrs];
    const custodianKeys: `0x${string}`[] = relay.custodian ? [`0x${relay.custodian.x25519PublicKey}`] : [];
    log(
      `relay   ${relay.multiaddrs[0] ?? '(no address)'}${relay.custodian ? ` (pinning; ${custodianCount === 1 ? 'key custodian' : `key custodian 1 of ${custodianCount}`}, threshold ${threshold})` : ''}`,
    );
    for (let i = 1; i < custodianCount && chain.contracts.GranuleRegistry; i++) {
      const extra = await startRelay({
        host,
        port: await freePort(),
        dataDir: join(stateDir, `custodian-${i + 1}`),
        development: true,
        custodian: { chain: { rpcUrl: anvil.rpcUrl, registry: chain.contracts.GranuleRegistry, fromBlock: chain.deployBlock } },
      });
      stops.push(() => extra.stop());
      relayMultiaddrs.push(...extra.multiaddrs);
      custodianKeys.push(`0x${extra.custodian!.x25519PublicKey}`);
      log(`custody ${extra.multiaddrs[0] ?? '(no address)'} (key custodian ${i + 1})`);
    }
    if (chain.contracts.Consortium) {
      // Custodians are known on chain by an account; the stack's are fixed, distinct addresses (they send nothing).
      for (const [i, key] of custodianKeys.entries()) {
        const account = i === 0 ? ANVIL_ACCOUNTS[4].address : (`0x${(0xc0de00 + i).toString(16).padStart(40, '0')}` as `0x${string}`);
        await enrolCustodian({
          rpcUrl: anvil.rpcUrl,
          adminKey: deployer.privateKey,
          consortium: chain.contracts.Consortium,
          account,
          x25519PublicKey: key,
          threshold: i === custodianKeys.length - 1 ? threshold : 1,
        });
      }
    }

    // The bundled reference granules are registered by the stack's own reference identity: nobody can claim them.
    let reference: RuntimeConfig['reference'];
    if (o.referenceGranules !== false && chain.contracts.GranuleRegistry && chain.contracts.Consortium) {
      const r = await registerReferenceGranules({ rpcUrl: anvil.rpcUrl, registry: chain.contracts.GranuleRegistry, consortium: chain.contracts.Consortium });
      reference = { publicKey: r.publicKey, name: REFERENCE_OWNER_NAME };
      log(`refs    ${r.registered} bundled reference granules registered under "${REFERENCE_OWNER_NAME}"`);
    }

    const config: RuntimeConfig = {
      chain,
      relay: { multiaddrs: relayMultiaddrs, development: true, ...(relay.pinning?.gatewayUrl ? { gateways: [relay.pinning.gatewayUrl] } : {}) },
      ...(relay.trees ? { trees: { snapshot: relay.trees.url } } : {}),
      startedAt: new Date().toISOString(),
      ...(reference ? { reference } : {}),
    };
    await writeFile(join(stateDir, 'deployment.json'), JSON.stringify(chain, null, 2) + '\n');
    await writeFile(join(stateDir, 'runtime-config.json'), JSON.stringify(config, null, 2) + '\n');

    const build = o.build ?? 'auto';
    if (build === 'always' || (build === 'auto' && (await needsBuild(root)))) {
      log('build   building the app…');
      const { build: viteBuild } = await import('vite');
      await viteBuild({ root, logLevel: 'warn', configFile: join(root, 'vite.config.ts') });
    }
    const app = await serveApp({ root: resolve(root, o.distDir ?? process.env.TWINGRAIN_DIST ?? 'dist'), host, port: appPort, config: () => config });
    stops.push(() => app.stop());
    log(`app     ${app.url}`);

    return { config, appUrl: app.url, rpcUrl: anvil.rpcUrl, relayMultiaddrs, stateDir, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
