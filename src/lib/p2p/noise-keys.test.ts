import { describe, expect, it } from 'vitest';
import { x25519 } from '@noble/curves/ed25519.js';
import { noiseCryptoWithKeyStock, webCryptoX25519 } from './noise-keys';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe("noise's X25519 keys made ahead by WebCrypto", () => {
  it('are true X25519 pairs: the public half is the private half times the base point, and DH agrees with noble', async () => {
    const pair = await webCryptoX25519();
    expect(hex(x25519.getPublicKey(pair.privateKey))).toBe(hex(pair.publicKey));
    const other = x25519.keygen();
    expect(hex(x25519.getSharedSecret(pair.privateKey, other.publicKey))).toBe(hex(x25519.getSharedSecret(other.secretKey, pair.publicKey)));
  });

  it('are handed out once each, then noise’s own generator takes over while the stock refills', async () => {
    let made = 0;
    const subtle = globalThis.crypto.subtle;
    const counting = new Proxy(subtle, {
      get: (target, name) =>
        name === 'generateKey' ? (...a: Parameters<SubtleCrypto['generateKey']>) => (made++, target.generateKey(...a)) : Reflect.get(target, name).bind(target),
    });
    const { crypto, ready } = noiseCryptoWithKeyStock(counting);
    await ready;
    expect(made).toBe(3); // the stock is in before the node needs its first pair
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const pair = crypto.generateX25519KeyPair();
      expect(hex(x25519.getPublicKey(pair.privateKey))).toBe(hex(pair.publicKey));
      expect(seen.has(hex(pair.privateKey))).toBe(false);
      seen.add(hex(pair.privateKey));
    }
    // The Diffie-Hellman step is noise's own and works on these keys.
    const a = crypto.generateX25519KeyPair();
    const b = crypto.generateX25519KeyPair();
    expect(hex(crypto.generateX25519SharedKey(a.privateKey, b.publicKey))).toBe(hex(crypto.generateX25519SharedKey(b.privateKey, a.publicKey)));
  });

  it('come from noise’s generator when WebCrypto has no X25519', async () => {
    let asked = 0;
    const refusing = { generateKey: () => (asked++, Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError'))) } as unknown as SubtleCrypto;
    const { crypto, ready } = noiseCryptoWithKeyStock(refusing);
    await ready;
    const pair = crypto.generateX25519KeyPair();
    expect(hex(x25519.getPublicKey(pair.privateKey))).toBe(hex(pair.publicKey));
    crypto.generateX25519KeyPair();
    expect(asked).toBe(1); // refused once, not asked again on every handshake
  });
});
