// The served configuration is untrusted JSON: each malformed field is named, in the words the file uses.
import { describe, expect, it } from 'vitest';
import { parsePinningConfig, parseRuntimeConfig, parseSnapshotSource, RuntimeConfigError } from './runtime-config';

const good = {
  chain: { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, name: 'Dev', development: true, contracts: { registry: `0x${'a'.repeat(40)}` }, deployBlock: 3 },
  relay: { multiaddrs: ['/ip4/127.0.0.1/tcp/9090/ws'], development: true },
  startedAt: '2026-11-30T00:00:00.000Z',
  reference: { publicKey: `0x${'b'.repeat(64)}`, name: 'twingrain reference' },
};

const problem = (value: unknown): string => {
  try {
    parseRuntimeConfig(value);
    return 'accepted';
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeConfigError);
    return (e as Error).message.replace('The twingrain configuration is invalid: ', '').replace(/\. Restart the stack.*$/, '');
  }
};

describe('runtime config', () => {
  it('reads a full file and fills what an earlier stack did not write', () => {
    expect(parseRuntimeConfig(good)).toEqual(good);
    const older = parseRuntimeConfig({ chain: { rpcUrl: 'ws://h', chainId: 5 }, relay: { multiaddrs: [] }, extra: 1 });
    expect(older).toEqual({
      chain: { rpcUrl: 'ws://h', chainId: 5, name: 'Chain 5', development: false, contracts: {}, deployBlock: 0 },
      relay: { multiaddrs: [], development: false },
      startedAt: new Date(0).toISOString(),
    });
    // A reference identity that is not a key is left out rather than shown.
    expect(parseRuntimeConfig({ ...good, reference: { publicKey: 'me' } }).reference).toBeUndefined();
  });

  it('names the malformed field', () => {
    expect(problem(null)).toBe('it is not a JSON object');
    expect(problem('x')).toBe('it is not a JSON object');
    expect(problem({ relay: good.relay })).toBe('"chain" is missing');
    expect(problem({ ...good, chain: { ...good.chain, rpcUrl: 'ftp://x' } })).toBe('"chain.rpcUrl" must be an http(s) or ws(s) URL');
    expect(problem({ ...good, chain: { ...good.chain, rpcUrl: 5 } })).toBe('"chain.rpcUrl" must be an http(s) or ws(s) URL');
    expect(problem({ ...good, chain: { ...good.chain, chainId: 0 } })).toBe('"chain.chainId" must be a positive integer');
    expect(problem({ ...good, chain: { ...good.chain, chainId: '1' } })).toBe('"chain.chainId" must be a positive integer');
    expect(problem({ ...good, chain: { ...good.chain, contracts: { registry: '0x12' } } })).toBe('contract "registry" has no valid address');
    expect(problem({ chain: good.chain })).toBe('"relay" is missing');
    expect(problem({ ...good, relay: { multiaddrs: [1] } })).toBe('"relay.multiaddrs" must be a list of strings');
    expect(problem({ ...good, pinning: { services: 'x' } })).toBe('"pinning.services" must be a list of { "endpoint": "https://…" }');
    expect(problem({ ...good, pinning: { services: [{ endpoint: 'ftp://x' }] } })).toBe('"pinning.services[0].endpoint" must be an http(s) URL');
  });

  it('pinning services: each entry and the replication are checked', () => {
    const pinning = (value: unknown) => () => parsePinningConfig(value);
    expect(parsePinningConfig({ services: [{ endpoint: 'https://p', token: '' }] })).toEqual({ services: [{ endpoint: 'https://p' }], replication: 1 });
    expect(pinning(null)).toThrow('The pinning services are invalid: "pinning.services" must be a list');
    expect(pinning({ services: [7] })).toThrow('"pinning.services[0].endpoint" must be an http(s) URL');
    expect(pinning({ services: [{}] })).toThrow('"pinning.services[0].endpoint" must be an http(s) URL');
    expect(pinning({ services: [{ endpoint: 'https://p', token: 3 }] })).toThrow('"pinning.services[0].token" must be a string');
    expect(pinning({ services: [{ endpoint: 'https://p' }], replication: 2 })).toThrow(
      '"pinning.replication" must be a whole number from 1 to the 1 services listed',
    );
    expect(pinning({ services: [{ endpoint: 'https://p' }], replication: 0.5 })).toThrow(
      '"pinning.replication" must be a whole number from 1 to the 1 services listed',
    );
  });

  it("a community node's tree snapshot: only an http(s) address without credentials is taken", () => {
    const snapshot = 'https://node.example.org/trees/snapshot';
    expect(parseRuntimeConfig({ ...good, trees: { snapshot } }).trees).toEqual({ snapshot });
    const message = '"trees.snapshot" must be the http(s) address of a community node\'s tree snapshot';
    // Hostile or broken addresses a served file (or an old one) may hold: refused, with the field named.
    for (const bad of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'data:application/octet-stream;base64,AAAA',
      'https://user:pw@node/x',
      'http://',
      `https://n/${'a'.repeat(3000)}`,
      5,
    ])
      expect(problem({ ...good, trees: { snapshot: bad } })).toBe(message);
    expect(problem({ ...good, trees: {} })).toBe(message);
    expect(problem({ ...good, trees: 'https://node/trees/snapshot' })).toBe('"trees" must be an object like { "snapshot": "https://…/trees/snapshot" }');
  });

  it("community nodes' block gateways: a short list of http(s) addresses without credentials", () => {
    const gateways = ['https://node.example.org', 'http://127.0.0.1:9092'];
    expect(parseRuntimeConfig({ ...good, relay: { ...good.relay, gateways } }).relay).toEqual({ ...good.relay, gateways });
    expect(parseRuntimeConfig(good).relay.gateways).toBeUndefined();
    const message = '"relay.gateways" must be a list of at most 8 http(s) addresses of community nodes\' block gateways, without user names or passwords';
    for (const bad of ['javascript:alert(1)', 'file:///etc', 'https://user:pw@node', 'ws://node:9092', `https://n/${'a'.repeat(3000)}`, 5])
      expect(problem({ ...good, relay: { ...good.relay, gateways: [bad] } })).toBe(message);
    expect(problem({ ...good, relay: { ...good.relay, gateways: 'https://node' } })).toBe(message);
    expect(problem({ ...good, relay: { ...good.relay, gateways: Array.from({ length: 9 }, (_, i) => `https://n${i}`) } })).toBe(message);
  });

  it('a community node typed under Settings is checked as the runtime config checks it', () => {
    // A bare node address gets the snapshot's path; a full snapshot address is kept.
    expect(parseSnapshotSource('  https://node.example.org ')).toBe('https://node.example.org/trees/snapshot');
    expect(parseSnapshotSource('http://192.168.1.20:8710/trees/snapshot')).toBe('http://192.168.1.20:8710/trees/snapshot');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'https://user:pw@node/x', 'node.example.org', 'http://', '']) {
      expect(() => parseSnapshotSource(bad)).toThrow(RuntimeConfigError);
      expect(() => parseSnapshotSource(bad)).toThrow('That is not the address of a community node');
    }
  });
});
