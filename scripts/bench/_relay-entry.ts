// The browser side of _relay-quick.ts: the p2p module plus the two steps of a retrieve that follow the key release
// (shards through the direct block protocol, then rebuild + decrypt + α), so the relay path can be timed without a chain.
export * from '../../src/lib/p2p/index';
export { sourcedBlocks } from '../../src/lib/p2p/block-sources';
export { fetchGranule } from '../../src/lib/p2p/granule-store';
