// The sharing protocol, one module for the Share and Discover pages and the CLI: register and publish a granule in
// the order that keeps it its owner's (share-granule), finish a publication that was cut off (publish-registered),
// and receive an instantiated granule (receive-granule). Authorization and instantiation are single chain actions
// (src/lib/chain).
export * from './errors';
export { shareGranule, manifestCidOf, type ShareStage } from './share-granule';
export {
  preparePublication,
  publishRegistered,
  type SharingPeer,
} from './publish-registered';
export { receiveGranule, checkReceivable } from './receive-granule';
