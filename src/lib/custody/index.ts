// Key custody: Shamir sharing of granule keys, sealed envelopes to X25519 keys, and the custodian's rules.
export * from './errors';
export * from './shamir';
export * from './seal';
export * from './key-shares';
export * from './custodian';
