// `twingrain granule pack <dir> [-o <file>]` → {"alpha","sha256","size","file"}
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { CliUsageError, type Command } from '../../command';
import { parseFlags, printJson } from '../../output';
import { packGranule } from '../../../lib/granule/index';
import { readGranuleDir } from '../../../lib/granule/source.node.ts';

export const command: Command = {
  summary: 'pack a granule source folder into its deterministic archive',
  usage: 'twingrain granule pack <dir> [-o <file>]',
  async run(argv) {
    const { positionals, values } = parseFlags(argv, { output: { type: 'string', short: 'o' } });
    const [dir] = positionals;
    if (!dir || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    const packed = packGranule({ files: await readGranuleDir(dir) });
    // Default name from the manifest, e.g. shdm-3ddtp-500-appearance-1.0.0.granule in the current folder.
    const file = values.output ?? `${packed.manifest.name.replace(/\//g, '-')}-${packed.manifest.version}.granule`;
    try {
      await writeFile(file, packed.bytes);
    } catch (e) {
      throw new Error(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}. Choose another path with -o.`);
    }
    printJson({ alpha: packed.alphaHex, sha256: packed.sha256, size: packed.size, file: resolve(file) });
    return 0;
  },
};
