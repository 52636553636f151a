// Reactive mirror of one Printer and its jobs (queue, current print, history, resume offer) for the panel and the
// dashboard. Updates are coalesced to one per animation frame.
import type { JobProgress, Printer, PrinterSnapshot, TemperatureSample } from '../../lib/printer/index';
import { layerOfCommand } from '../../lib/printer/index';
import type { ViewerAnalysis } from './gcode-client';
import {
  printClock,
  type FarmEvent,
  type FarmState,
  type HistoryEntry,
  type PrinterJobs,
  type PrintJournal,
  type QueueItem,
} from '../../lib/printer/jobs/index';

export interface PositionStamp {
  x: number;
  y: number;
  z: number;
  /** performance.now() when the report arrived. */
  at: number;
}

export interface CurrentView {
  fileName: string;
  /** The corrected estimate for this print (s). */
  estimateSeconds: number;
  estimateBasis: string;
  resumedFromLayer: number | undefined;
}

/** Position reports (M114 answers, auto-reports): the console hides them unless asked. */
export function isPositionReport(text: string): boolean {
  return /^\s*X:\s*-?[\d.]+\s+Y:\s*-?[\d.]+\s+Z:/.test(text);
}

export class PrinterView {
  snapshot = $state<PrinterSnapshot>() as PrinterSnapshot;
  history = $state<TemperatureSample[]>([]);
  consoleLog = $state<{ dir: 'in' | 'out'; text: string }[]>([]);
  position = $state<PositionStamp>({ x: 0, y: 0, z: 0, at: 0 });
  analysis = $state.raw<ViewerAnalysis | undefined>(undefined);
  analysing = $state<number | undefined>(undefined);
  /** Index (among the file's commands) of the last command of the current print the firmware has executed. */
  doneCommand = $state(-1);
  layer = $derived(this.analysis ? layerOfCommand(this.analysis.layers, this.doneCommand) : -1);
  job = $derived<JobProgress | undefined>(this.snapshot.job);
  // Jobs.
  queue = $state<QueueItem[]>([]);
  farmState = $state<FarmState>('idle');
  current = $state<CurrentView | undefined>(undefined);
  printHistory = $state<HistoryEntry[]>([]);
  resumable = $state<PrintJournal | undefined>(undefined);
  last = $state<FarmEvent | undefined>(undefined);
  /** Elapsed / remaining / total of the running print, on one clock. */
  clock = $derived(this.job && this.current ? printClock(this.job.elapsedMs, this.job.fraction, this.current.estimateSeconds) : undefined);
  private pending = false;
  private off: (() => void)[] = [];
  private trackedJob: unknown;
  private offJob: (() => void) | undefined;

  constructor(
    readonly printer: Printer,
    readonly jobs?: PrinterJobs,
    private readonly analysisOf?: (item: QueueItem) => ViewerAnalysis | undefined,
  ) {
    this.snapshot = printer.snapshot();
    this.off.push(printer.subscribe(() => this.schedule()));
    if (jobs) this.off.push(jobs.subscribe(() => this.schedule()));
    this.off.push(
      printer.host.on('position', (p) => {
        this.position = { x: p.x, y: p.y, z: p.z, at: performance.now() };
      }),
    );
  }

  private schedule(): void {
    if (this.pending) return;
    this.pending = true;
    const run = () => {
      this.pending = false;
      this.snapshot = this.printer.snapshot();
      this.history = this.printer.history.slice();
      this.consoleLog = this.printer.consoleLog.slice(-200);
      const jobs = this.jobs;
      if (jobs) {
        this.queue = jobs.queue.list();
        this.farmState = jobs.state;
        this.printHistory = jobs.history.slice(0, 50);
        this.resumable = jobs.resumable;
        this.last = jobs.last;
        const c = jobs.current;
        this.current = c
          ? { fileName: c.fileName, estimateSeconds: c.estimate.seconds, estimateBasis: c.estimate.basis, resumedFromLayer: c.resumedFromLayer }
          : undefined;
        if (c && c.job !== this.trackedJob) {
          this.trackedJob = c.job;
          const item = this.queue.find((q) => q.id === c.itemId);
          const a = item && this.analysisOf?.(item);
          if (a) this.analysis = a;
          this.doneCommand = c.fileIndex(0) === undefined ? (c.layers[c.resumedFromLayer ?? 0]?.firstCommand ?? 0) - 1 : -1;
          this.offJob?.();
          this.offJob = c.job.onCommandDone((i) => {
            const f = c.fileIndex(i);
            if (f !== undefined) this.doneCommand = f;
          });
        }
      }
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(run);
    else setTimeout(run, 50);
  }

  dispose(): void {
    for (const o of this.off) o();
    this.offJob?.();
  }
}
