// The granule format: manifest (granule.json + published JSON Schema), deterministic archive, α.
export { alphaOf, alphaHex, alphaFromSha256, parseAlpha, sha256Hex, BN254_SCALAR_FIELD } from './alpha';
export * from './errors';
export { encodeArchive, decodeArchive, checkPath, ARCHIVE_MAGIC, ARCHIVE_VERSION, type ArchiveEntry } from './archive';
export { canonicalJson } from './canonical-json';
export {
  MANIFEST_FILE,
  PHASES,
  parseManifest,
  satisfies,
  type GranuleManifest,
  type GranuleDependency,
  type LibraryDependency,
  type LifecyclePhase,
  type ManifestFile,
} from './manifest';
export {
  packGranule,
  unpackGranule,
  type PackGranuleParameters,
  type PackGranuleReturnType,
  type UnpackGranuleParameters,
  type UnpackGranuleReturnType,
} from './pack';
export { keepGranule, listGranules, loadGranule, forgetGranule, type GranuleRow } from './local';
