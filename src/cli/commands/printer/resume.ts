// twingrain printer resume <journal.json> --virtual <model> [--layer N] [--file <file.gcode>] [--baud N] [--faults <rate>]
//                                          [--realtime]
// Resumes a print that `printer stream --journal <journal.json>` left unfinished (the process was killed, the link or
// the power went): re-heats, homes X and Y only, restores Z and E, and continues from the first line of layer N
// (1-based; the layer the journal stopped in by default). The journal keeps being updated, so a resumed print can be
// resumed again. A virtual printer starts powered up afresh, as after a power cut.
// Prints the same JSON as `printer stream`, over the lines this run streamed (the resume preamble and the rest of
// the file): {"linesSent","linesExecuted","resends","seconds","linkUtilization"}.
import { readFile } from 'node:fs/promises';
import { printJson } from '../../output';
import { CliUsageError } from '../../command';
import { baudFlag, faultsFlag, printerFlags, virtualLink } from './link-flags';
import { parseJournal, planResume, resumeSource, resumedFileIndex } from '../../../lib/printer/jobs/index';
import { fileSource } from '../../../lib/printer/line-source.node.ts';
import { getPrinterProfile } from '../../../lib/machines/index';
import { fileLayers, journalToFile, streamJournaled } from './journal-file';

const usage = 'usage: twingrain printer resume <journal.json> --virtual <model> [--layer N] [--file <file.gcode>] [--baud N] [--faults <rate>] [--realtime]';

export async function run(argv: string[]): Promise<number> {
  const parsed = printerFlags(
    argv,
    {
      virtual: { type: 'string' },
      layer: { type: 'string' },
      file: { type: 'string' },
      baud: { type: 'string' },
      faults: { type: 'string' },
      seed: { type: 'string' },
      realtime: { type: 'boolean' },
    },
    usage,
  );
  const { values: flags, positionals } = parsed;
  const journalPath = positionals[0];
  if (!journalPath || !flags.virtual) throw new CliUsageError(usage);
  let text: string;
  try {
    text = await readFile(journalPath, 'utf8');
  } catch {
    throw new CliUsageError(`cannot read the journal ${journalPath}: check the path`);
  }
  const journal = parseJournal(text);
  const profile = getPrinterProfile(flags.virtual);
  if (journal.model !== profile.id) {
    throw new CliUsageError(`the journal is for a ${journal.model} printer, not ${profile.id}: resume it on the printer that started it`);
  }
  if (journal.state === 'finished') throw new CliUsageError('that print finished: there is nothing to resume');
  const gcodePath = flags.file ?? journal.fileRef;
  if (!gcodePath) throw new CliUsageError('the journal does not say which file was printing: pass it with --file');
  let source;
  try {
    source = fileSource(gcodePath);
  } catch {
    throw new CliUsageError(`cannot read ${gcodePath}: check the path, or pass the file with --file`);
  }
  if (source.size !== journal.fileSize) {
    throw new CliUsageError(`${gcodePath} is not the file that was printing (its size changed): pass the original with --file`);
  }
  const layerArg = flags.layer === undefined ? journal.layer + 1 : Number(flags.layer);
  if (!Number.isInteger(layerArg) || layerArg < 1) throw new CliUsageError(`--layer is a layer number from 1, got ${String(flags.layer)}`);
  if (journal.layer < 0 && flags.layer === undefined) throw new CliUsageError('the print stopped before its first layer: start it again with printer stream');
  const baud = baudFlag(flags.baud, profile.baud);
  const rate = faultsFlag(flags.faults);

  const { layers, estimateSeconds } = await fileLayers(gcodePath, profile);
  const plan = await planResume(source, layers, layerArg - 1, profile, {
    currentZ: journal.z,
    fallbackTemperatures: { hotends: journal.hotends, bed: journal.bed },
  });

  // The same measured stream as `printer stream`, its journal kept from the resumed layer on.
  const { link, observeExecuted } = virtualLink(profile, baud, rate, flags);
  const report = await streamJournaled(
    {
      link,
      baud,
      source: resumeSource(source, plan),
      host: { rxBufferSize: profile.rxBufferSize, maxCommandSize: profile.maxCommandSize },
      job: { profile },
      observeExecuted,
    },
    (job, host) =>
      journalToFile({
        journalPath,
        gcodePath,
        host,
        job,
        profile,
        size: source.size,
        layers,
        estimateSeconds,
        fileIndex: resumedFileIndex(plan),
        initial: plan.state,
        resumedFromLayer: plan.layer,
      }),
  );
  printJson(report);
  return 0;
}
