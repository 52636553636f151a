import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const cli = (args: string[]) => run(process.execPath, ['bin/twingrain.js', ...args], { cwd: process.cwd() });

describe('twingrain incentive solve', () => {
  it('prints exactly one JSON object with m, f, g, E, Z and pi', async () => {
    const { stdout } = await cli(['incentive', 'solve', 'src/lib/incentive/scenarios/example.json']);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(Object.keys(out)).toEqual(['m', 'f', 'g', 'E', 'Z', 'pi']);
    expect(out.m).toHaveLength(3);
    expect(typeof out.pi).toBe('number');
  });

  it('fails with one line naming the parameter and a non-zero exit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'incentive-'));
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ theta: 1, sigma: 1, q: 1, providers: [{ n: 2, p: 3, vartheta: 1 }], omega: [[0]] }));
    const failure = await cli(['incentive', 'solve', file]).then(
      () => null,
      (e: { code: number; stderr: string; stdout: string }) => e,
    );
    expect(failure).not.toBeNull();
    expect(failure!.code).not.toBe(0);
    expect(failure!.stdout).toBe('');
    expect(failure!.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure!.stderr).toMatch(/parameter q\b/);
  });
});
