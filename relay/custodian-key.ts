// The custodian's X25519 key lives beside the relay's data, created once, readable only by its owner.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { RelayStartError } from './errors';

export async function loadOrCreateCustodianKey(dataDir: string): Promise<Uint8Array> {
  const path = join(dataDir, 'custodian.key');
  let text: string | undefined;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch {
    const key = x25519.utils.randomSecretKey();
    await writeFile(path, bytesToHex(key) + '\n', { mode: 0o600 });
    return key;
  }
  if (!/^[0-9a-f]{64}$/.test(text))
    throw new RelayStartError(
      `${path} is not a custodian key (64 hex digits). Restore it from backup, or delete it to create a new key and register the new key in the Consortium.`,
    );
  return hexToBytes(text);
}
