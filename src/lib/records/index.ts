// Records mirrored from the GranuleRegistry into the app database: both Merkle trees (to build proofs locally), the
// record list each identity sees, the root check before proving, and chain-reset detection.
export * from './errors';
export * from './rows';
export { readCursor, cursorKey, type SyncCursor } from './cursor';
export { syncRecords, clearChainRecords, type SyncRecordsParameters, type SyncRecordsReturnType, type SyncRecordsErrorType } from './sync';
export { mirroredRows, syncedTrees, databaseTreeStore, type SyncedTreesReturnType, type SyncedTreesErrorType } from './trees';
export { ensureMembership, type EnsureMembershipParameters, type EnsureMembershipReturnType, type EnsureMembershipErrorType } from './membership';
export { recordsOf, recordAddressOf, resolveRecord, type RecordsOfReturnType, type UsableGranule } from './queries';
export {
  PREPARED_PROOF_SCHEMA,
  preparedProofFrom,
  encodePreparedProof,
  decodePreparedProof,
  submitPreparedProof,
  type PreparedProof,
  type PreparedProofFromParameters,
  type SubmitPreparedProofParameters,
} from './prepared-proof';
