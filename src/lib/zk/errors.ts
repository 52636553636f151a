// Typed errors of the zero-knowledge area; each message says what happened and what to do.
export class ZkInputError extends Error {
  override name = 'ZkInputError';
}

export class MerkleTreeError extends Error {
  override name = 'MerkleTreeError';
}

export class ProofGenerationError extends Error {
  override name = 'ProofGenerationError';
}

export class ArtifactLoadError extends Error {
  override name = 'ArtifactLoadError';
}
