// What the print farm keeps: queue items (with the file), the print history, macros and the resume journal.
import type { ModalSnapshot } from './modal-state';

export interface QueueItem {
  id: string;
  printerId: string;
  /** Order in the printer's queue (smallest first). */
  position: number;
  fileName: string;
  /** The file itself, so a queue survives a reload. */
  file: Blob;
  /** Copies still to print (1 = this is the last one). */
  copies: number;
  /** The analysis' estimate for one copy, seconds, once known. */
  estimateSeconds?: number;
  createdAt: number;
  state: 'queued';
}

export type PrintResult = 'finished' | 'failed' | 'cancelled';

export interface HistoryEntry {
  id?: number;
  printerId: string;
  /** Reference model (estimates are corrected per printer, falling back to the model). */
  model: string;
  fileName: string;
  fileSize: number;
  startedAt: number;
  endedAt: number;
  result: PrintResult;
  /** Why it failed or was cancelled, in plain words. */
  reason?: string;
  /** The analysis' estimate (not the corrected one), seconds. */
  estimateSeconds?: number;
  actualSeconds: number;
  /** Resumed from this layer (0-based) after an interruption. */
  resumedFromLayer?: number;
}

export interface Macro {
  id: string;
  printerId: string;
  name: string;
  /** G-code lines, one command each. */
  gcode: string;
}

export type JournalState = 'printing' | 'finished' | 'failed' | 'cancelled';

/** Where a print stood at its last executed line: enough to resume it after a lost link or a power cut. */
export interface PrintJournal extends ModalSnapshot {
  version: 1;
  printerId: string;
  model: string;
  fileName: string;
  fileSize: number;
  /** Queue item holding the file (browser), or the file's path (command line). */
  fileRef?: string;
  startedAt: number;
  updatedAt: number;
  /** Index among the file's commands of the last one the printer confirmed (−1: none yet). */
  commandIndex: number;
  /** Layer (0-based) of that command; −1 before the first layer. */
  layer: number;
  layerCount: number;
  /** Actual temperatures at the last report, °C (targets are in `hotends` / `bed`). */
  temperatures?: { hotends: number[]; bed?: number };
  state: JournalState;
  /** Why the print stopped, when it did not finish. */
  reason?: string;
  estimateSeconds?: number;
  resumedFromLayer?: number;
}
