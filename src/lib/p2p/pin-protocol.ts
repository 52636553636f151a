// Pinning: the community node keeps a granule's manifest and shards so they serve users after the owner goes
// offline. It keeps only what the chain records (issue 12): a request names α and the manifest CID, and the relay
// pins when the GranuleRegistry records exactly that CID for α — then it fetches the manifest and the shard DAGs it
// names from the owner over bitswap, verifying each block by CID. A Consortium member may also pin other content,
// signed with its wallet, within a per-member quota of bytes and roots. Everything else is refused with a reason
// (RelayLimitError), reported on the relay, and nothing of it stays in the blockstore.
import type { Helia } from '@helia/interface';
import type { Libp2p } from '@libp2p/interface';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import * as dagPb from '@ipld/dag-pb';
import { Key } from 'interface-datastore';
import { verifyMessage, type Address, type Hex } from 'viem';
import { PIN_PROTOCOL } from './protocols';
import { handleJson, requestJson } from './rpc';
import { isPinnedAnswer, MAX_PIN_CIDS, readMemberPin, readRegisteredPin } from './wire';
import { peersWithProtocol } from './custody-protocol';
import { readBlock } from './blocks';
import { decodePublicManifest } from './public-manifest';
import { RelayLimitError, refusal, refusalOf, throttledLog, type RelayLimitCode, type RelayLimitEvent, type RelayLimitListener } from './limits';
import type { PinAuthority } from './pin-authority';

const HEX64 = /^0x[0-9a-f]{64}$/;
/** Bytes charged per block on top of its size, so a DAG of tiny blocks is not free. */
const BLOCK_OVERHEAD = 256;
/**
 * Blocks fetched at once while walking a DAG. Measured: 16 wants of 256 KiB leaves (4 MiB, a whole bitswap message)
 * stalled an 8 MiB granule until the timeout; 4 to 12 fetched it in 1.6–2.6 s.
 */
const WALK_CONCURRENCY = 4;

export interface PinningOptions {
  /** The chain (GranuleRegistry and its Consortium). Without one, only `records` can vouch for anything. */
  authority?: PinAuthority;
  /** Granules and members vouched for in process by the operator, consulted before the chain. */
  records?: PinAuthority;
  /** What a member may pin besides registered granules: total bytes and number of roots (default 64 MiB, 32). */
  memberQuota?: { bytes: number; count: number };
  /** Largest registered granule kept, manifest and shards together (default 512 MiB). */
  maxGranuleBytes?: number;
  /** Largest manifest block kept (default 64 KiB). */
  maxManifestBytes?: number;
  /** Pin requests worked on at once; more are refused for now (default 4). */
  maxConcurrent?: number;
  /** How long one request may take to fetch its blocks (default 120 s). */
  timeoutMs?: number;
  onLimit?: RelayLimitListener;
  log?: (line: string) => void;
  onPinned?: (cids: string[]) => void;
  /**
   * Removes a block from the node's own store. Helia's blockstore.delete first cancels re-providing through the
   * content routers and fails on a node that has none (the relay), so the relay passes its disk store's delete.
   */
  deleteBlock?: (cid: CID) => Promise<void> | void;
}

export const DEFAULT_PINNING = {
  memberQuota: { bytes: 64 * 1024 * 1024, count: 32 },
  maxGranuleBytes: 512 * 1024 * 1024,
  maxManifestBytes: 64 * 1024,
  maxConcurrent: 4,
  timeoutMs: 120_000,
} as const;

/** The text a member's wallet signs (EIP-191) to pin `cids` on `relay`; bound to the requesting peer. */
export function pinRequestMessage(p: { relay: string; requester: string; cids: string[] }): string {
  return `twingrain pin request\nrelay: ${p.relay}\nrequester: ${p.requester}\ncids: ${p.cids.join(',')}`;
}

interface MemberUsage {
  count: number;
  bytes: number;
  roots: string[];
}
const usageKey = (account: string): Key => new Key(`/twingrain/pin-quota/${account.toLowerCase()}`);

/**
 * The pinning service's core, shared by the libp2p protocol (servePinning) and the IPFS Pinning Service API
 * (relay/pinning-api.ts): every check, quota and clean-up lives here once.
 */
export interface PinService {
  /** Keeps a registered granule (the manifest the chain records for α, and its shards); no quota. */
  pinRegistered(r: { alpha: unknown; manifestCid: unknown }, signal: AbortSignal): Promise<{ pinned: string[] }>;
  /**
   * Keeps `cid` as part of registered granule α: the manifest the chain records, or one of the shards it names (a
   * client of the standard API pins each root on its own).
   */
  pinGranulePart(alpha: string, cid: CID, signal: AbortSignal): Promise<{ pinned: string[] }>;
  /** Keeps a member's own content within its quota; `account` is already authenticated (signature or token). */
  pinMemberContent(account: Address, cids: CID[], signal: AbortSignal): Promise<{ pinned: string[] }>;
  /** Gives a member's root back: unpinned (unless a granule or another member keeps it) and its quota refunded. */
  unpinMemberContent(account: Address, cid: CID): Promise<void>;
  /** Whether the account is an enrolled member (asks the chain, then the operator's records). */
  isMember(account: Address): Promise<boolean>;
}

/** A member's pin request over libp2p: CIDs, account, and its signature bound to this relay and the requesting peer. */
type MemberPinRequest = (r: { cids: unknown; member: unknown }, requester: string, signal: AbortSignal) => Promise<{ pinned: string[] }>;

export function createPinService(helia: Helia & { libp2p: Libp2p }, options: PinningOptions = {}): PinService & { pinForMember: MemberPinRequest } {
  const quota = options.memberQuota ?? DEFAULT_PINNING.memberQuota;
  const maxGranule = options.maxGranuleBytes ?? DEFAULT_PINNING.maxGranuleBytes;
  const maxManifest = options.maxManifestBytes ?? DEFAULT_PINNING.maxManifestBytes;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PINNING.timeoutMs;
  const authorities = [options.records, options.authority].filter((a): a is PinAuthority => a !== undefined);
  const self = helia.libp2p.peerId.toString();
  const deleteBlock = options.deleteBlock ?? ((cid: CID) => helia.blockstore.delete(cid));
  /** Takes back a block a refused request brought in (never one that something pinned meanwhile). */
  const drop = async (cid: CID): Promise<void> => {
    if (await helia.pins.isPinned(cid).catch(() => true)) return;
    await Promise.resolve()
      .then(() => deleteBlock(cid))
      .catch(() => undefined);
  };
  const memberLocks = new Map<string, Promise<unknown>>();

  const refuse = (code: RelayLimitCode, message: string): RelayLimitError => new RelayLimitError(code, message);
  const noChain = options.authority ? '' : ' (this relay has no chain configured, so it can check nothing)';

  /** Asks each authority in turn; a chain that cannot be read refuses rather than guesses. */
  async function ask<T>(question: (a: PinAuthority) => Promise<T | undefined | false>): Promise<T | undefined | false> {
    let answer: T | undefined | false;
    for (const a of authorities) {
      try {
        answer = await question(a);
      } catch (error) {
        throw refuse('PIN_NO_CHAIN', `This relay could not read the chain to check the request (${(error as Error).message.split('\n')[0]}). Try again later.`);
      }
      if (answer) return answer;
    }
    return answer;
  }

  /**
   * Fetches every block of the DAGs under `roots` (raw and dag-pb only), charging size + overhead against `budget`.
   * On any failure the blocks it brought in are deleted again, unless something pinned them meanwhile.
   */
  async function fetchDags(roots: CID[], budget: number, over: () => RelayLimitError, signal: AbortSignal): Promise<number> {
    // Every block this walk asked for and whether the store had it before: what a refusal must take back.
    const asked = new Map<string, { cid: CID; had: boolean }>();
    const stop = new AbortController();
    const both = AbortSignal.any([signal, stop.signal]);
    let bytes = 0;
    let frontier = roots;
    try {
      while (frontier.length > 0) {
        const next: CID[] = [];
        for (let i = 0; i < frontier.length; i += WALK_CONCURRENCY) {
          const wave = await Promise.allSettled(
            frontier.slice(i, i + WALK_CONCURRENCY).map(async (cid) => {
              const key = cid.toString();
              if (asked.has(key)) return;
              if (cid.code !== raw.code && cid.code !== dagPb.code)
                throw refuse('PIN_MALFORMED', `${key} is neither a raw nor a dag-pb block: this relay pins only granule shards and manifests.`);
              const entry = { cid, had: true };
              asked.set(key, entry);
              entry.had = await helia.blockstore.has(cid);
              const block = await readBlock(helia, cid, { signal: both });
              bytes += block.length + BLOCK_OVERHEAD;
              if (bytes > budget) throw over();
              if (cid.code === dagPb.code) for (const link of dagPb.decode(block).Links) next.push(link.Hash);
            }),
          );
          const failed = wave.find((r): r is PromiseRejectedResult => r.status === 'rejected');
          if (failed) throw failed.reason;
          // A refusal aborts the wave's other fetches (below) only after all of them settled: none writes afterwards.
        }
        frontier = next;
      }
      return bytes;
    } catch (error) {
      stop.abort();
      for (const { cid, had } of asked.values()) {
        if (had) continue;
        if (await helia.blockstore.has(cid)) await drop(cid);
      }
      if (error instanceof RelayLimitError) throw error;
      throw refuse(
        'PIN_FETCH_FAILED',
        `This relay could not fetch every block within ${Math.round(timeoutMs / 1000)} s (${(error as Error).message.split('\n')[0]}). Keep your app open and connected so the relay can fetch from you, then ask again.`,
      );
    }
  }

  async function pinAll(cids: CID[], metadata: Record<string, string>, signal: AbortSignal): Promise<void> {
    for (const cid of cids) {
      if (await helia.pins.isPinned(cid)) continue;
      for await (const _ of helia.pins.add(cid, { signal, metadata })) void _;
    }
  }

  async function pinRegistered(r: { alpha: unknown; manifestCid: unknown }, signal: AbortSignal): Promise<{ pinned: string[] }> {
    const request = readRegisteredPin(r);
    if (!request) {
      throw refuse(
        'PIN_MALFORMED',
        typeof r.alpha !== 'string' || !HEX64.test(r.alpha)
          ? 'A pin request names α as 0x followed by 64 lowercase hex digits.'
          : 'A pin request names the manifest CID the chain records for α.',
      );
    }
    let cid: CID;
    try {
      cid = CID.parse(request.manifestCid);
    } catch {
      throw refuse('PIN_MALFORMED', 'A pin request names the manifest CID the chain records for α.');
    }
    const alpha = request.alpha;
    const recorded = await ask<CID>((a) => a.manifestOf(BigInt(alpha)));
    if (!recorded) {
      throw refuse(
        'PIN_NOT_RECORDED',
        `Granule ${alpha.slice(0, 12)}… is not registered on chain${noChain}: a relay pins a granule only once its registration is mined. Register it, wait for the transaction, then ask again.`,
      );
    }
    if (recorded.toString() !== cid.toString()) {
      throw refuse(
        'PIN_NOT_RECORDED',
        `The chain records another manifest for granule ${alpha.slice(0, 12)}… than ${cid.toString()}: this relay pins only the manifest the registry records.`,
      );
    }
    const manifestHad = await helia.blockstore.has(cid);
    const bytes = await readBlock(helia, cid, { signal }).catch((error: unknown) => {
      throw refuse(
        'PIN_FETCH_FAILED',
        `This relay could not fetch manifest ${cid.toString()} (${(error as Error).message.split('\n')[0]}). Keep your app open and connected so the relay can fetch from you, then ask again.`,
      );
    });
    const dropManifest = async (): Promise<void> => {
      if (!manifestHad) await drop(cid);
    };
    if (bytes.length > maxManifest) {
      await dropManifest();
      throw refuse('PIN_TOO_LARGE', `Manifest ${cid.toString()} is ${bytes.length} bytes; this relay keeps manifests of at most ${maxManifest} bytes.`);
    }
    let shards: CID[];
    try {
      shards = decodePublicManifest(bytes, cid, alpha).shards.map((s) => CID.parse(s.cid));
    } catch (error) {
      await dropManifest();
      throw refuse('PIN_MALFORMED', `The manifest the chain records for ${alpha.slice(0, 12)}… is not one this relay can pin: ${(error as Error).message}`);
    }
    try {
      await fetchDags(
        shards,
        maxGranule - bytes.length,
        () => refuse('PIN_TOO_LARGE', `Granule ${alpha.slice(0, 12)}… is larger than the ${maxGranule} bytes this relay keeps per granule.`),
        signal,
      );
      await pinAll([cid, ...shards], { alpha }, signal);
    } catch (error) {
      await dropManifest();
      throw error;
    }
    return { pinned: [cid, ...shards].map((c) => c.toString()) };
  }

  /** The member's bytes per root, so that giving a root back refunds exactly what it cost. */
  interface Usage extends MemberUsage {
    rootBytes?: Record<string, number>;
  }
  const readUsage = async (account: string): Promise<Usage> => {
    try {
      return JSON.parse(new TextDecoder().decode(await helia.datastore.get(usageKey(account)))) as Usage;
    } catch {
      return { count: 0, bytes: 0, roots: [] }; // first pin of this member
    }
  };
  /** One quota change per member at a time, so two requests cannot both pass the quota check. */
  async function underMemberLock<T>(account: string, work: () => Promise<T>): Promise<T> {
    const previous = memberLocks.get(account) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(work);
    memberLocks.set(account, run);
    try {
      return await run;
    } finally {
      if (memberLocks.get(account) === run) memberLocks.delete(account);
    }
  }

  async function pinMemberContent(member: Address, cids: CID[], signal: AbortSignal): Promise<{ pinned: string[] }> {
    const account = member.toLowerCase() as Address;
    if (!(await ask((a) => a.isMember(account)))) {
      throw refuse(
        'PIN_NOT_A_MEMBER',
        `${account} is not a member of the Consortium${noChain}: only members may pin content that is not a registered granule.`,
      );
    }
    return underMemberLock(account, async () => {
      const usage = await readUsage(account);
      const fresh = cids.filter((c, i) => !usage.roots.includes(c.toString()) && cids.findIndex((d) => d.equals(c)) === i);
      if (fresh.length === 0) return { pinned: cids.map(String) };
      if (usage.count + fresh.length > quota.count) {
        throw refuse(
          'PIN_MEMBER_QUOTA',
          `A member may pin ${quota.count} roots on this relay besides registered granules; ${account} has ${usage.count} and asks for ${fresh.length} more. Register the granule on chain to have it pinned without a quota.`,
        );
      }
      const bytes = await fetchDags(
        fresh,
        quota.bytes - usage.bytes,
        () =>
          refuse(
            'PIN_MEMBER_QUOTA',
            `A member may pin ${quota.bytes} bytes on this relay besides registered granules; this request would take ${account} past it (${usage.bytes} used).`,
          ),
        signal,
      );
      await pinAll(fresh, { member: account }, signal);
      // Bytes are charged to the request; spread over its roots so a root given back refunds its share.
      const each = Math.ceil(bytes / fresh.length);
      const next: Usage = {
        count: usage.count + fresh.length,
        bytes: usage.bytes + bytes,
        roots: [...usage.roots, ...fresh.map(String)],
        rootBytes: { ...usage.rootBytes, ...Object.fromEntries(fresh.map((c) => [c.toString(), each])) },
      };
      await helia.datastore.put(usageKey(account), new TextEncoder().encode(JSON.stringify(next)));
      return { pinned: cids.map(String) };
    });
  }

  async function unpinMemberContent(member: Address, cid: CID): Promise<void> {
    const account = member.toLowerCase();
    await underMemberLock(account, async () => {
      const usage = await readUsage(account);
      const key = cid.toString();
      if (!usage.roots.includes(key)) return;
      const refund = usage.rootBytes?.[key] ?? 0;
      const rootBytes = { ...usage.rootBytes };
      delete rootBytes[key];
      const next: Usage = {
        count: Math.max(0, usage.count - 1),
        bytes: Math.max(0, usage.bytes - refund),
        roots: usage.roots.filter((r) => r !== key),
        rootBytes,
      };
      await helia.datastore.put(usageKey(account), new TextEncoder().encode(JSON.stringify(next)));
      // A root a registered granule or another member also keeps stays pinned.
      const pin = await helia.pins.get(cid).catch(() => undefined);
      if (pin && pin.metadata['member'] === account) {
        for await (const _ of helia.pins.rm(cid)) void _;
      }
    });
  }

  async function pinGranulePart(alpha: string, cid: CID, signal: AbortSignal): Promise<{ pinned: string[] }> {
    if (!HEX64.test(alpha)) throw refuse('PIN_MALFORMED', 'A granule is named by its α: 0x followed by 64 lowercase hex digits.');
    const recorded = await ask<CID>((a) => a.manifestOf(BigInt(alpha)));
    if (!recorded) {
      throw refuse(
        'PIN_NOT_RECORDED',
        `Granule ${alpha.slice(0, 12)}… is not registered on chain${noChain}: a relay pins a granule only once its registration is mined. Register it, wait for the transaction, then ask again.`,
      );
    }
    const result = await pinRegistered({ alpha, manifestCid: recorded.toString() }, signal);
    if (!result.pinned.includes(cid.toString())) {
      throw refuse(
        'PIN_NOT_RECORDED',
        `${cid.toString()} is neither the manifest the chain records for granule ${alpha.slice(0, 12)}… nor one of its shards: this relay keeps only what the registry records.`,
      );
    }
    return result;
  }

  async function pinForMember(r: { cids: unknown; member: unknown }, requester: string, signal: AbortSignal): Promise<{ pinned: string[] }> {
    const request = readMemberPin(r);
    if (request === 'cids') throw refuse('PIN_MALFORMED', `A member's pin request lists 1 to ${MAX_PIN_CIDS} CIDs.`);
    let cids: CID[];
    try {
      cids = (Array.isArray(r.cids) ? (r.cids as string[]) : []).map((c) => CID.parse(c));
    } catch {
      throw refuse('PIN_MALFORMED', 'A pin request contains something that is not a CID.');
    }
    if (request === 'member') throw refuse('PIN_MALFORMED', "A member's pin request carries the member's account and its signature of the request.");
    const m = request.member;
    const account = m.account.toLowerCase() as Address;
    const message = pinRequestMessage({ relay: self, requester, cids: cids.map(String) });
    const valid = await verifyMessage({ address: account, message, signature: m.signature as Hex }).catch(() => false);
    if (!valid)
      throw refuse(
        'PIN_BAD_SIGNATURE',
        "The signature on this pin request is not the account's signature of it for this relay and this peer: sign the request again with the wallet the Consortium knows.",
      );
    return pinMemberContent(account, cids, signal);
  }

  return {
    pinRegistered,
    pinGranulePart,
    pinMemberContent,
    unpinMemberContent,
    pinForMember,
    isMember: async (account) => Boolean(await ask((a) => a.isMember(account.toLowerCase() as Address))),
  };
}

export async function servePinning(
  helia: Helia & { libp2p: Libp2p },
  options: PinningOptions = {},
  core: ReturnType<typeof createPinService> = createPinService(helia, options),
): Promise<{ stop(): Promise<void> }> {
  const { pinRegistered, pinForMember } = core;
  const maxConcurrent = options.maxConcurrent ?? DEFAULT_PINNING.maxConcurrent;
  const timeoutMs = options.timeoutMs ?? DEFAULT_PINNING.timeoutMs;
  const log = throttledLog(options.log ?? ((line) => console.warn(line)));
  const refuse = (code: RelayLimitCode, message: string): RelayLimitError => new RelayLimitError(code, message);
  let active = 0;
  const working = new Set<string>();
  await handleJson(helia.libp2p, PIN_PROTOCOL, async (request, remotePeer) => {
    try {
      // One request per peer at a time, and a few in all: a request for blocks nobody serves holds its slot until
      // the timeout, so it must not be able to hold them all.
      if (working.has(remotePeer)) throw refuse('PIN_BUSY', 'This relay is still working on your previous pin request; wait for its answer, then ask again.');
      if (active >= maxConcurrent) throw refuse('PIN_BUSY', `This relay is already working on ${maxConcurrent} pin requests; ask again in a minute.`);
      active += 1;
      working.add(remotePeer);
      try {
        const signal = AbortSignal.timeout(timeoutMs);
        const r = (request ?? {}) as { alpha?: unknown; manifestCid?: unknown; cids?: unknown; member?: unknown };
        let result: { pinned: string[] };
        if (r.alpha !== undefined) result = await pinRegistered({ alpha: r.alpha, manifestCid: r.manifestCid }, signal);
        else if (r.member !== undefined) result = await pinForMember({ cids: r.cids, member: r.member }, remotePeer, signal);
        else {
          throw refuse(
            'PIN_NOT_RECORDED',
            "This relay pins only what the chain records: name a granule's α and the manifest CID its registration recorded (once it is mined). A Consortium member may pin other content within a quota by signing the request.",
          );
        }
        options.onPinned?.(result.pinned);
        return result;
      } finally {
        active -= 1;
        working.delete(remotePeer);
      }
    } catch (error) {
      if (!(error instanceof RelayLimitError)) throw error;
      const event: RelayLimitEvent = { service: 'pin', code: error.code, peer: remotePeer, message: error.message, at: Date.now() };
      log(event);
      options.onLimit?.(event);
      return refusal(error);
    }
  });
  return { stop: () => helia.libp2p.unhandle(PIN_PROTOCOL) };
}

/** A member's wallet, as far as pinning needs it (a viem LocalAccount fits). */
export interface PinMember {
  address: Address;
  signMessage(p: { message: string }): Promise<Hex>;
}

/** A registered granule (α and the manifest CID its registration recorded), or a member's own content. */
export type PinRequest = { alpha: string; manifestCid: CID } | { cids: CID[]; member: PinMember };

export interface PinOnRelaysReturnType {
  /** Peer ids of the relays that pinned. */
  pinnedBy: string[];
  /** Every failure as a sentence (refusals included). */
  errors: string[];
  /** The refusals, with their codes. */
  refusals: RelayLimitError[];
}

/** Asks every reachable pinning node to keep a registered granule or a member's content. */
export async function pinOnRelays(libp2p: Libp2p, request: PinRequest, options: { signal?: AbortSignal } = {}): Promise<PinOnRelaysReturnType> {
  const peers = await peersWithProtocol(libp2p, PIN_PROTOCOL);
  const out: PinOnRelaysReturnType = { pinnedBy: [], errors: [], refusals: [] };
  const me = libp2p.peerId.toString();
  await Promise.all(
    peers.map(async (peer) => {
      try {
        let body: unknown;
        if ('alpha' in request) body = { alpha: request.alpha.toLowerCase(), manifestCid: request.manifestCid.toString() };
        else {
          const cids = request.cids.map(String);
          const signature = await request.member.signMessage({ message: pinRequestMessage({ relay: peer.toString(), requester: me, cids }) });
          body = { cids, member: { account: request.member.address, signature } };
        }
        const response = await requestJson<unknown>(libp2p, peer, PIN_PROTOCOL, body, { signal: options.signal ?? AbortSignal.timeout(180_000) });
        const refused = refusalOf(response, peer.toString());
        if (refused) {
          out.refusals.push(refused);
          out.errors.push(refused.message);
        } else if (isPinnedAnswer(response)) out.pinnedBy.push(peer.toString());
        else
          out.errors.push(
            `The pinning node ${peer.toString().slice(0, 16)}… answered with something that is not a pin answer: it is not counted as holding the granule.`,
          );
      } catch (error) {
        out.errors.push((error as Error).message);
      }
    }),
  );
  return out;
}
