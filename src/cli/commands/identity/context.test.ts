// deployment.json is read from disk and may be stale, hand-edited or another tool's: a malformed one is named with
// its bad fields, never used as a chain to send to.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeployment } from './context';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tg-cli-deployment-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = async (content: string): Promise<string> => {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  await writeFile(path, content);
  return path;
};
const good = { rpcUrl: 'http://127.0.0.1:8545', chainId: 31337, development: true, contracts: { GranuleRegistry: `0x${'12'.repeat(20)}` }, deployBlock: 3 };

describe('loadDeployment', () => {
  it('reads what the stack writes', async () => {
    const deployment = await loadDeployment({ deployment: await file(JSON.stringify(good)) });
    expect(deployment).toEqual(good);
  });

  it('names the bad fields of a malformed file', async () => {
    const path = await file(JSON.stringify({ ...good, contracts: { GranuleRegistry: 5, Consortium: '0x12' }, deployBlock: -1 }));
    const error = await loadDeployment({ deployment: path }).catch((e: Error) => e);
    expect((error as Error).name).toBe('CliUsageError');
    expect((error as Error).message).toBe(
      `${path} is not a usable deployment file: contracts.GranuleRegistry must be a string; contracts.Consortium must be a 0x address of 20 bytes; deployBlock must be a whole block number. Pass the one "npm start" or "twingrain deploy" writes.`,
    );
    await expect(loadDeployment({ deployment: await file('[1, 2]') })).rejects.toThrow(/is not a usable deployment file: the file must be a JSON object/);
    await expect(loadDeployment({ deployment: await file('{"rpcUrl": 8545') })).rejects.toThrow(/is not JSON/);
    await expect(loadDeployment({ deployment: join(dir, 'absent.json') })).rejects.toThrow(/No chain is known/);
  });
});
