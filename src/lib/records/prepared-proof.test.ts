// A prepared proof is pasted or loaded by a person from somewhere else: every malformed part is named, nothing is sent.
import { describe, expect, it } from 'vitest';
import { decodePreparedProof, encodePreparedProof, type PreparedProof } from './prepared-proof';
import { PreparedProofError } from './errors';

const good: PreparedProof = {
  schema: 'twingrain/prepared-proof@1',
  action: 'instantiate',
  chainId: 31337,
  registry: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  sender: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  proof: {
    a: [1n, 2n],
    b: [
      [3n, 4n],
      [5n, 6n],
    ],
    c: [7n, 8n],
  },
  args: [9n, 10n, 11n, `0x${'ab'.repeat(32)}`],
};
const json = JSON.parse(encodePreparedProof(good)) as Record<string, unknown>;
const problem = (value: unknown): string => {
  try {
    decodePreparedProof(JSON.stringify(value));
    return 'accepted';
  } catch (e) {
    expect(e).toBeInstanceOf(PreparedProofError);
    return /prepared proof: (.*)\. Paste/.exec((e as Error).message)![1]!;
  }
};

describe('prepared proofs from elsewhere', () => {
  it('round-trips', () => {
    expect(decodePreparedProof(encodePreparedProof(good))).toEqual(good);
  });

  it('names what is wrong', () => {
    expect(problem(null)).toBe('"schema" must be "twingrain/prepared-proof@1"');
    expect(problem({ ...json, action: 'burn' })).toBe('"action" must be register, authorize or instantiate');
    expect(problem({ ...json, chainId: undefined })).toBe('"chainId" is missing');
    expect(problem({ ...json, chainId: -5 })).toBe('"chainId" must be a positive integer');
    expect(problem({ ...json, sender: '0x12' })).toBe('"sender" is not an address');
    expect(problem({ ...json, proof: { a: ['0x1'], b: [], c: [] } })).toMatch(/proof/);
    expect(problem({ ...json, proof: { ...(json['proof'] as object), a: ['0x1', '0x2', '0x3'] } })).toBe('"proof" must hold a (2), b (2×2) and c (2)');
    expect(problem({ ...json, proof: { ...(json['proof'] as object), c: ['0x1', 'seven'] } })).toBe('proof.c is not a 0x number');
    expect(problem({ ...json, args: ['0x1', '0x2', '0x3'] })).toBe('"args" must hold 4 values for instantiate');
    expect(problem({ ...json, args: ['0x1', '0x2', '0x3', 'bytes:0xabc'] })).toBe('args[3] is not a 0x number or bytes:0x… value');
    expect(problem({ ...json, args: 'all' })).toBe('"args" must be a list');
  });
});
