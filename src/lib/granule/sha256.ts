// SHA-256 for granules, synchronous because packing and unpacking are (the twin, the CLI and the pages call them in
// line). Where the platform's native hash can be reached without an await — Node's crypto (OpenSSL, the same code
// behind its WebCrypto), about ten times the pure-JavaScript speed — it is used; elsewhere (the page, whose WebCrypto
// only answers asynchronously) the audited @noble/hashes. Both give the same digest, so α never depends on where a
// granule was packed. The incremental form lets one pass over an archive give both its trailer and its α.
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';

export interface Sha256 {
  update(data: Uint8Array): Sha256;
  /** An independent hasher with the same state (to finish a prefix and go on with the whole). */
  copy(): Sha256;
  digest(): Uint8Array;
}

interface NodeHash {
  update(data: Uint8Array): NodeHash;
  copy(): NodeHash;
  digest(): Uint8Array;
}
type NodeCrypto = { createHash(algorithm: 'sha256'): NodeHash };

// process.getBuiltinModule (Node ≥ 20.16) loads node:crypto without an import a bundler would try to follow.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  | NodeCrypto
  | undefined;

function wrapNode(h: NodeHash): Sha256 {
  return {
    update(data) {
      h.update(data);
      return this;
    },
    copy: () => wrapNode(h.copy()),
    // A Buffer is a Uint8Array, but callers compare with toEqual: hand back a plain one.
    digest: () => new Uint8Array(h.digest()),
  };
}

function wrapNoble(h: ReturnType<typeof nobleSha256.create>): Sha256 {
  return {
    update(data) {
      h.update(data);
      return this;
    },
    copy: () => wrapNoble(h.clone()),
    digest: () => h.digest(),
  };
}

/** Which implementation this runtime uses (for the benchmarks' report). */
export const SHA256_BACKEND: 'node:crypto' | '@noble/hashes' = nodeCrypto ? 'node:crypto' : '@noble/hashes';

export function createSha256(): Sha256 {
  return nodeCrypto ? wrapNode(nodeCrypto.createHash('sha256')) : wrapNoble(nobleSha256.create());
}

export function sha256(data: Uint8Array): Uint8Array {
  return createSha256().update(data).digest();
}
