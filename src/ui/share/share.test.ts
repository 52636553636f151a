// The Share page's own input checks and the manifest pointer it records (the chain actions are tested in
// src/lib/records and src/lib/chain against anvil; the page end to end in tests/e2e/share.spec.ts).
import { describe, expect, it, vi } from 'vitest';
import { CID } from 'multiformats/cid';
import { sha256 } from '@noble/hashes/sha2.js';
import { canonicalJson } from '../../lib/granule/index';
import { packGranule } from '../../lib/granule/index';
import { sampleFiles } from '../../lib/granule/test-fixture';
import { BN254_FIELD_ORDER, createIdentity } from '../../lib/identity/index';
import { ShareInputError, ShareSetupError } from './errors';
import { contractsOf, mirrorParameters, parseAlphaText, parsePublicKey, sentenceOf } from './share';
import { manifestCidOf } from '../../lib/sharing/index';
import { ContractRevertError } from '../../lib/chain/index';
import { RuntimeConfigError } from '../../lib/config';
import { saveSnapshotSource } from '../settings/snapshot-settings';

describe('Share page inputs', () => {
  it('reads a public key as the Settings page shows it, and refuses anything that cannot be one', () => {
    const { publicKey } = createIdentity();
    expect(parsePublicKey(`  0x${publicKey.toString(16).padStart(64, '0')} `)).toBe(publicKey);
    expect(parsePublicKey(publicKey.toString())).toBe(publicKey);
    for (const bad of ['', 'hello', '0x', '0xzz', '0', `0x${BN254_FIELD_ORDER.toString(16)}`, `0x${'f'.repeat(65)}`]) {
      expect(() => parsePublicKey(bad)).toThrow(ShareInputError);
    }
  });

  it('reads α as 0x-hex and refuses other text with a sentence', () => {
    expect(parseAlphaText(' 0x0abc ')).toBe(0xabcn);
    expect(() => parseAlphaText('abc')).toThrow(ShareInputError);
    expect(() => parseAlphaText(`0x${'f'.repeat(64)}`)).toThrow(/not a granule ID/);
  });

  it('records the raw SHA-256 CID of the canonical granule manifest', () => {
    const packed = packGranule({ files: sampleFiles() });
    const cid = CID.decode(manifestCidOf(packed.manifest));
    expect(cid.code).toBe(0x55);
    expect(cid.multihash.digest).toEqual(sha256(new TextEncoder().encode(canonicalJson(packed.manifest) + '\n')));
  });

  it('says when the deployment lacks the sharing contracts, and shows reverts as their sentences', () => {
    const config = {
      chain: { rpcUrl: 'http://127.0.0.1:1', chainId: 31337, name: 'dev', development: true, contracts: {}, deployBlock: 0 },
      relay: { multiaddrs: [], development: true },
      startedAt: '',
    };
    expect(() => contractsOf(config)).toThrow(ShareSetupError);
    expect(sentenceOf(new ContractRevertError('The granule is already registered.', 'AlreadyRegistered'))).toBe('The granule is already registered.');
  });

  it("syncs the trees from the community node's snapshot named in the runtime config (src/lib/records tests the sync itself)", () => {
    const registry = `0x${'1'.repeat(40)}` as const;
    const config = {
      chain: {
        rpcUrl: 'http://127.0.0.1:1',
        chainId: 31337,
        name: 'dev',
        development: true,
        contracts: { GranuleRegistry: registry, Consortium: registry },
        deployBlock: 7,
      },
      relay: { multiaddrs: [], development: true },
      startedAt: '',
    };
    const ctx = { config, wallet: { publicClient: {} }, db: {} } as unknown as Parameters<typeof mirrorParameters>[0];
    expect(mirrorParameters(ctx)).not.toHaveProperty('snapshotUrl');
    const snapshot = 'https://node.example.org/trees/snapshot';
    expect(mirrorParameters({ ...ctx, config: { ...config, trees: { snapshot } } })).toMatchObject({ registry, fromBlock: 7, snapshotUrl: snapshot });

    // The community node chosen under Settings comes first; a bad address is refused and changes nothing.
    const stored = new Map<string, string>();
    vi.stubGlobal('localStorage', {
      getItem: (k: string) => stored.get(k) ?? null,
      setItem: (k: string, value: string) => stored.set(k, value),
      removeItem: (k: string) => stored.delete(k),
    });
    try {
      expect(saveSnapshotSource('https://my-node.example.org')).toBe('https://my-node.example.org/trees/snapshot');
      const withConfig = { ...ctx, config: { ...config, trees: { snapshot } } };
      expect(mirrorParameters(withConfig)).toMatchObject({ snapshotUrl: 'https://my-node.example.org/trees/snapshot' });
      expect(() => saveSnapshotSource('https://me:secret@evil.example.org')).toThrow(RuntimeConfigError);
      expect(mirrorParameters(withConfig)).toMatchObject({ snapshotUrl: 'https://my-node.example.org/trees/snapshot' });
      expect(mirrorParameters(ctx)).toMatchObject({ snapshotUrl: 'https://my-node.example.org/trees/snapshot' });
      saveSnapshotSource(undefined);
      expect(mirrorParameters(withConfig)).toMatchObject({ snapshotUrl: snapshot });
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
