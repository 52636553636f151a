// What a relay serves (pinning, key custody, the authorization mailbox): Node-only, kept out of the app's index so
// the page never bundles the serving side.
export { createPinService, servePinning, type PinningOptions } from './pin-protocol';
export { chainPinAuthority, LocalPinRecords } from './pin-authority';
export { serveCustodian, type CustodianCaps } from './custody-protocol';
export { serveAuthMailbox, type AuthMailboxOptions } from './auth-requests';
