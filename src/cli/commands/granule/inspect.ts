// `twingrain granule inspect <file>` → the verified manifest as one JSON object.
import { readFile } from 'node:fs/promises';
import { CliUsageError, type Command } from '../../command';
import { parseFlags, printJson } from '../../output';
import { unpackGranule } from '../../../lib/granule/index';

export const command: Command = {
  summary: 'verify a granule archive and print its manifest',
  usage: 'twingrain granule inspect <file>',
  async run(argv) {
    const { positionals } = parseFlags(argv, {});
    const [file] = positionals;
    if (!file || positionals.length > 1) throw new CliUsageError(`usage: ${command.usage}`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (e) {
      throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    printJson(unpackGranule({ bytes }).manifest);
    return 0;
  },
};
