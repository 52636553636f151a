// The granule format: manifest, deterministic archive, α. See docs in each module.
export { alphaOf, alphaHex, alphaFromSha256, parseAlpha, sha256Hex, BN254_SCALAR_FIELD } from './alpha';
export * from './errors';
