// The whole headless journey on a real chain: three custodian relays watch a real anvil with the real contracts;
// the owner prepares (encrypt, shard), registers with a real Groth16 proof, then pins and deposits, authorizes a user, the
// user instantiates; the custodians see the Instantiated event and release their shares; the owner is gone by
// then, and the user rebuilds the granule from the pinning relay, byte for byte.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicClient, createWalletClient, http, type Address, type PublicClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { hexToBytes } from '@noble/hashes/utils.js';
import { compileContracts } from '../src/lib/chain/compile.node.ts';
import { deployContracts } from '../src/lib/chain/deploy';
import { authorizeGranule, instantiateGranule, registerGranule } from '../src/lib/chain/index';
import { consortiumAbi, granuleRegistryAbi } from '../src/lib/chain/abi.generated';
import { startAnvil, ANVIL_ACCOUNTS, type RunningAnvil } from '../src/lib/node/anvil';
import { freePort } from '../scripts/stack/ports';
import { ensureMembership } from '../src/lib/records/index';
import { createIdentity } from '../src/lib/identity/index';
import { createProver, terminateProver, type Prover } from '../src/lib/zk/index';
import { fileArtifactSource } from '../src/lib/zk/artifacts.node';
import { alphaOf, alphaHex } from '../src/lib/granule/alpha';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { prepareGranulePublication, publishGranule } from '../src/lib/p2p/publish';
import { retrieveGranule } from '../src/lib/p2p/retrieve';
import { cidFromChainBytes } from '../src/lib/p2p/public-manifest';
import { peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { KEY_RELEASE_PROTOCOL } from '../src/lib/p2p/protocols';
import { startRelay, type RunningRelay } from './relay';

let anvil: RunningAnvil;
let prover: Prover;
const relays: RunningRelay[] = [];
const nodes: TwingrainNode[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  for (const r of relays) await r.stop().catch(() => undefined);
  await anvil?.stop();
  await terminateProver();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('register → authorize → instantiate → custodians release → fetch from the pinning relay', () => {
  let contracts: Record<string, Address>;
  let deployBlock: number;
  let publicClient: PublicClient;
  const chainOf = () => ({ id: anvil.chainId, name: 'anvil', nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 }, rpcUrls: { default: { http: [anvil.rpcUrl] } } });
  const wallet = (i: 0 | 1 | 2 | 3) => createWalletClient({ account: privateKeyToAccount(ANVIL_ACCOUNTS[i].privateKey), chain: chainOf(), transport: http(anvil.rpcUrl) });

  beforeAll(async () => {
    prover = createProver(fileArtifactSource());
    anvil = await startAnvil({ port: await freePort() });
    ({ contracts, deployBlock } = await deployContracts({ rpcUrl: anvil.rpcUrl, deployerPrivateKey: ANVIL_ACCOUNTS[0].privateKey, openEnrolment: true, compiled: compileContracts() }));
    publicClient = createPublicClient({ chain: chainOf(), transport: http(anvil.rpcUrl), pollingInterval: 50 }) as PublicClient;
    for (let i = 0; i < 3; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), 'tg-journey-'));
      dirs.push(dataDir);
      relays.push(await startRelay({
        port: await freePort(), dataDir, development: true, pin: i === 0,
        custodian: { waitMs: 2_000, chain: { rpcUrl: anvil.rpcUrl, registry: contracts.GranuleRegistry!, fromBlock: deployBlock, pollingIntervalMs: 100 } },
      }));
    }
    // The consortium lists the three custodians and a threshold of 2.
    const admin = wallet(0);
    for (const [i, r] of relays.entries()) {
      const hash = await admin.writeContract({ address: contracts.Consortium!, abi: consortiumAbi, functionName: 'registerCustodian', args: [ANVIL_ACCOUNTS[(i + 1) as 1 | 2 | 3].address, `0x${r.custodian!.x25519PublicKey}`] });
      await publicClient.waitForTransactionReceipt({ hash });
    }
    await publicClient.waitForTransactionReceipt({ hash: await admin.writeContract({ address: contracts.Consortium!, abi: consortiumAbi, functionName: 'setThreshold', args: [2] }) });
  }, 180_000);

  it('delivers the archive byte for byte, and one custodian alone could not have released it', async () => {
    const owner = createIdentity();
    const user = createIdentity();
    const registry = contracts.GranuleRegistry!;
    const ownerWallet = wallet(1);
    const userWallet = wallet(2);
    for (const [w, id] of [[ownerWallet, owner], [userWallet, user]] as const) {
      await ensureMembership({ publicClient, walletClient: w, consortium: contracts.Consortium!, secret: id.secret, prover });
    }
    const addrs = relays.map((r) => r.multiaddrs[0]!);
    const ownerNode = await createNodeNode({ multiaddrs: addrs, development: true });
    nodes.push(ownerNode);
    await ownerNode.supervisor.relayConnected();
    await expect.poll(async () => (await peersWithProtocol(ownerNode.libp2p, KEY_RELEASE_PROTOCOL)).length, { timeout: 15_000 }).toBe(3);

    const custodians = (await publicClient.readContract({ address: contracts.Consortium!, abi: consortiumAbi, functionName: 'custodians' })) as ReadonlyArray<{ x25519PublicKey: `0x${string}` }>;
    const threshold = Number(await publicClient.readContract({ address: contracts.Consortium!, abi: consortiumAbi, functionName: 'threshold' }));
    expect(threshold).toBe(2);
    const archive = new Uint8Array(randomBytes(300 * 1024));
    const alpha = alphaOf(archive);
    const publication = {
      helia: ownerNode.helia, archive, alpha: alphaHex(alpha), k: 2, n: 3,
      granule: { name: 'journey/mechanical', version: '1.0.0', description: 'journey', domain: 'enabling', context: 'mechanical', printers: [], tags: [], license: 'MIT' },
      custody: { threshold, custodians: custodians.map((c) => hexToBytes(c.x25519PublicKey.slice(2))) },
    };
    // Publishing order: stored and its manifest CID computed here, nothing sent; registered; then pinned (the relay
    // checks manifestOf(α) on chain) and the key shares deposited.
    const prepared = await prepareGranulePublication(publication);
    await registerGranule({ publicClient, walletClient: ownerWallet, registry, prover, secret: owner.secret, alpha, manifestCid: prepared.manifestCid.bytes });
    const published = await publishGranule(publication);
    expect(published.manifestCid.toString()).toBe(prepared.manifestCid.toString());
    expect(published.pinnedBy).toEqual([relays[0]!.peerId]);
    expect(published.depositedWith).toHaveLength(3);
    const authorized = await authorizeGranule({ publicClient, walletClient: ownerWallet, registry, prover, secret: owner.secret, alpha, userPk: user.publicKey, fromBlock: BigInt(deployBlock) });
    // The owner may go offline now: everything it shared is pinned and deposited.
    await ownerNode.stop();

    await instantiateGranule({ publicClient, walletClient: userWallet, prover, secret: user.secret, record: authorized.record, x25519PublicKey: user.x25519.publicKey, fromBlock: BigInt(deployBlock) });
    const cidOnChain = (await publicClient.readContract({ address: registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [alpha] })) as `0x${string}`;

    const userNode = await createNodeNode({ multiaddrs: addrs, development: true });
    nodes.push(userNode);
    await userNode.supervisor.relayConnected();
    await expect.poll(async () => (await peersWithProtocol(userNode.libp2p, KEY_RELEASE_PROTOCOL)).length, { timeout: 15_000 }).toBe(3);
    // Each custodian saw the event itself, from the chain.
    await expect.poll(() => relays.every((r) => r.custodian!.index.has(alphaHex(alpha), Buffer.from(user.x25519.publicKey).toString('hex'))), { timeout: 10_000 }).toBe(true);
    const states: string[] = [];
    const result = await retrieveGranule({
      helia: userNode.helia, manifestCid: cidFromChainBytes(cidOnChain), alpha: alphaHex(alpha), userSecretKey: user.x25519.secretKey,
      onState: (s) => states.push(s.phase),
    });
    expect(result.archive).toEqual(archive);
    expect(states).toContain('shards');

    // Someone who did not instantiate gets nothing from the same custodians.
    const stranger = createIdentity();
    await expect(
      retrieveGranule({ helia: userNode.helia, manifestCid: cidFromChainBytes(cidOnChain), alpha: alphaHex(alpha), userSecretKey: stranger.x25519.secretKey, keyTimeoutMs: 3_000 }),
    ).rejects.toThrow(/Waiting for 2 more key holders/);
  }, 180_000);
});
