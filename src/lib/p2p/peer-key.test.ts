import { describe, expect, it } from 'vitest';
import { MemoryDatastore } from 'datastore-core';
import { Key } from 'interface-datastore';
import { loadOrCreateSelfKey } from '@libp2p/config';
import { publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { ed25519 } from '@noble/curves/ed25519.js';
import { loadPeerKey, newEd25519Key } from './peer-key';

describe('the browser peer key', () => {
  it('is made once and read back: the same peer id on every start', async () => {
    const ds = new MemoryDatastore();
    const first = await loadPeerKey(ds);
    const again = await loadPeerKey(ds);
    expect(peerIdFromPrivateKey(again).toString()).toBe(peerIdFromPrivateKey(first).toString());
    expect(again.type).toBe('Ed25519');
  });

  it('keeps the peer id an earlier version kept in libp2p’s keychain', async () => {
    const ds = new MemoryDatastore();
    const before = await loadOrCreateSelfKey(ds);
    const now = await loadPeerKey(ds);
    expect(peerIdFromPrivateKey(now).toString()).toBe(peerIdFromPrivateKey(before).toString());
    // …and reads it from its own record afterwards, still the same.
    expect(peerIdFromPrivateKey(await loadPeerKey(ds)).toString()).toBe(peerIdFromPrivateKey(before).toString());
  });

  it('replaces a damaged record instead of failing every start', async () => {
    const ds = new MemoryDatastore();
    await ds.put(new Key('/twingrain/peer-key'), new Uint8Array([1, 2, 3]));
    const key = await loadPeerKey(ds);
    expect(key.type).toBe('Ed25519');
    expect(peerIdFromPrivateKey(await loadPeerKey(ds)).toString()).toBe(peerIdFromPrivateKey(key).toString());
  });

  it('made with WebCrypto, is a true Ed25519 pair: the public half matches the seed and signatures verify', async () => {
    const subtle = globalThis.crypto.subtle;
    let asked = 0;
    const counting = new Proxy(subtle, {
      get: (target, name) =>
        name === 'generateKey'
          ? (...a: Parameters<SubtleCrypto['generateKey']>) => (asked++, target.generateKey(...a))
          : Reflect.get(target, name).bind(target),
    });
    const key = await newEd25519Key(counting);
    expect(asked).toBe(1);
    const seed = key.raw.subarray(0, 32);
    expect(Buffer.from(ed25519.getPublicKey(seed)).toString('hex')).toBe(Buffer.from(key.publicKey.raw).toString('hex'));
    const message = new TextEncoder().encode('twingrain');
    const signature = await key.sign(message);
    expect(await publicKeyFromRaw(key.publicKey.raw).verify(message, signature)).toBe(true);
    expect(ed25519.verify(signature, message, key.publicKey.raw)).toBe(true);
  });

  it('falls back to libp2p’s own key generation without WebCrypto Ed25519', async () => {
    const refusing = { generateKey: () => Promise.reject(new DOMException('Unrecognized name.', 'NotSupportedError')) } as unknown as SubtleCrypto;
    const key = await newEd25519Key(refusing);
    expect(key.type).toBe('Ed25519');
    const message = new TextEncoder().encode('x');
    expect(await key.publicKey.verify(message, await key.sign(message))).toBe(true);
  });
});
