// The browser side of _relay-quick.ts: the p2p module plus the two steps of a retrieve that follow the key release
// (shards through the direct block protocol, then rebuild + decrypt + α), so the relay path can be timed without a chain.
export * from '../../src/lib/p2p/index';
export { sourcedBlocks } from '../../src/lib/p2p/block-sources';
export { fetchGranule } from '../../src/lib/p2p/granule-store';
// For the hashing comparison (pageHashCost): multiformats' sha256 as the page gets it, and a plain-JavaScript one.
export { sha256 } from 'multiformats/hashes/sha2';
export { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
// For timing the CAR path alone (no IndexedDB, no rebuild).
export { fetchCarInto } from '../../src/lib/p2p/gateway-car';
export { MemoryBlockstore } from 'blockstore-core';
export { CID } from 'multiformats/cid';
