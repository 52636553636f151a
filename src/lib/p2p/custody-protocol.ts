// Custody over libp2p, bound to the chain. The owner hands each custodian the public manifest (which carries every
// custodian's sealed share) with an EIP-712 signature; a custodian keeps it only when its registry records α with
// that manifest's CID and the signer is the account the Consortium binds to α's owner key. A user asks every
// custodian it can reach for its share; a custodian releases only when the registry, at head − confirmations,
// records the user's instantiation of α with the X25519 key asked for — waiting briefly for it, so a request sent
// with the transaction is answered as soon as the block has its confirmations.
import type { Helia } from '@helia/interface';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { Key } from 'interface-datastore';
import { CID } from 'multiformats/cid';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { Hex } from 'viem';
import {
  openCustodianShare,
  releaseShare,
  openReleasedShare,
  combineGranuleKey,
  recoverCustodyDepositSigner,
  chainUnavailable,
  RateWindow,
  DepositRefusedError,
  KeyShareError,
  WaitingForKeyHoldersError,
  type CustodyChainView,
  type DepositRefusalCode,
  type ReleaseRefusalCode,
  type GranuleKeyShare,
} from '../custody';
import { CUSTODY_DEPOSIT_PROTOCOL, KEY_RELEASE_PROTOCOL } from './protocols';
import { handleJson, requestJson, toBase64, fromBase64 } from './rpc';
import { cidToChainBytes, decodePublicManifest, publicManifestCid, type PublicManifest } from './public-manifest';
import { readBlock } from './blocks';
import { readDepositRequest, readDepositResponse, readReleaseRequest, readReleaseResponse, type DepositResponse, type ReleaseResponse } from './wire';

const custodyKey = (alpha: string): Key => new Key(`/twingrain/custody/${alpha}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface CustodianCaps {
  /** Deposit requests one peer may make per window, whatever their outcome (default 60). */
  depositsPerPeer?: number;
  /** Deposits of one α that may wait at once for its registration to settle (default 8). */
  depositsPerAlpha?: number;
  /** The window of depositsPerPeer (default one hour). */
  windowMs?: number;
  /** Largest manifest accepted, bytes (default 1 MiB; a manifest with 255 shards is under 64 KiB). */
  manifestBytes?: number;
  /** Release requests of one peer that may wait at once for an instantiation to settle (default 8). */
  releasesWaitingPerPeer?: number;
}

export const DEFAULT_CUSTODIAN_CAPS: Required<CustodianCaps> = {
  depositsPerPeer: 60,
  depositsPerAlpha: 8,
  windowMs: 60 * 60_000,
  manifestBytes: 1024 * 1024,
  releasesWaitingPerPeer: 8,
};

export interface CustodianServiceOptions {
  helia: Helia & { libp2p: Libp2p };
  secretKey: Uint8Array;
  /** The registry this custodian serves, read at head − confirmations. */
  chain: CustodyChainView;
  /** How long a deposit waits for its registration, and a release for its instantiation, to settle (ms). */
  waitMs?: number;
  /** How often the chain is read again while waiting; also how long one α's lookup is shared (ms, default 250). */
  pollMs?: number;
  caps?: CustodianCaps;
  onEvent?: (event: { type: 'deposit' | 'release' | 'refuse-deposit' | 'refuse-release'; alpha?: string; user?: string; code?: string; peer?: string }) => void;
}

export type { DepositResponse, ReleaseResponse } from './wire';

interface ReleaseLookup {
  instantiation: { x25519PublicKey: string } | null;
  manifestCid: string | null;
  /** The licence at the same settled block: revoked, expired or lapsed licences release nothing. */
  licence: { inForce: boolean; reason: string } | null;
}

interface Lookup {
  at: number;
  block: bigint;
  registered: { manifestCid: string; ownerAccount: string | null } | null;
}

export async function serveCustodian(o: CustodianServiceOptions): Promise<{ publicKeyHex: string; stop(): Promise<void> }> {
  const publicKeyHex = bytesToHex(x25519.getPublicKey(o.secretKey));
  const { helia, chain } = o;
  const caps = { ...DEFAULT_CUSTODIAN_CAPS, ...o.caps };
  const waitMs = o.waitMs ?? 15_000;
  const pollMs = o.pollMs ?? 250;
  const perPeer = new RateWindow(caps.depositsPerPeer, caps.windowMs);
  const waiting = new Map<string, number>();
  // One chain lookup per α per pollMs however many requests name it: a flood costs the chain nothing more.
  const lookups = new Map<string, Promise<Lookup>>();
  const releaseLookups = new Map<string, Promise<ReleaseLookup>>();
  const releasesWaiting = new Map<string, number>();

  // Shared like deposit lookups: many requests for one (α, Pk_U) read the chain once per pollMs.
  const releaseLookup = (alpha: string, userPk: bigint): Promise<ReleaseLookup> => {
    const key = `${alpha}/${userPk}`;
    const cached = releaseLookups.get(key);
    if (cached) return cached;
    const fresh = (async (): Promise<ReleaseLookup> => {
      const block = await chain.settledBlock();
      const instantiation = await chain.readInstantiation(BigInt(alpha), userPk, block);
      const [registered, licence] = instantiation
        ? await Promise.all([chain.readRegisteredManifest(BigInt(alpha), block), chain.readLicence(BigInt(alpha), userPk, block)])
        : [null, null];
      return { instantiation, manifestCid: registered?.manifestCid ?? null, licence };
    })();
    releaseLookups.set(key, fresh);
    fresh.then(
      () => setTimeout(() => releaseLookups.get(key) === fresh && releaseLookups.delete(key), pollMs),
      () => releaseLookups.delete(key),
    );
    return fresh;
  };

  const lookup = (alpha: string): Promise<Lookup> => {
    const cached = lookups.get(alpha);
    if (cached) return cached;
    const fresh = (async (): Promise<Lookup> => {
      const block = await chain.settledBlock();
      const registered = await chain.readRegisteredManifest(BigInt(alpha), block);
      const ownerAccount = registered ? await chain.readOwnerAccount(registered.ownerPk, block) : null;
      return {
        at: Date.now(),
        block,
        registered: registered ? { manifestCid: registered.manifestCid, ownerAccount: ownerAccount?.toLowerCase() ?? null } : null,
      };
    })();
    lookups.set(alpha, fresh);
    const forget = (): void => {
      setTimeout(() => lookups.get(alpha) === fresh && lookups.delete(alpha), pollMs);
    };
    fresh.then(forget, () => lookups.delete(alpha));
    return fresh;
  };

  const refuseDeposit = (code: DepositRefusalCode, reason: string, peer: string, alpha?: string): DepositResponse => {
    o.onEvent?.({ type: 'refuse-deposit', code, peer, ...(alpha ? { alpha } : {}) });
    return { status: 'refused', code, reason, custodian: publicKeyHex };
  };

  const heldCid = async (alpha: string): Promise<string | null> => {
    try {
      return new TextDecoder().decode(await helia.datastore.get(custodyKey(alpha)));
    } catch {
      return null; // nothing deposited for this α
    }
  };

  await handleJson(helia.libp2p, CUSTODY_DEPOSIT_PROTOCOL, async (request, peer): Promise<DepositResponse> => {
    if (perPeer.full(peer)) {
      const minutes = Math.max(1, Math.ceil((perPeer.retryAt(peer) - Date.now()) / 60_000));
      return refuseDeposit(
        'peer-cap',
        `This custodian takes at most ${caps.depositsPerPeer} deposits per peer in ${Math.round(caps.windowMs / 60_000)} minutes, and this peer has made them. Nothing was stored; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
        peer,
      );
    }
    perPeer.add(peer);
    const r = readDepositRequest(request);
    if (!r) {
      return refuseDeposit(
        'malformed',
        "A deposit carries the public manifest (base64) and the owner's EIP-712 signature: update twingrain and publish again.",
        peer,
      );
    }
    if (r.manifest.length > Math.ceil(caps.manifestBytes / 3) * 4) {
      return refuseDeposit('too-large', `The manifest is larger than the ${caps.manifestBytes} bytes this custodian accepts. Nothing was stored.`, peer);
    }
    let manifest: PublicManifest;
    let cid: CID;
    let bytes: Uint8Array;
    try {
      bytes = fromBase64(r.manifest);
      cid = publicManifestCid(bytes);
      manifest = decodePublicManifest(bytes, cid);
    } catch (error) {
      return refuseDeposit('malformed', `The deposited manifest is not usable: ${(error as Error).message}`, peer);
    }
    const alpha = manifest.alpha;
    const mine = manifest.custody.shares.find((s) => s.custodian === publicKeyHex);
    let share: GranuleKeyShare;
    try {
      if (!mine) throw new Error('no share');
      share = openCustodianShare(fromBase64(mine.envelope), o.secretKey, alpha);
    } catch {
      return refuseDeposit(
        'not-listed',
        `This custodian (key ${publicKeyHex.slice(0, 12)}…) holds no share in this manifest of granule ${alpha.slice(0, 12)}…: the owner used another custodian list. Nothing was stored.`,
        peer,
        alpha,
      );
    }
    const manifestCid = cidToChainBytes(cid).toLowerCase();
    let signer: string;
    try {
      signer = (
        await recoverCustodyDepositSigner({ chainId: chain.chainId, registry: chain.registry, alpha, manifestCid: manifestCid as Hex, signature: r.signature })
      ).toLowerCase();
    } catch (error) {
      if (error instanceof DepositRefusedError) return refuseDeposit(error.code, error.message, peer, alpha);
      throw error;
    }
    // Decided on the chain at head − confirmations; while α is not registered there yet, wait a little for it.
    const deadline = Date.now() + waitMs;
    let slot = false;
    try {
      for (;;) {
        let found: Lookup;
        try {
          found = await lookup(alpha);
        } catch (error) {
          const e = chainUnavailable(error);
          return refuseDeposit(e.code, e.message, peer, alpha);
        }
        if (found.registered) {
          if (found.registered.manifestCid !== manifestCid) {
            return refuseDeposit(
              'manifest-mismatch',
              `The registry records another manifest for granule ${alpha.slice(0, 12)}… than the one deposited (${cid.toString().slice(0, 16)}…). Only the registered manifest's key shares are kept; nothing was stored.`,
              peer,
              alpha,
            );
          }
          if (found.registered.ownerAccount !== signer) {
            return refuseDeposit(
              'not-owner',
              `The deposit for granule ${alpha.slice(0, 12)}… is signed by ${signer}, not by the account the Consortium binds to its registered owner. Only the owner may deposit its key shares; nothing was stored.`,
              peer,
              alpha,
            );
          }
          break;
        }
        if (Date.now() >= deadline) {
          return refuseDeposit(
            'not-registered',
            `Granule ${alpha.slice(0, 12)}… is not registered on the registry ${chain.registry}${chain.confirmations > 0 ? ` with ${chain.confirmations} confirmation${chain.confirmations === 1 ? '' : 's'}` : ''}. Key shares are accepted only after the registration is on chain; nothing was stored. Register first, then deposit again.`,
            peer,
            alpha,
          );
        }
        if (!slot) {
          if ((waiting.get(alpha) ?? 0) >= caps.depositsPerAlpha) {
            return refuseDeposit(
              'alpha-cap',
              `${caps.depositsPerAlpha} deposits of granule ${alpha.slice(0, 12)}… are already waiting for its registration. Nothing was stored; deposit again once the registration is on chain.`,
              peer,
              alpha,
            );
          }
          waiting.set(alpha, (waiting.get(alpha) ?? 0) + 1);
          slot = true;
        }
        await sleep(pollMs);
      }
    } finally {
      if (slot) {
        const left = (waiting.get(alpha) ?? 1) - 1;
        if (left > 0) waiting.set(alpha, left);
        else waiting.delete(alpha);
      }
    }
    // The registered manifest, signed by its owner: keep it (again, if it is a repeat — deposits are idempotent).
    if ((await heldCid(alpha)) !== cid.toString()) {
      await helia.blockstore.put(cid, bytes);
      // Drain the generator: an unfinished pins.add holds Helia's pin lock and stalls every later pin.
      if (!(await helia.pins.isPinned(cid))) {
        try {
          for await (const _ of helia.pins.add(cid, { depth: 0 })) void _;
        } catch {
          // pinned concurrently by a pin request: fine
        }
      }
      await helia.datastore.put(custodyKey(alpha), new TextEncoder().encode(cid.toString()));
    }
    o.onEvent?.({ type: 'deposit', alpha, peer });
    return { status: 'accepted', alpha, custodian: publicKeyHex, x: share.x, manifestCid: cid.toString() };
  });

  await handleJson(helia.libp2p, KEY_RELEASE_PROTOCOL, async (request, peer): Promise<ReleaseResponse> => {
    const r = readReleaseRequest(request);
    const refuse = (code: ReleaseRefusalCode, reason: string, alpha?: string, user?: string): ReleaseResponse => {
      o.onEvent?.({ type: 'refuse-release', code, ...(alpha ? { alpha } : {}), ...(user ? { user } : {}) });
      return { status: 'refused', code, reason, custodian: publicKeyHex };
    };
    if (!r) {
      return refuse(
        'malformed',
        "A key release request names α (0x + 64 hex), the user's public key Pk_U (decimal) and its X25519 key (64 hex): update twingrain.",
      );
    }
    const { alpha, user } = r;
    const userPk = BigInt(r.userPk);
    const held = await heldCid(alpha);
    if (held === null)
      return refuse('unknown-granule', `This custodian holds no key share of granule ${alpha.slice(0, 12)}…: its owner has not deposited here.`, alpha, user);
    const heldChainBytes = cidToChainBytes(CID.parse(held)).toLowerCase();
    if ((releasesWaiting.get(peer) ?? 0) >= caps.releasesWaitingPerPeer) {
      return refuse(
        'peer-cap',
        `This peer already has ${caps.releasesWaitingPerPeer} key requests waiting at this custodian: ask again when they are answered.`,
        alpha,
        user,
      );
    }
    releasesWaiting.set(peer, (releasesWaiting.get(peer) ?? 0) + 1);
    try {
      const deadline = Date.now() + waitMs;
      for (;;) {
        try {
          const { instantiation, manifestCid, licence } = await releaseLookup(alpha, userPk);
          if (instantiation) {
            if (!licence?.inForce) {
              return refuse(
                'licence-ended',
                `This user ${licence?.reason ?? 'holds no licence in force'} for granule ${alpha.slice(0, 12)}…${chain.confirmations > 0 ? ` (registry state ${chain.confirmations} block${chain.confirmations === 1 ? '' : 's'} deep)` : ''}: no key share is released.`,
                alpha,
                user,
              );
            }
            if (instantiation.x25519PublicKey !== user) {
              return refuse(
                'wrong-key',
                `The registry records another X25519 key for this user's instantiation of granule ${alpha.slice(0, 12)}…: shares are sealed only to the key recorded on chain.`,
                alpha,
                user,
              );
            }
            if (manifestCid !== heldChainBytes) {
              return refuse(
                'manifest-mismatch',
                `The key share held for granule ${alpha.slice(0, 12)}… is not for the manifest the registry records: nothing is released.`,
                alpha,
                user,
              );
            }
            break;
          }
        } catch (error) {
          if (Date.now() >= deadline)
            return refuse(
              'chain-unavailable',
              `This custodian cannot read the chain right now (${(error as Error).message.split('\n')[0]}). Ask again in a minute.`,
              alpha,
              user,
            );
        }
        if (Date.now() >= deadline) {
          return refuse(
            'not-instantiated',
            `The registry ${chain.registry} shows no instantiation of granule ${alpha.slice(0, 12)}… by this user${chain.confirmations > 0 ? ` with ${chain.confirmations} confirmation${chain.confirmations === 1 ? '' : 's'}` : ''} yet. Instantiate first; the key is released once the transaction is on chain.`,
            alpha,
            user,
          );
        }
        await sleep(pollMs);
      }
    } finally {
      const left = (releasesWaiting.get(peer) ?? 1) - 1;
      if (left > 0) releasesWaiting.set(peer, left);
      else releasesWaiting.delete(peer);
    }
    const manifest = decodePublicManifest(await readBlock(helia, CID.parse(held)));
    const mine = manifest.custody.shares.find((s) => s.custodian === publicKeyHex)!;
    const share = openCustodianShare(fromBase64(mine.envelope), o.secretKey, alpha);
    o.onEvent?.({ type: 'release', alpha, user });
    return { status: 'released', custodian: publicKeyHex, envelope: toBase64(releaseShare(share, hexToBytes(user))) };
  });

  return {
    publicKeyHex,
    async stop() {
      await helia.libp2p.unhandle([CUSTODY_DEPOSIT_PROTOCOL, KEY_RELEASE_PROTOCOL]);
    },
  };
}

/** Connected peers that announced `protocol` through identify. */
export async function peersWithProtocol(libp2p: Libp2p, protocol: string): Promise<PeerId[]> {
  const out: PeerId[] = [];
  const seen = new Set<string>();
  for (const c of libp2p.getConnections()) {
    const id = c.remotePeer.toString();
    if (seen.has(id)) continue;
    seen.add(id);
    try {
      const peer = await libp2p.peerStore.get(c.remotePeer);
      if (peer.protocols.includes(protocol)) out.push(c.remotePeer);
    } catch {
      // not identified yet
    }
  }
  return out;
}

export interface DepositRefusal {
  /** The custodian's X25519 key (hex) when it answered, else the peer id. */
  custodian: string;
  code: DepositRefusalCode | 'unreachable';
  reason: string;
}

export interface DepositWithCustodiansReturnType {
  /** X25519 keys (hex) of the custodians that accepted their share. */
  custodians: string[];
  refusals: DepositRefusal[];
  /** The refusals as sentences (what older callers print). */
  errors: string[];
}

/** Refusals that may turn into acceptance by waiting: the registration is not settled yet, or the custodian is busy. */
const TRANSIENT: ReadonlySet<DepositRefusal['code']> = new Set(['not-registered', 'alpha-cap', 'chain-unavailable', 'unreachable']);

/**
 * Hands the manifest and the owner's deposit signature (signCustodyDeposit) to every reachable custodian. Deposit
 * only after the registration is mined: a custodian refuses an α that its registry does not record at head −
 * confirmations. With `retryMs`, custodians that refused for a reason that time can change (registration not yet
 * under enough blocks, custodian busy or unreachable) are asked again every 2 s until then.
 */
export async function depositWithCustodians(
  libp2p: Libp2p,
  manifestBytes: Uint8Array,
  options: { signature?: string; signal?: AbortSignal; retryMs?: number } = {},
): Promise<DepositWithCustodiansReturnType> {
  const deadline = Date.now() + (options.retryMs ?? 0);
  const accepted = new Map<string, string>();
  let refusals = new Map<string, DepositRefusal>();
  for (;;) {
    const peers = (await peersWithProtocol(libp2p, CUSTODY_DEPOSIT_PROTOCOL)).filter((p) => !accepted.has(p.toString()));
    const round = new Map<string, DepositRefusal>();
    await Promise.all(
      peers.map(async (peer) => {
        try {
          const r = readDepositResponse(
            await requestJson<unknown>(
              libp2p,
              peer,
              CUSTODY_DEPOSIT_PROTOCOL,
              { manifest: toBase64(manifestBytes), signature: options.signature ?? '' },
              options.signal ? { signal: options.signal } : {},
            ),
          );
          if (r.status === 'accepted') accepted.set(peer.toString(), r.custodian);
          else round.set(peer.toString(), { custodian: r.custodian, code: r.code, reason: r.reason });
        } catch (error) {
          round.set(peer.toString(), { custodian: peer.toString(), code: 'unreachable', reason: (error as Error).message });
        }
      }),
    );
    refusals = round;
    const retry = [...round.values()].some((r) => TRANSIENT.has(r.code));
    if (!retry || Date.now() + 2_000 > deadline) break;
    options.signal?.throwIfAborted();
    await sleep(2_000);
  }
  const list = [...refusals.values()];
  return { custodians: [...accepted.values()], refusals: list, errors: list.map((r) => r.reason) };
}

export interface GatherKeyState {
  have: number;
  threshold: number;
  /** Custodians that refused so far (not instantiated yet, unknown granule, …). */
  refused: number;
}

export interface GatherGranuleKeyParameters {
  libp2p: Libp2p;
  /**
   * The public manifest whose CID the caller has checked against the chain's manifestOf(α): t and the key
   * commitment are taken from it, never from a share.
   */
  manifest: PublicManifest;
  /** Pk_U, the public key the instantiation was made with. */
  userPk: bigint | string;
  userSecretKey: Uint8Array;
  /** Give up (with WaitingForKeyHoldersError) after this long. */
  timeoutMs?: number;
  onUpdate?: (state: GatherKeyState) => void;
  signal?: AbortSignal;
}

/**
 * Collects released shares until t of them rebuild the key the manifest commits to. Custodians that are offline
 * are asked again as they appear; while fewer than t good shares have arrived the state is "waiting for N more key
 * holders" — wrong or hostile shares beside them change nothing but the wait.
 */
export async function gatherGranuleKey(p: GatherGranuleKeyParameters): Promise<Uint8Array> {
  const alpha = p.manifest.alpha;
  const user = bytesToHex(x25519.getPublicKey(p.userSecretKey));
  const userPk = typeof p.userPk === 'bigint' ? p.userPk.toString() : BigInt(p.userPk).toString();
  const terms = { alpha, threshold: p.manifest.custody.threshold, keyCommitment: p.manifest.custody.keyCommitment, shares: p.manifest.custody.shares.length };
  const threshold = terms.threshold;
  const shares = new Map<string, GranuleKeyShare>();
  const refusedBy = new Map<string, number>();
  const asking = new Set<string>();
  const deadline = Date.now() + (p.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    p.signal?.throwIfAborted();
    const peers = await peersWithProtocol(p.libp2p, KEY_RELEASE_PROTOCOL);
    await Promise.all(
      peers
        // A custodian that said "not yet" is asked again after a pause; one that gave a share is not asked again.
        .filter((peer) => !shares.has(peer.toString()) && !asking.has(peer.toString()) && Date.now() - (refusedBy.get(peer.toString()) ?? 0) > 2_000)
        .map(async (peer) => {
          asking.add(peer.toString());
          try {
            const r = readReleaseResponse(
              await requestJson<unknown>(
                p.libp2p,
                peer,
                KEY_RELEASE_PROTOCOL,
                { alpha, userPk, user },
                { signal: AbortSignal.timeout(Math.max(1_000, deadline - Date.now())) },
              ),
            );
            if (r.status === 'released') shares.set(peer.toString(), openReleasedShare(fromBase64(r.envelope), p.userSecretKey, alpha));
            else {
              refusedBy.set(peer.toString(), Date.now());
              lastError = new Error(r.reason);
            }
          } catch (error) {
            lastError = error; // an unreadable or foreign share counts for nothing
            refusedBy.set(peer.toString(), Date.now());
          } finally {
            asking.delete(peer.toString());
          }
        }),
    );
    let missing: number;
    try {
      return await combineGranuleKey([...shares.values()], terms);
    } catch (error) {
      if (error instanceof WaitingForKeyHoldersError) missing = error.missing;
      else if (error instanceof KeyShareError) {
        // t or more shares, some of them wrong: at least one more honest key holder is needed.
        lastError = error;
        missing = 1;
      } else throw error;
    }
    p.onUpdate?.({ have: shares.size, threshold, refused: refusedBy.size });
    if (Date.now() >= deadline) {
      const e = new WaitingForKeyHoldersError(missing, threshold);
      if (lastError) e.cause = lastError;
      throw e;
    }
    await sleep(500);
  }
}
