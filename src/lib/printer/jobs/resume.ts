// Resume from a layer after a lost link, a closed tab or a power cut: re-heat, home X and Y only (the part is still on
// the bed, so Z must not go down to its endstop), restore Z and E, and continue from the layer's first line. The file
// is read up to that line to learn the state it expects there (position, extrusion, modes, temperatures, fan, tool).
import { readLines, type LineSource } from '../line-source';
import { stripComment } from '../framing';
import type { PrinterProfile } from '../../machines/index';
import { ModalState, type ModalSnapshot } from './modal-state';
import { ResumeUnavailableError } from './errors';

export interface ResumePlan {
  /** 0-based layer resumed from. */
  layer: number;
  /** Index among the file's commands of the layer's first line. */
  startCommand: number;
  /** Byte offset in the file where that line starts. */
  startOffset: number;
  /** The state the file expects at that line. */
  state: ModalSnapshot;
  /** Commands sent before the file continues. */
  prelude: string[];
}

export interface ResumeOptions {
  /** Where the nozzle stands now (the journal's Z); the layer's Z when unknown. */
  currentZ?: number;
  /** Heater targets to use when the file set none before this layer (the journal's). */
  fallbackTemperatures?: { hotends: number[]; bed: number };
  /** Lift before homing X and Y, mm. */
  lift?: number;
}

const f2 = (v: number) => Number(v.toFixed(3)).toString();

export async function planResume(
  source: LineSource,
  layers: readonly { firstCommand: number; z: number }[],
  layer: number,
  profile: PrinterProfile,
  options: ResumeOptions = {},
): Promise<ResumePlan> {
  if (!Number.isInteger(layer) || layer < 0 || layer >= layers.length) {
    throw new ResumeUnavailableError(`layer ${layer + 1} is not in this file (it has ${layers.length} layers)`);
  }
  const startCommand = layers[layer]!.firstCommand;
  const modal = new ModalState(profile.features.extruders);
  let index = 0;
  let lineStart = 0;
  let startOffset = -1;
  for await (const line of readLines(source)) {
    const command = stripComment(line.text);
    if (command) {
      if (index === startCommand) {
        startOffset = lineStart;
        break;
      }
      modal.apply(command);
      index++;
    }
    lineStart = line.endOffset;
  }
  if (startOffset < 0) throw new ResumeUnavailableError('the file is shorter than its layer table says; choose the file again');
  const state = modal.snapshot();
  const f = profile.features;
  const hotends = state.hotends.map((t, i) => (t > 0 ? t : (options.fallbackTemperatures?.hotends[i] ?? 0)));
  const bed = state.bed > 0 ? state.bed : (options.fallbackTemperatures?.bed ?? 0);
  const zNow = Math.max(options.currentZ ?? state.z, state.z);
  const lift = Math.min(options.lift ?? 2, Math.max(0, profile.volume.z - zNow));
  const prelude: string[] = [];
  // Heat everything at once, then wait: the bed and nozzle warm up together.
  if (f.heatedBed && bed > 0) prelude.push(`M140 S${f2(bed)}`);
  hotends.forEach((t, i) => t > 0 && prelude.push(`M104 T${i} S${f2(t)}`));
  if (f.heatedBed && bed > 0) prelude.push(`M190 S${f2(bed)}`);
  hotends.forEach((t, i) => t > 0 && prelude.push(`M109 T${i} S${f2(t)}`));
  if (f.extruders > 1) prelude.push(`T${state.tool}`);
  prelude.push(
    // After a power cut the printer does not know where Z is: it is where the print stopped.
    `G92 Z${f2(zNow)}`,
    'G91',
    `G1 Z${f2(lift)} F600`,
    'G90',
    'G28 X Y',
    `G1 X${f2(state.x)} Y${f2(state.y)} F6000`,
    `G1 Z${f2(state.z)} F600`,
    `G92 E${f2(state.e)}`,
    state.relative ? 'G91' : 'G90',
    state.relativeE ? 'M83' : 'M82',
    `G1 F${f2(state.feed)}`,
  );
  if (f.fan) prelude.push(state.fan > 0 ? `M106 S${Math.round(state.fan)}` : 'M107');
  return { layer, startCommand, startOffset, state, prelude };
}

/** The file from a byte offset on (the start of a line). */
export function sourceFrom(source: LineSource, offset: number): LineSource {
  return {
    name: source.name,
    size: Math.max(0, source.size - offset),
    async *open() {
      let skipped = 0;
      for await (const chunk of source.open()) {
        if (skipped >= offset) {
          yield chunk;
          continue;
        }
        const take = offset - skipped;
        skipped += Math.min(take, chunk.length);
        if (chunk.length > take) yield chunk.subarray(take);
      }
    },
  };
}

/** Prelude lines, then the file from the plan's line: what a resumed job streams. */
export function resumeSource(source: LineSource, plan: ResumePlan): LineSource {
  const head = new TextEncoder().encode(plan.prelude.join('\n') + '\n');
  const rest = sourceFrom(source, plan.startOffset);
  return {
    name: source.name,
    size: head.length + rest.size,
    async *open() {
      yield head;
      yield* rest.open();
    },
  };
}

/** For a resumed job: its command index → the file's (undefined for prelude lines). */
export function resumedFileIndex(plan: ResumePlan): (jobIndex: number) => number | undefined {
  const n = plan.prelude.length;
  return (i) => (i < n ? undefined : plan.startCommand + (i - n));
}
