// Typed errors of the zero-knowledge area; each message says what happened and what to do.
import { namedError } from '../errors/index';

export class ZkInputError extends namedError('ZkInputError', Error) {}

export class MerkleTreeError extends namedError('MerkleTreeError', Error) {}

export class ProofGenerationError extends namedError('ProofGenerationError', Error) {}

export class ArtifactLoadError extends namedError('ArtifactLoadError', Error) {}
