// `twingrain twin import <file>.aasx -o <dir>`: an AASX package back into a twin folder (twin.json + one folder per
// bounded context). Prints exactly {"twin","granules":[{context,name,alpha}],"unmapped":[{element,reason}]}.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CliUsageError, type Command } from '../../command';
import { printJson } from '../../output';
import { importAasx } from '../../../lib/aas/index';
import { writeTwinFolder } from '../../../lib/aas/folder.node.ts';

export const command: Command = {
  summary: 'import an AASX package into a new twin folder',
  usage: 'twingrain twin import <file>.aasx -o <dir>',
  async run(argv) {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: { output: { type: 'string', short: 'o' } } });
    } catch (e) {
      throw new CliUsageError(`${e instanceof Error ? e.message : String(e)}; usage: ${command.usage}`);
    }
    const { positionals, values } = parsed;
    const [file] = positionals;
    if (!file || positionals.length > 1 || !values.output) throw new CliUsageError(`usage: ${command.usage}`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}.`);
    }
    const imported = importAasx({ bytes });
    await writeTwinFolder(values.output, imported.files);
    printJson({
      twin: imported.source.id,
      granules: imported.granules.map((g) => ({ context: g.context, name: g.manifest.name, alpha: g.alpha })),
      unmapped: imported.unmapped,
    });
    return 0;
  },
};
