// The granule format: manifest (granule.json + published JSON Schema), deterministic archive, α.
export { alphaOf, alphaHex, alphaFromSha256, parseAlpha } from './alpha';
export * from './errors';
export { decodeArchive, checkPath } from './archive';
export { canonicalJson } from './canonical-json';
export {
  MANIFEST_FILE,
  PHASES,
  parseManifest,
  satisfies,
  type GranuleManifest,
  type LifecyclePhase,
} from './manifest';
export {
  packGranule,
  unpackGranule,
  type PackGranuleReturnType,
  type UnpackGranuleReturnType,
} from './pack';
export { keepGranule, listGranules, type GranuleRow } from './local';
