import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderAbiModule } from '../../../scripts/circuits/abi.ts';
import { consortiumAbi, granuleRegistryAbi } from './abi.generated';
import { describeContractError } from './revert';
import { formatRecordAddress, parseRecordAddress } from './record';
import { RecordAddressError } from './errors';

const root = resolve(import.meta.dirname, '../../..');

describe('generated ABIs', () => {
  it('match the contracts (run `npx tsx scripts/circuits/abi.ts` after changing one)', () => {
    expect(readFileSync(resolve(root, 'src/lib/chain/abi.generated.ts'), 'utf8')).toBe(renderAbiModule(root));
  });

  it('every custom error of the contracts has its own sentence', () => {
    const errors = [...consortiumAbi, ...granuleRegistryAbi].filter((e) => e.type === 'error').map((e) => e.name);
    expect(errors.length).toBeGreaterThan(10);
    const sentences = new Set<string>();
    for (const name of errors) {
      const sentence = describeContractError(name, [1n, 2n]);
      expect(sentence, name).not.toMatch(/refused the transaction/);
      sentences.add(sentence);
    }
  });
});

describe('record addresses', () => {
  const record = {
    kind: 'authorization' as const,
    chainId: 31337,
    contract: `0x${'ab'.repeat(20)}` as const,
    leafIndex: 7,
    txHash: `0x${'cd'.repeat(32)}` as const,
    authSalt: 0x1234n,
  };

  it('round-trip, with and without the salt', () => {
    expect(parseRecordAddress(formatRecordAddress(record))).toEqual(record);
    const { authSalt: _, ...plain } = record;
    expect(parseRecordAddress(formatRecordAddress({ ...plain, kind: 'registration' }))).toEqual({ ...plain, kind: 'registration' });
    expect(formatRecordAddress(record)).toMatch(/^twingrain:authorization\/31337\/0x(ab){20}\/7\/0x(cd){32}\?salt=0x1234$/);
  });

  it('refuse anything else with a sentence', () => {
    for (const bad of ['', 'twingrain:foo/1/0x00/1/0x00', formatRecordAddress(record).slice(0, -10), 'http://example.com']) {
      expect(() => parseRecordAddress(bad)).toThrow(RecordAddressError);
    }
  });
});
