// Zero-knowledge core of twingrain: circuit inputs (Mechanisms 1, 3, 5), lean Merkle trees mirrored from the chain,
// and a Groth16 prover usable from Node, the page or a Web Worker. Node-only: ./artifacts.node.ts;
// browser: ./artifacts.browser.ts (both give an ArtifactSource for createProver).
export * from './constants';
export * from './errors';
export * from './lean-tree';
export * from './inputs';
export * from './salts';
export { createIdentityFile, parseIdentityFile, unlockIdentityFile, type UnlockedIdentity } from './identity-file';
export {
  createProver,
  terminateProver,
  toSolidityProof,
  type ArtifactKind,
  type ArtifactSource,
  type Groth16Proof,
  type Prover,
  type ProofStage,
  type ProveResult,
  type SolidityProof,
} from './prover';
