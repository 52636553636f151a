// Key custody: Shamir sharing of granule keys, sealed envelopes to X25519 keys, the custodian's rules, and the
// owner's signed deposit.
export * from './errors';
// The raw split/combine stay inside: outside this area a key is only rebuilt through combineGranuleKey's commitment check.
export * from './seal';
export * from './key-shares';
export * from './custodian';
export * from './deposit-signature';
export * from './chain-view';
export * from './rate-window';
