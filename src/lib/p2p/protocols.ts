// Names on the wire. Versioned so that an incompatible change can live beside the old one.
export const DISCOVERY_TOPIC = 'twingrain._peer-discovery._p2p._pubsub';
/** Custodian → user: a key share sealed to the user's X25519 key. */
export const KEY_RELEASE_PROTOCOL = '/twingrain/key-release/1.0.0';
/** Owner → custodian: the public manifest holding the custodian's sealed share. */
export const CUSTODY_DEPOSIT_PROTOCOL = '/twingrain/custody-deposit/1.0.0';
/** User → owner: a request for authorization to use a granule. */
export const AUTH_REQUEST_PROTOCOL = '/twingrain/auth-request/1.0.0';
/** Gossipsub topic of authorization requests and replies; every relay subscribes, so it forwards them. */
export const AUTH_TOPIC = 'twingrain/auth/1';
/** Peer → relay: "what requests or replies for this public key did you see while I was away?" */
export const AUTH_MAILBOX_PROTOCOL = '/twingrain/auth-mailbox/1.0.0';
/** Owner → pinning relay: keep these CIDs. */
export const PIN_PROTOCOL = '/twingrain/pin/1.0.0';
/** Peer ↔ peer: "fetch this CID from me and tell me how long it took" (the Network page's transfer test). */
export const TRANSFER_TEST_PROTOCOL = '/twingrain/transfer-test/1.0.0';
/** Peer → peer: "send me these blocks (and what is below them)", streamed in order, each checked by its CID. */
export const BLOCK_TRANSFER_PROTOCOL = '/twingrain/blocks/1.0.0';
