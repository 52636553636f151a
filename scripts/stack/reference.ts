// The reference twins ship inside the app, so their granules must not be anyone's to claim. At deployment the stack
// registers every one of them under a "twingrain reference" identity of its own: a member who tries to publish a
// bundled granule as theirs is refused by the registry (AlreadyRegistered), and Discover shows them as the app's.
import { createPublicClient, createWalletClient, http, numberToHex, parseEther } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerGranule } from '../../src/lib/chain/index';
import { granuleRegistryAbi } from '../../src/lib/chain/abi.generated';
import { createIdentity, formatPublicKey } from '../../src/lib/identity/index';
import { ensureMembership } from '../../src/lib/records/index';
import { manifestCidOf } from '../../src/lib/sharing/index';
import { packTwin } from '../../src/lib/twin/index';
import { loadTwinDir } from '../../src/lib/twin/source.node.ts';
import { createProver, terminateProver } from '../../src/lib/zk/index';
import { fileArtifactSource } from '../../src/lib/zk/artifacts.node.ts';

export const REFERENCE_OWNER_NAME = 'twingrain reference';
const TWINS = ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450'] as const;

export interface RegisterReferenceGranulesParameters {
  rpcUrl: string;
  registry: `0x${string}`;
  consortium: `0x${string}`;
  /** Where the reference twins live (default: static-twins/ of this repository). */
  twinsDir?: string;
}

/** Registers each bundled granule once; returns the reference identity's public key and how many it registered. */
export async function registerReferenceGranules(p: RegisterReferenceGranulesParameters): Promise<{ publicKey: `0x${string}`; registered: number }> {
  const dir = p.twinsDir ?? resolve(fileURLToPath(new URL('../../static-twins', import.meta.url)));
  const granules = new Map<string, { alpha: bigint; manifestCid: Uint8Array }>();
  for (const id of TWINS) {
    for (const g of packTwin(await loadTwinDir(join(dir, id)))) granules.set(g.alpha, { alpha: BigInt(g.alpha), manifestCid: manifestCidOf(g.manifest) });
  }
  const transport = http(p.rpcUrl);
  const publicClient = createPublicClient({ transport, pollingInterval: 100 });
  const chainId = await publicClient.getChainId();
  const chain = {
    id: chainId,
    name: 'twingrain development chain',
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [p.rpcUrl] } },
  };
  // A wallet of its own, funded by the development chain: the reference identity sends its own transactions.
  const account = privateKeyToAccount(generatePrivateKey());
  await publicClient.request({ method: 'anvil_setBalance' as never, params: [account.address, numberToHex(parseEther('10'))] as never });
  const walletClient = createWalletClient({ account, chain, transport });
  const identity = createIdentity();
  const prover = createProver(fileArtifactSource());
  let registered = 0;
  try {
    await ensureMembership({ publicClient, walletClient, consortium: p.consortium, secret: identity.secret, prover });
    for (const g of granules.values()) {
      const owner = await publicClient.readContract({ address: p.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [g.alpha] });
      if (owner !== 0n) continue;
      await registerGranule({ publicClient, walletClient, registry: p.registry, prover, secret: identity.secret, alpha: g.alpha, manifestCid: g.manifestCid });
      registered++;
    }
  } finally {
    await terminateProver();
  }
  return { publicKey: formatPublicKey(identity.publicKey), registered };
}
