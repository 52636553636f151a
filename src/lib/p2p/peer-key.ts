// The browser peer's lasting key (its peer id), read in one datastore get on the way to the relay. libp2p's own
// keychain keeps it encrypted under a key derived from an empty password (PBKDF2, then AES-GCM: no secret, only time
// on every start), and makes new keys with a pure-JavaScript Ed25519 whose first use builds its tables (~30 ms). Here
// the key is kept as libp2p's protobuf encoding — the protection is the same: the origin's storage — and a new one is
// made with WebCrypto's Ed25519 where the browser has it. A peer id kept in the keychain by an earlier version stays.
import { generateKeyPair, privateKeyFromProtobuf, privateKeyFromRaw, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import { loadOrCreateSelfKey } from '@libp2p/config';
import type { PrivateKey } from '@libp2p/interface';
import { Key, type Datastore } from 'interface-datastore';

const PEER_KEY = new Key('/twingrain/peer-key');
/** Where libp2p's keychain (loadOrCreateSelfKey) kept the self key before. */
const KEYCHAIN_SELF = new Key('/pkcs8/self');

/**
 * The peer's key from `datastore`, made and stored on first use. A record that does not parse (damaged storage) is
 * replaced as if it were missing: the peer gets a new id rather than failing every start.
 */
export async function loadPeerKey(datastore: Datastore): Promise<PrivateKey> {
  if (await datastore.has(PEER_KEY)) {
    try {
      return privateKeyFromProtobuf(await datastore.get(PEER_KEY));
    } catch {
      // fall through: made again below
    }
  }
  const key = (await datastore.has(KEYCHAIN_SELF)) ? await loadOrCreateSelfKey(datastore) : await newEd25519Key();
  await datastore.put(PEER_KEY, privateKeyToProtobuf(key));
  return key;
}

/** A new Ed25519 key, from WebCrypto when the runtime has Ed25519 there (the same key libp2p would make). */
export async function newEd25519Key(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<PrivateKey> {
  try {
    if (!subtle) throw new Error('no WebCrypto');
    const pair = (await subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
    const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
    // PKCS#8 of an Ed25519 key: a fixed 16-byte header, then the 32-byte seed.
    if (pkcs8.length !== 48 || publicKey.length !== 32) throw new Error('unexpected Ed25519 key encoding');
    const raw = new Uint8Array(64);
    raw.set(pkcs8.subarray(16), 0);
    raw.set(publicKey, 32);
    return privateKeyFromRaw(raw);
  } catch {
    return generateKeyPair('Ed25519');
  }
}
