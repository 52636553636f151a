// The granule and twin commands through the real CLI (bin/twingrain.js), including determinism across file
// creation order and timestamps.
import { describe, expect, it } from 'vitest';
import { binCli } from '../testing.node.ts';
import { cpSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'twingrain-cli-'));
const cli = binCli(tmp);
const source = resolve('static-twins/bluemaker-bm10-450/automation');

describe('twingrain granule / twin', () => {
  it('pack is deterministic across file order and timestamps, and inspect prints the manifest', async () => {
    const names = readdirSync(source);
    // Two copies written in opposite orders with different modification times.
    const dirs = [join(tmp, 'a'), join(tmp, 'b')];
    [names, [...names].reverse()].forEach((order, i) => {
      mkdirSync(dirs[i]!);
      for (const n of order) {
        writeFileSync(join(dirs[i]!, n), readFileSync(join(source, n)));
        utimesSync(join(dirs[i]!, n), new Date(2001 + i * 20, i, 1), new Date(2001 + i * 20, i, 1));
      }
    });
    const [a, b] = await Promise.all([cli('granule', 'pack', dirs[0]!, '-o', 'a.granule'), cli('granule', 'pack', dirs[1]!, '-o', 'b.granule')]);
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout) as Record<string, unknown>;
    const jb = JSON.parse(b.stdout) as Record<string, unknown>;
    expect(Object.keys(ja)).toEqual(['alpha', 'sha256', 'size', 'file']);
    expect(ja.alpha).toMatch(/^0x[0-9a-f]{64}$/);
    expect(ja.alpha).toBe(jb.alpha);
    expect(ja.sha256).toBe(jb.sha256);
    expect(readFileSync(join(tmp, 'a.granule')).equals(readFileSync(join(tmp, 'b.granule')))).toBe(true);
    expect(a.stdout.trim().split('\n')).toHaveLength(1);
    const inspected = await cli('granule', 'inspect', 'a.granule');
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.stdout)).toMatchObject({ name: 'bluemaker-bm10-450/automation', context: 'automation', files: expect.any(Array) });
    // A truncated copy is refused with one line and no stack trace.
    writeFileSync(join(tmp, 'cut.granule'), readFileSync(join(tmp, 'a.granule')).subarray(0, 200));
    const cut = await cli('granule', 'inspect', 'cut.granule');
    expect(cut.code).not.toBe(0);
    expect(cut.stdout).toBe('');
    expect(cut.stderr.trim().split('\n')).toHaveLength(1);
    expect(cut.stderr).toMatch(/truncated/);
    expect(cut.stderr).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('twin validate accepts a reference twin and lists the violations of a broken one', async () => {
    const ok = await cli('twin', 'validate', resolve('static-twins/shdm-3ddtp-500'));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ twin: 'shdm-3ddtp-500', valid: true, contexts: 9, warnings: [] });
    // A copy of the JGAurora twin whose task context has lost its view, and whose sensing context is also listed in business.
    const root = join(tmp, 'twins');
    cpSync(resolve('static-twins'), root, { recursive: true });
    rmSync(join(root, 'shdm-3ddtp-500/task/view.js'));
    const twinFile = join(root, 'jgaurora-z-603s/twin.json');
    const twin = JSON.parse(readFileSync(twinFile, 'utf8'));
    twin.domains[2].contexts.push({ name: 'sensing', granule: '../shdm-3ddtp-500/sensing' });
    writeFileSync(twinFile, JSON.stringify(twin));
    const bad = await cli('twin', 'validate', join(root, 'jgaurora-z-603s'));
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { valid: boolean; violations: { definition: number; element: string }[] };
    expect(report.valid).toBe(false);
    expect(report.violations.map((v) => v.element)).toEqual(
      expect.arrayContaining(['context sensing (domain business)', expect.stringMatching(/^context task/)]),
    );
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
  });
});
