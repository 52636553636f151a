// `twingrain register <granule-file> --identity <file>`: Mechanisms 1–2 for a granule archive.
// Prints {"alpha", "leafIndex", "root", "txHash"}.
import { readFile } from 'node:fs/promises';
import { CID } from 'multiformats/cid';
import * as raw from 'multiformats/codecs/raw';
import { create as createDigest } from 'multiformats/hashes/digest';
import { sha256 } from '@noble/hashes/sha2.js';
import { CliUsageError, type Command } from '../command';
import { parseArgs, printJson } from '../output';
import { canonicalJson, unpackGranule } from '../../lib/granule/index';
import { registerGranule } from '../../lib/chain/register';
import { createProver } from '../../lib/zk/index';
import { fileArtifactSource } from '../../lib/zk/artifacts.node.ts';
import { COMMON_FLAGS, clientsFor, contractOf, hex32, loadDeployment, readIdentity } from './identity/context';

function manifestCidBytes(flag: string | boolean | undefined, manifest: unknown): Uint8Array {
  if (typeof flag === 'string') {
    try {
      return CID.parse(flag).bytes;
    } catch {
      throw new CliUsageError(`--manifest-cid ${flag} is not a CID.`);
    }
  }
  // Without a published public manifest, point at the granule's own manifest (raw block of its canonical JSON).
  const bytes = new TextEncoder().encode(canonicalJson(manifest));
  return CID.createV1(raw.code, createDigest(0x12, sha256(bytes))).bytes;
}

export const command: Command = {
  summary: 'register a granule archive on chain with a zero-knowledge proof of ownership',
  usage: 'twingrain register <granule-file> --identity <file> [--manifest-cid <cid>] [--passphrase <p>] [--rpc <url>]',
  async run(argv) {
    const { positionals, flags } = parseArgs(argv, { strings: [...COMMON_FLAGS, 'manifest-cid'] });
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new CliUsageError(`Cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
    }
    const granule = unpackGranule({ bytes });
    const cid = manifestCidBytes(flags['manifest-cid'], granule.manifest);
    const unlocked = await readIdentity(flags);
    const deployment = await loadDeployment(flags);
    const { publicClient, walletClient } = await clientsFor(deployment, unlocked.walletPrivateKey);
    const result = await registerGranule({
      publicClient, walletClient, registry: contractOf(deployment, 'GranuleRegistry'), prover: createProver(fileArtifactSource()),
      secret: unlocked.identity.secret, alpha: granule.alpha, manifestCid: cid,
    });
    printJson({ alpha: granule.alphaHex, leafIndex: result.leafIndex, root: hex32(result.root), txHash: result.txHash });
    return 0;
  },
};
