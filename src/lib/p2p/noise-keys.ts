// Noise's X25519 key pairs (the connection's static key, and one fresh ephemeral key per handshake) made ahead of time
// with WebCrypto, off the main thread. Noise asks for them synchronously, so the pure-JavaScript curve made them on the
// way to the relay: its first key builds a table of base-point multiples (~15 ms of a start, more on a busy machine)
// and each key is a scalar multiplication. Every pair is handed out once; when the stock runs out (or the browser has
// no X25519 in WebCrypto) noise's own generator is used. The Diffie-Hellman steps stay noise's own.
import { pureJsCrypto, type ICryptoInterface, type KeyPair } from '@chainsafe/libp2p-noise';

/** A few pairs: the static key and the first dials' ephemeral keys; the stock is topped up as it is used. */
const STOCK = 3;

/** One X25519 pair from WebCrypto, in noise's raw form (32-byte private scalar, 32-byte public u-coordinate). */
export async function webCryptoX25519(subtle: SubtleCrypto | undefined = globalThis.crypto?.subtle): Promise<KeyPair> {
  if (!subtle) throw new Error('no WebCrypto');
  const pair = (await subtle.generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array(await subtle.exportKey('pkcs8', pair.privateKey));
  const publicKey = new Uint8Array(await subtle.exportKey('raw', pair.publicKey));
  // PKCS#8 of an X25519 key (RFC 8410): a fixed 16-byte header, then the 32-byte private key.
  if (pkcs8.length !== 48 || publicKey.length !== 32) throw new Error('unexpected X25519 key encoding');
  return { privateKey: pkcs8.slice(16), publicKey };
}

/**
 * Noise's crypto with key pairs from a stock made by WebCrypto. `ready` resolves once the first pairs are in (or
 * WebCrypto refused: then every pair comes from noise's generator).
 */
export function noiseCryptoWithKeyStock(subtle?: SubtleCrypto): { crypto: ICryptoInterface; ready: Promise<void> } {
  const stock: KeyPair[] = [];
  let working = true;
  let filling: Promise<void> | undefined;
  const fill = (): Promise<void> => {
    filling ??= (async () => {
      try {
        while (working && stock.length < STOCK) stock.push(await webCryptoX25519(subtle));
      } catch {
        working = false;
      } finally {
        filling = undefined;
      }
    })();
    return filling;
  };
  const crypto: ICryptoInterface = {
    ...pureJsCrypto,
    generateX25519KeyPair() {
      const pair = stock.shift();
      if (working) void fill();
      return pair ?? pureJsCrypto.generateX25519KeyPair();
    },
  };
  return { crypto, ready: fill() };
}
