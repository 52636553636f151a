// Estimates corrected from what past prints really took. A slicer's or the analysis' estimate is usually off by a
// steady factor per printer (acceleration settings, heating, the host), so the factor measured on earlier prints is
// applied to the next one. The same file printed before on the same printer is the best guide of all.
import type { HistoryEntry } from './records';

export interface CorrectedEstimate {
  /** Seconds for the whole print. */
  seconds: number;
  /** The analysis' estimate it started from. */
  rawSeconds: number;
  /** actual ÷ estimated applied (1 when nothing is known). */
  factor: number;
  /** What the correction rests on. */
  basis: 'same-file' | 'printer' | 'model' | 'none';
  /** How many past prints it rests on. */
  samples: number;
}

const RECENT = 10;

function usable(h: HistoryEntry): h is HistoryEntry & { estimateSeconds: number } {
  // Only whole prints teach anything: a failed, cancelled or resumed one ran for part of its estimate.
  return h.result === 'finished' && h.resumedFromLayer === undefined && (h.estimateSeconds ?? 0) > 0 && h.actualSeconds > 0;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Correct `rawSeconds` for a file about to print on `printerId` (a `model` printer), from `history` (any order).
 * The median ratio resists one print that was paused for an hour.
 */
export function correctEstimate(
  rawSeconds: number,
  file: { name: string; size: number },
  printerId: string,
  model: string,
  history: HistoryEntry[],
): CorrectedEstimate {
  const good = history.filter(usable).sort((a, b) => b.startedAt - a.startedAt);
  const ratio = (h: HistoryEntry & { estimateSeconds: number }) => Math.min(10, Math.max(0.1, h.actualSeconds / h.estimateSeconds));
  const same = good.filter((h) => h.printerId === printerId && h.fileName === file.name && h.fileSize === file.size).slice(0, RECENT);
  const pick = (basis: CorrectedEstimate['basis'], rows: (HistoryEntry & { estimateSeconds: number })[]): CorrectedEstimate => {
    const factor = median(rows.map(ratio));
    return { seconds: rawSeconds * factor, rawSeconds, factor, basis, samples: rows.length };
  };
  if (same.length > 0) return pick('same-file', same);
  const printer = good.filter((h) => h.printerId === printerId).slice(0, RECENT);
  if (printer.length > 0) return pick('printer', printer);
  const sameModel = good.filter((h) => h.model === model).slice(0, RECENT);
  if (sameModel.length > 0) return pick('model', sameModel);
  return { seconds: rawSeconds, rawSeconds, factor: 1, basis: 'none', samples: 0 };
}

/**
 * One clock for a running print: elapsed, remaining and total always add up (total = elapsed + remaining). Early on
 * the corrected estimate leads; as the print advances, the pace measured so far takes over.
 */
export function printClock(
  elapsedMs: number,
  fraction: number,
  estimateSeconds: number | undefined,
): { elapsedSeconds: number; remainingSeconds: number | undefined; totalSeconds: number | undefined } {
  const elapsed = Math.max(0, elapsedMs / 1000);
  const f = Math.min(1, Math.max(0, fraction));
  if (f >= 1) return { elapsedSeconds: elapsed, remainingSeconds: 0, totalSeconds: elapsed };
  const byEstimate = estimateSeconds !== undefined ? Math.max(0, estimateSeconds * (1 - f)) : undefined;
  const byPace = f > 0.02 && elapsed > 0 ? (elapsed / f) * (1 - f) : undefined;
  let remaining: number | undefined;
  if (byEstimate !== undefined && byPace !== undefined) {
    // Trust the pace more the further the print has come.
    const w = Math.min(1, f * 2);
    remaining = byEstimate * (1 - w) + byPace * w;
  } else remaining = byPace ?? byEstimate;
  return { elapsedSeconds: elapsed, remainingSeconds: remaining, totalSeconds: remaining === undefined ? undefined : elapsed + remaining };
}

/** "1 h 5 min", "3 min 20 s", "12 s". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${Math.round((s % 3600) / 60)} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${s} s`;
}
