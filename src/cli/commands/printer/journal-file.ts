// The resume journal as a file for `printer stream --journal <file>` and `printer resume`: rewritten atomically
// (a temporary file renamed over it), so a power cut or a killed process leaves the last complete state.
import { rename, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { JournalRecorder, serializeJournal, type ModalSnapshot } from '../../../lib/printer/jobs/index';
import { readLines, streamFile, type MarlinHost, type PrintJob, type StreamOptions, type StreamReport } from '../../../lib/printer/index';
import { fileSource } from '../../../lib/printer/line-source.node.ts';
import { machineOf, type PrinterProfile } from '../../../lib/machines/index';
import { analyzeGcode } from '../../../lib/gcode/index';

export async function fileLayers(path: string, profile: PrinterProfile): Promise<{ layers: { firstCommand: number; z: number }[]; estimateSeconds: number }> {
  const a = await analyzeGcode(readLines(fileSource(path)), machineOf(profile));
  return { layers: a.layers, estimateSeconds: a.estimateSeconds };
}

export async function journalToFile(options: {
  journalPath: string;
  gcodePath: string;
  host: MarlinHost;
  job: PrintJob;
  profile: PrinterProfile;
  size: number;
  layers: { firstCommand: number; z: number }[];
  estimateSeconds: number;
  fileIndex?: (jobIndex: number) => number | undefined;
  initial?: ModalSnapshot;
  resumedFromLayer?: number;
}): Promise<JournalRecorder> {
  const target = resolve(options.journalPath);
  const tmp = `${target}.tmp`;
  const gcode = resolve(options.gcodePath);
  return new JournalRecorder(options.host, options.job, {
    base: {
      printerId: `virtual:${options.profile.id}`,
      model: options.profile.id,
      fileName: gcode.split('/').pop() ?? gcode,
      fileSize: options.size,
      fileRef: gcode,
      startedAt: Date.now(),
      estimateSeconds: options.estimateSeconds,
      ...(options.resumedFromLayer !== undefined ? { resumedFromLayer: options.resumedFromLayer } : {}),
    },
    layers: options.layers,
    extruders: options.profile.features.extruders,
    ...(options.fileIndex ? { fileIndex: options.fileIndex } : {}),
    ...(options.initial ? { initial: options.initial } : {}),
    intervalMs: 250,
    sink: async (j) => {
      await writeFile(tmp, serializeJournal(j));
      await rename(tmp, target);
    },
  });
}

/**
 * streamFile, with a journal started once the job exists (when `journal` is given) and finished as 'finished', or as
 * 'failed' with the error's sentence.
 */
export async function streamJournaled(
  options: Omit<StreamOptions, 'onJob'>,
  journal?: (job: PrintJob, host: MarlinHost) => Promise<JournalRecorder>,
): Promise<StreamReport> {
  let recorder: Promise<JournalRecorder> | undefined;
  try {
    const report = await streamFile({ ...options, ...(journal ? { onJob: (job, host) => (recorder = journal(job, host)) } : {}) });
    await (await recorder)?.finish('finished');
    return report;
  } catch (error) {
    await (await recorder)?.finish('failed', (error as Error).message);
    throw error;
  }
}
