// What a pinning relay asks the chain before it keeps anything: the manifest CID the GranuleRegistry records for α,
// and whether an account is a Consortium member. An operator's own program may also record granules and members
// locally (LocalPinRecords): that is an in-process list, never reachable from the network.
import { createPublicClient, http, type Address } from 'viem';
import type { CID } from 'multiformats/cid';
import { consortiumAbi, granuleRegistryAbi } from '../chain/abi.generated';
import { cidFromChainBytes } from './public-manifest';

export interface PinAuthority {
  /** The manifest CID recorded for a registered α; undefined when α is not registered. */
  manifestOf(alpha: bigint): Promise<CID | undefined>;
  /** Whether the account is an enrolled member of the Consortium. */
  isMember(account: Address): Promise<boolean>;
}

export function chainPinAuthority(o: { rpcUrl: string; registry: Address }): PinAuthority {
  const client = createPublicClient({ transport: http(o.rpcUrl) });
  let consortium: Promise<Address> | undefined;
  return {
    async manifestOf(alpha) {
      const [owner, cid] = await Promise.all([
        client.readContract({ address: o.registry, abi: granuleRegistryAbi, functionName: 'ownerOf', args: [alpha] }),
        client.readContract({ address: o.registry, abi: granuleRegistryAbi, functionName: 'manifestOf', args: [alpha] }),
      ]);
      if (owner === 0n || cid === '0x') return undefined;
      return cidFromChainBytes(cid);
    },
    async isMember(account) {
      if (!consortium) {
        consortium = client.readContract({ address: o.registry, abi: granuleRegistryAbi, functionName: 'consortium' }) as Promise<Address>;
        consortium.catch(() => (consortium = undefined));
      }
      const pk = await client.readContract({ address: await consortium, abi: consortiumAbi, functionName: 'pkOf', args: [account] });
      return pk !== 0n;
    },
  };
}

/** Granules and members the operator vouches for in process (tests: "as if on chain"). */
export class LocalPinRecords implements PinAuthority {
  private readonly manifests = new Map<bigint, CID>();
  private readonly members = new Set<string>();
  record(alpha: bigint, manifestCid: CID): void {
    this.manifests.set(alpha, manifestCid);
  }
  addMember(account: Address): void {
    this.members.add(account.toLowerCase());
  }
  async manifestOf(alpha: bigint): Promise<CID | undefined> {
    return this.manifests.get(alpha);
  }
  async isMember(account: Address): Promise<boolean> {
    return this.members.has(account.toLowerCase());
  }
}
