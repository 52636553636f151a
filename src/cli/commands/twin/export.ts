// `twingrain twin export <twin-dir> --aas -o <file>.aasx`: the twin as an AASX package (AAS V3.0, JSON).
// Prints {"twin","file","size","submodels","granules":[{context,name,alpha}]}.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CliUsageError, type Command } from '../../command';
import { printJson } from '../../output';
import { loadTwinDir } from '../../../lib/twin/source.node.ts';
import { packTwin } from '../../../lib/twin/index';
import { exportAasx } from '../../../lib/aas/index';

export const command: Command = {
  summary: 'export a twin folder as an AASX package (Asset Administration Shell)',
  usage: 'twingrain twin export <dir> --aas -o <file>.aasx',
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { aas: { type: 'boolean' }, output: { type: 'string', short: 'o' } } });
    } catch (e) {
      throw new CliUsageError(`${e instanceof Error ? e.message : String(e)}; usage: ${command.usage}`);
    }
    const { positionals, values } = parsed;
    const [dir] = positionals;
    if (!dir || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    if (!values.aas) throw new CliUsageError(`say which format to export: --aas (an AASX package) is the one there is; usage: ${command.usage}`);
    const loaded = await loadTwinDir(dir);
    const granules = packTwin(loaded);
    const result = exportAasx({ twin: loaded.twin, granules });
    const file = values.output ?? result.fileName;
    try {
      await writeFile(file, result.bytes);
    } catch (e) {
      throw new Error(`cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}. Choose another path with -o.`);
    }
    printJson({
      twin: loaded.twin.id,
      file: resolve(file),
      size: result.bytes.length,
      submodels: result.submodels,
      granules: granules.map((g) => ({ context: g.context, name: g.manifest.name, alpha: g.alpha })),
    });
    return 0;
  },
};
