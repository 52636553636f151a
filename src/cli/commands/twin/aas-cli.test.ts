// `twingrain twin export --aas` and `twingrain twin import` through the real CLI (bin/twingrain.js): every reference
// twin goes out as an AASX and comes back as a folder that `twingrain twin validate` accepts with the same α.
import { describe, expect, it } from 'vitest';
import { binCli } from '../testing.node.ts';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const tmp = mkdtempSync(join(tmpdir(), 'twingrain-aas-cli-'));
const cli = binCli(tmp);

describe('twingrain twin export --aas / twin import', () => {
  for (const id of ['shdm-3ddtp-500', 'jgaurora-z-603s', 'bluemaker-bm10-450']) {
    it(`${id}: export, import, validate — same granules, same α`, async () => {
      const out = await cli('twin', 'export', resolve('static-twins', id), '--aas', '-o', `${id}.aasx`);
      expect(out.stderr).toBe('');
      expect(out.code).toBe(0);
      const exported = JSON.parse(out.stdout) as { twin: string; file: string; granules: { context: string; alpha: string }[] };
      expect(exported.twin).toBe(id);
      expect(
        readFileSync(join(tmp, `${id}.aasx`))
          .subarray(0, 2)
          .toString(),
      ).toBe('PK');

      const imp = await cli('twin', 'import', `${id}.aasx`, '-o', `imported-${id}`);
      expect(imp.code).toBe(0);
      expect(imp.stdout.trim().split('\n')).toHaveLength(1);
      const imported = JSON.parse(imp.stdout) as Record<string, unknown>;
      expect(Object.keys(imported)).toEqual(['twin', 'granules', 'unmapped']);
      expect(imported.twin).toBe(id);
      expect(imported.unmapped).toEqual([]);
      expect(imported.granules).toEqual(exported.granules.map((g) => ({ context: g.context, name: expect.any(String), alpha: g.alpha })));

      const val = await cli('twin', 'validate', `imported-${id}`);
      expect(val.code).toBe(0);
      const validated = JSON.parse(val.stdout) as { valid: boolean; granules: { context: string; alpha: string }[] };
      expect(validated.valid).toBe(true);
      expect(validated.granules.map((g) => [g.context, g.alpha])).toEqual(exported.granules.map((g) => [g.context, g.alpha]));
    });
  }

  it('refuses a hostile package with one plain line, writes nothing, and needs --aas and -o', async () => {
    // A zip entry that climbs out of the folder it would be unpacked into.
    const good = readFileSync(join(tmp, 'shdm-3ddtp-500.aasx'));
    const { unzipSync, zipSync } = await import('fflate');
    const entries = unzipSync(new Uint8Array(good));
    entries['../../escape.js'] = new TextEncoder().encode('process.exit(1)');
    writeFileSync(join(tmp, 'hostile.aasx'), zipSync(entries));
    const bad = await cli('twin', 'import', 'hostile.aasx', '-o', 'hostile-out');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/unsafe path "\.\.\/\.\.\/escape\.js"/);
    expect(bad.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(existsSync(join(tmp, 'hostile-out'))).toBe(false);

    const again = await cli('twin', 'import', 'shdm-3ddtp-500.aasx', '-o', 'imported-shdm-3ddtp-500');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists and is not empty/);

    const noFormat = await cli('twin', 'export', resolve('static-twins/shdm-3ddtp-500'), '-o', 'x.aasx');
    expect(noFormat.code).not.toBe(0);
    expect(noFormat.stderr).toMatch(/--aas/);
    const noOut = await cli('twin', 'import', 'shdm-3ddtp-500.aasx');
    expect(noOut.code).not.toBe(0);
    expect(noOut.stderr).toMatch(/usage: twingrain twin import <file>\.aasx -o <dir>/);
  });
});
