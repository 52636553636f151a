// Public face of the peer-to-peer layer. libp2p and Helia are heavy: the app loads them only through
// loadBrowserNode(), a dynamic import that Vite splits into its own chunk.
export * from './errors';
export * from './protocols';
export * from './limits';
export * from './status';
export type { TwingrainNode, NodeRelayConfig } from './node';
export type { TransferTestResult } from './transfer-test';
export * from './pinning-services';
export * from './pinning-token';
import type { Libp2p } from '@libp2p/interface';
export { preloadBrowserNode, loadBrowserNode, sharedBrowserNode } from './browser-peer/index';

// Verbs the app, the CLI and the relay share. Each loads its heavy dependencies (Helia, UnixFS) on first call so
// importing this module stays cheap for the app shell.
import type { PrepareGranulePublicationParameters, PreparedPublication, PinPublicationParameters, PinPublicationReturnType } from './publish';
import type { RetrieveGranuleParameters, RetrieveGranuleReturnType } from './retrieve';
export type { PrepareGranulePublicationParameters, PreparedPublication, PinPublicationParameters, PinPublicationReturnType };
export type { RetrieveGranuleParameters, RetrieveGranuleReturnType };
export type { RetrieveState } from './retrieve';
export type { BlockSource } from './block-sources';
export type { PublicManifest, PublicGranuleInfo } from './public-manifest';
export { cidFromChainBytes, publicManifestCid } from './public-manifest';
export type { DepositRefusal } from './custody-protocol';

type CustodyProtocol = typeof import('./custody-protocol');
/** The owner's deposit of key shares with the custodians (loads the custody protocol on first call). */
export async function depositWithCustodians(
  ...args: Parameters<CustodyProtocol['depositWithCustodians']>
): ReturnType<CustodyProtocol['depositWithCustodians']> {
  return (await import('./custody-protocol')).depositWithCustodians(...args);
}
/** The connected peers that speak `protocol` (loads the custody protocol on first call). */
export async function peersWithProtocol(...args: Parameters<CustodyProtocol['peersWithProtocol']>): ReturnType<CustodyProtocol['peersWithProtocol']> {
  return (await import('./custody-protocol')).peersWithProtocol(...args);
}

/** Publishing step 1 (before registering): encrypt, shard and store in this node; returns the manifest CID. Sends nothing. */
export async function prepareGranulePublication(p: PrepareGranulePublicationParameters): Promise<PreparedPublication> {
  return (await import('./publish')).prepareGranulePublication(p);
}

/** Publishing step 2 (once `register` is mined): the pinning relays check the chain and fetch the granule from this node. */
export async function pinPublication(p: PinPublicationParameters): Promise<PinPublicationReturnType> {
  return (await import('./publish')).pinPublication(p);
}

export async function retrieveGranule(p: RetrieveGranuleParameters): Promise<RetrieveGranuleReturnType> {
  return (await import('./retrieve')).retrieveGranule(p);
}
export { syncCatalog, searchCatalog, type RegistrationLike } from './catalog';
/** Serves this node's blocks over the direct block protocol (block-transfer.ts): the relay's pinned shards, say. */
export async function serveBlockTransfer(
  helia: Parameters<typeof import('./block-transfer').localBlocks>[0] & { libp2p: Libp2p },
): Promise<{ stop(): Promise<void> }> {
  const { serveBlocks, localBlocks } = await import('./block-transfer');
  return serveBlocks(helia.libp2p, localBlocks(helia));
}
export type { PinService } from './pin-protocol';
export { sendAuthReply, sendAuthRequest, listenAuthMessages } from './auth-requests';
