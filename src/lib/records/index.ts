// Records mirrored from the GranuleRegistry into the app database: both Merkle trees (to build proofs locally), the
// record list each identity sees, the root check before proving, and chain-reset detection.
export * from './errors';
export * from './rows';
export { readCursor } from './cursor';
export { syncRecords, clearChainRecords } from './sync';
export { syncedTrees, databaseTreeStore } from './trees';
export { syncMyRecords } from './mine';
export { encodeRowsSnapshot, rowsSnapshotUrlBeside } from './rows-snapshot';
export { readRegistrationRows } from './registration-rows';
export { ensureMembership } from './membership';
export { recordsOf, recordAddressOf, resolveRecord, type RecordsOfReturnType } from './queries';
export {
  preparedProofFrom,
  encodePreparedProof,
  decodePreparedProof,
  submitPreparedProof,
  type PreparedProof,
} from './prepared-proof';
