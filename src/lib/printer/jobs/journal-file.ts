// A journal kept as a JSON file (the command line's `--journal <file>`): parsed strictly, so a wrong or damaged file
// gives a clear error instead of a resume from the wrong place.
import * as v from 'valibot';
import { InvalidJournalError } from './errors';
import type { PrintJournal } from './records';

const num = v.pipe(v.number(), v.finite());
const JournalSchema = v.object({
  version: v.literal(1),
  printerId: v.string(),
  model: v.string(),
  fileName: v.string(),
  fileSize: v.pipe(num, v.minValue(0)),
  fileRef: v.optional(v.string()),
  startedAt: num,
  updatedAt: num,
  commandIndex: v.pipe(num, v.integer(), v.minValue(-1)),
  layer: v.pipe(num, v.integer(), v.minValue(-1)),
  layerCount: v.pipe(num, v.integer(), v.minValue(0)),
  x: num,
  y: num,
  z: num,
  e: num,
  feed: num,
  relative: v.boolean(),
  relativeE: v.boolean(),
  hotends: v.array(num),
  bed: num,
  fan: num,
  tool: v.pipe(num, v.integer(), v.minValue(0)),
  temperatures: v.optional(v.object({ hotends: v.array(num), bed: v.optional(num) })),
  state: v.picklist(['printing', 'finished', 'failed', 'cancelled']),
  reason: v.optional(v.string()),
  estimateSeconds: v.optional(num),
  resumedFromLayer: v.optional(num),
});

export function parseJournal(text: string): PrintJournal {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidJournalError('it is not JSON');
  }
  const r = v.safeParse(JournalSchema, json);
  if (!r.success) {
    const issue = r.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
    throw new InvalidJournalError(`${path ? `"${path}" ` : ''}${issue.message.toLowerCase()}`);
  }
  return r.output as PrintJournal;
}

export function serializeJournal(j: PrintJournal): string {
  return JSON.stringify(j, null, 1) + '\n';
}
