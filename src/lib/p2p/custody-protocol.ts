// Custody over libp2p. The owner hands each custodian the public manifest (which carries every custodian's sealed
// share); a user asks every custodian it can reach for its share, and a custodian answers once the chain shows this
// user's instantiation — waiting briefly for the event, so a request sent with the transaction is answered as soon
// as the block lands.
import type { Helia } from '@helia/interface';
import type { Libp2p, PeerId } from '@libp2p/interface';
import { Key } from 'interface-datastore';
import { CID } from 'multiformats/cid';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import {
  openCustodianShare, releaseShare, openReleasedShare, combineGranuleKey, InstantiationIndex,
  WaitingForKeyHoldersError, type GranuleKeyShare,
} from '../custody';
import { CUSTODY_DEPOSIT_PROTOCOL, KEY_RELEASE_PROTOCOL } from './protocols';
import { handleJson, requestJson, toBase64, fromBase64 } from './rpc';
import { decodePublicManifest, publicManifestCid, type PublicManifest } from './public-manifest';
import { P2PFormatError } from './errors';
import { readBlock } from './blocks';

const ALPHA = /^0x[0-9a-f]{64}$/;
const HEX64 = /^[0-9a-f]{64}$/;
const custodyKey = (alpha: string): Key => new Key(`/twingrain/custody/${alpha}`);

export interface CustodianServiceOptions {
  helia: Helia & { libp2p: Libp2p };
  secretKey: Uint8Array;
  index: InstantiationIndex;
  /** How long a release request waits for the instantiation event. */
  waitMs?: number;
  onEvent?: (event: { type: 'deposit' | 'release' | 'refuse'; alpha: string; user?: string }) => void;
}

export type ReleaseResponse =
  | { status: 'released'; custodian: string; envelope: string }
  | { status: 'not-instantiated' | 'unknown-granule'; custodian: string };

export async function serveCustodian(o: CustodianServiceOptions): Promise<{ publicKeyHex: string; stop(): Promise<void> }> {
  const publicKeyHex = bytesToHex(x25519.getPublicKey(o.secretKey));
  const { helia } = o;

  await handleJson(helia.libp2p, CUSTODY_DEPOSIT_PROTOCOL, async (request) => {
    const r = request as { manifest?: unknown };
    if (typeof r.manifest !== 'string') throw new P2PFormatError('A deposit carries the public manifest as base64.');
    const bytes = fromBase64(r.manifest);
    const cid = publicManifestCid(bytes);
    const manifest = decodePublicManifest(bytes, cid);
    const mine = manifest.custody.shares.find((s) => s.custodian === publicKeyHex);
    if (!mine) throw new P2PFormatError(`This custodian (key ${publicKeyHex.slice(0, 12)}…) holds no share of granule ${manifest.alpha.slice(0, 12)}…: the owner used another custodian list.`);
    const share = openCustodianShare(fromBase64(mine.envelope), o.secretKey, manifest.alpha);
    // First deposit wins: a second manifest for the same α (a re-publish with a new key, or someone else's) would
    // replace the share that the manifest already recorded on chain needs, and nobody could decrypt it any more.
    let existing: string | null = null;
    try {
      existing = new TextDecoder().decode(await helia.datastore.get(custodyKey(manifest.alpha)));
    } catch {
      existing = null; // nothing deposited for this α yet
    }
    if (existing !== null && existing !== cid.toString()) {
      throw new P2PFormatError(`This custodian already holds a key share of granule ${manifest.alpha.slice(0, 12)}… for another manifest (${existing.slice(0, 16)}…): a granule is deposited once. Register the granule that was published first, or publish changed content (it has a new α).`);
    }
    await helia.blockstore.put(cid, bytes);
    // Drain the generator: an unfinished pins.add holds Helia's pin lock and stalls every later pin.
    if (!(await helia.pins.isPinned(cid))) {
      try {
        for await (const _ of helia.pins.add(cid, { depth: 0 })) void _;
      } catch {
        // pinned concurrently by a pin request: fine
      }
    }
    await helia.datastore.put(custodyKey(manifest.alpha), new TextEncoder().encode(cid.toString()));
    o.onEvent?.({ type: 'deposit', alpha: manifest.alpha });
    return { ok: true, alpha: manifest.alpha, custodian: publicKeyHex, x: share.x };
  });

  await handleJson(helia.libp2p, KEY_RELEASE_PROTOCOL, async (request): Promise<ReleaseResponse> => {
    const r = request as { alpha?: unknown; user?: unknown };
    if (typeof r.alpha !== 'string' || !ALPHA.test(r.alpha) || typeof r.user !== 'string' || !HEX64.test(r.user)) {
      throw new P2PFormatError('A key release request names α (0x + 64 hex) and the user X25519 key (64 hex).');
    }
    const alpha = r.alpha;
    let cidText: string;
    try {
      cidText = new TextDecoder().decode(await helia.datastore.get(custodyKey(alpha)));
    } catch {
      return { status: 'unknown-granule', custodian: publicKeyHex };
    }
    if (!(await o.index.waitFor(alpha, r.user, o.waitMs ?? 15_000))) {
      o.onEvent?.({ type: 'refuse', alpha, user: r.user });
      return { status: 'not-instantiated', custodian: publicKeyHex };
    }
    const manifest = decodePublicManifest(await readBlock(helia, CID.parse(cidText)));
    const mine = manifest.custody.shares.find((s) => s.custodian === publicKeyHex)!;
    const share = openCustodianShare(fromBase64(mine.envelope), o.secretKey, alpha);
    o.onEvent?.({ type: 'release', alpha, user: r.user });
    return { status: 'released', custodian: publicKeyHex, envelope: toBase64(releaseShare(share, hexToBytes(r.user))) };
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

/** Hands the manifest to every reachable custodian; returns which custodian keys accepted it. */
export async function depositWithCustodians(libp2p: Libp2p, manifestBytes: Uint8Array, options: { signal?: AbortSignal } = {}): Promise<{ custodians: string[]; errors: string[] }> {
  const peers = await peersWithProtocol(libp2p, CUSTODY_DEPOSIT_PROTOCOL);
  const custodians: string[] = [];
  const errors: string[] = [];
  await Promise.all(
    peers.map(async (peer) => {
      try {
        const r = await requestJson<{ custodian: string }>(libp2p, peer, CUSTODY_DEPOSIT_PROTOCOL, { manifest: toBase64(manifestBytes) }, options);
        custodians.push(r.custodian);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }),
  );
  return { custodians, errors };
}

export interface GatherKeyState {
  have: number;
  threshold: number;
  /** Custodians that answered "not instantiated" or "unknown granule" so far. */
  refused: number;
}

export interface GatherGranuleKeyParameters {
  libp2p: Libp2p;
  manifest: PublicManifest;
  userSecretKey: Uint8Array;
  /** Give up (with WaitingForKeyHoldersError) after this long. */
  timeoutMs?: number;
  onUpdate?: (state: GatherKeyState) => void;
  signal?: AbortSignal;
}

/**
 * Collects released shares until t of them rebuild the key. Custodians that are offline are asked again as they
 * appear; while fewer than t have answered the state is "waiting for N more key holders".
 */
export async function gatherGranuleKey(p: GatherGranuleKeyParameters): Promise<Uint8Array> {
  const alpha = p.manifest.alpha;
  const user = bytesToHex(x25519.getPublicKey(p.userSecretKey));
  const threshold = p.manifest.custody.threshold;
  const shares = new Map<string, GranuleKeyShare>();
  const asking = new Set<string>();
  let refused = 0;
  const deadline = Date.now() + (p.timeoutMs ?? 60_000);
  let lastError: unknown;
  for (;;) {
    p.signal?.throwIfAborted();
    const peers = await peersWithProtocol(p.libp2p, KEY_RELEASE_PROTOCOL);
    await Promise.all(
      peers
        .filter((peer) => !shares.has(peer.toString()) && !asking.has(peer.toString()))
        .map(async (peer) => {
          asking.add(peer.toString());
          try {
            const r = await requestJson<ReleaseResponse>(p.libp2p, peer, KEY_RELEASE_PROTOCOL, { alpha, user }, { signal: AbortSignal.timeout(Math.max(1_000, deadline - Date.now())) });
            if (r.status === 'released') shares.set(peer.toString(), openReleasedShare(fromBase64(r.envelope), p.userSecretKey, alpha));
            else refused++;
          } catch (error) {
            lastError = error;
          } finally {
            asking.delete(peer.toString());
          }
        }),
    );
    try {
      return combineGranuleKey([...shares.values()], alpha);
    } catch (error) {
      if (!(error instanceof WaitingForKeyHoldersError)) throw error;
      p.onUpdate?.({ have: shares.size, threshold, refused });
      if (Date.now() >= deadline) {
        const e = new WaitingForKeyHoldersError(threshold - shares.size, threshold);
        if (lastError) e.cause = lastError;
        throw e;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
