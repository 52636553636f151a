// The whole headless journey on a real chain, through the sharing module the app and the CLI call: three custodian
// relays serve a real anvil with the real contracts; the owner prepares the granule on its node, commits, registers
// with a real Groth16 proof, has it pinned and deposits its key shares signed by its wallet; it authorizes a user, the
// user instantiates; the custodians read the instantiation on chain and release their shares; the owner is gone by
// then, and the user rebuilds the granule from the pinning relay, byte for byte.
import '../src/lib/p2p/websocket-global.node.ts';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consortiumAbi } from '../src/lib/chain/abi.generated';
import { freePort } from '../scripts/stack/ports';
import { createIdentity } from '../src/lib/identity/index';
import { packGranule } from '../src/lib/granule/index';
import { sampleFiles } from '../src/lib/granule/test-fixture';
import { receiveGranule, shareGranule } from '../src/lib/sharing/index';
import { createNodeNode } from '../src/lib/p2p/node.node.ts';
import type { TwingrainNode } from '../src/lib/p2p/node';
import { retrieveGranule } from '../src/lib/p2p/retrieve';
import { cidFromChainBytes } from '../src/lib/p2p/public-manifest';
import { peersWithProtocol } from '../src/lib/p2p/custody-protocol';
import { KEY_RELEASE_PROTOCOL } from '../src/lib/p2p/protocols';
import { startRelay, type RunningRelay } from './relay';
import { startCustodyChain, type CustodyChain } from './testing/custody-chain';

let chain: CustodyChain;
const relays: RunningRelay[] = [];
const nodes: TwingrainNode[] = [];
const dirs: string[] = [];

afterAll(async () => {
  for (const n of nodes) await n.stop().catch(() => undefined);
  for (const r of relays) await r.stop().catch(() => undefined);
  await chain?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('register → deposit → authorize → instantiate → custodians release → fetch from the pinning relay', () => {
  beforeAll(async () => {
    chain = await startCustodyChain();
    for (let i = 0; i < 3; i++) {
      const dataDir = await mkdtemp(join(tmpdir(), 'tg-journey-'));
      dirs.push(dataDir);
      // The embedded chain's default: no confirmations (anvil mines one block per transaction, nobody else mines).
      relays.push(
        await startRelay({
          port: await freePort(),
          dataDir,
          development: true,
          pin: i === 0,
          custodian: { waitMs: 2_000, pollMs: 100, chain: chain.chainOptions() },
        }),
      );
    }
    expect(relays.every((r) => r.custodian!.confirmations === 0)).toBe(true);
    // The consortium lists the three custodians and a threshold of 2.
    await chain.listCustodians(
      relays.map((r) => r.custodian!.x25519PublicKey),
      2,
    );
  }, 180_000);

  it('delivers the archive byte for byte, and one custodian alone could not have released it', async () => {
    const owner = await chain.member();
    const user = await chain.member();
    const addrs = relays.map((r) => r.multiaddrs[0]!);
    const ownerNode = await createNodeNode({ multiaddrs: addrs, development: true });
    nodes.push(ownerNode);
    await ownerNode.supervisor.relayConnected();
    await expect.poll(async () => (await peersWithProtocol(ownerNode.libp2p, KEY_RELEASE_PROTOCOL)).length, { timeout: 15_000 }).toBe(3);

    const threshold = Number(await chain.publicClient.readContract({ address: chain.consortium, abi: consortiumAbi, functionName: 'threshold' }));
    expect(threshold).toBe(2);
    // A real granule, large enough that each shard spans several blocks.
    const granule = packGranule({ files: { ...sampleFiles({ name: 'journey/mechanical' }), 'assets/blob.bin': new Uint8Array(randomBytes(300 * 1024)) } });
    const archive = granule.bytes;
    const alpha = granule.alphaHex;
    const shared = await shareGranule({
      publicClient: chain.publicClient,
      walletClient: owner.wallet,
      registry: chain.registry,
      consortium: chain.consortium,
      prover: chain.prover,
      secret: owner.identity.secret,
      granule: { alpha: granule.alpha, manifest: granule.manifest, archive },
      peer: async () => ownerNode,
    });
    expect(shared.published).toMatchObject({ pinnedBy: 1, depositedWith: 3, custodians: 3, threshold: 2 });
    const authorized = await chain.authorize(owner, alpha, user);
    // The owner may go offline now: everything it shared is pinned and deposited.
    await ownerNode.stop();

    await chain.instantiate(user, authorized);
    const cidOnChain = await chain.manifestOf(alpha);

    const userNode = await createNodeNode({ multiaddrs: addrs, development: true });
    nodes.push(userNode);
    await userNode.supervisor.relayConnected();
    await expect.poll(async () => (await peersWithProtocol(userNode.libp2p, KEY_RELEASE_PROTOCOL)).length, { timeout: 15_000 }).toBe(3);
    const states: string[] = [];
    const result = await receiveGranule({
      publicClient: chain.publicClient,
      registry: chain.registry,
      alpha: granule.alpha,
      userPk: user.identity.publicKey,
      helia: userNode.helia,
      userSecretKey: user.identity.x25519.secretKey,
      onState: (s) => states.push(s.phase),
    });
    expect(result.granule.alphaHex).toBe(alpha);
    expect(result.archive).toEqual(archive);
    expect(states).toContain('shards');

    // Someone who did not instantiate gets nothing from the same custodians, whichever Pk it names.
    const stranger = createIdentity();
    for (const userPk of [stranger.publicKey, user.identity.publicKey]) {
      await expect(
        retrieveGranule({
          helia: userNode.helia,
          manifestCid: cidFromChainBytes(cidOnChain),
          alpha,
          userPk,
          userSecretKey: stranger.x25519.secretKey,
          keyTimeoutMs: 3_000,
        }),
      ).rejects.toThrow(/Waiting for 2 more key holders/);
    }
  }, 180_000);
});
