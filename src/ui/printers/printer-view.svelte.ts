// Reactive mirror of one Printer for the panel. Updates are coalesced to one per animation frame.
import type { JobProgress, Printer, PrinterSnapshot, TemperatureSample } from '../../lib/printer/index';
import { layerOfCommand } from '../../lib/printer/index';
import type { ViewerAnalysis } from './gcode-client';

export interface PositionStamp {
  x: number;
  y: number;
  z: number;
  /** performance.now() when the report arrived. */
  at: number;
}

export class PrinterView {
  snapshot = $state<PrinterSnapshot>() as PrinterSnapshot;
  history = $state<TemperatureSample[]>([]);
  consoleLog = $state<{ dir: 'in' | 'out'; text: string }[]>([]);
  position = $state<PositionStamp>({ x: 0, y: 0, z: 0, at: 0 });
  analysis = $state.raw<ViewerAnalysis | undefined>(undefined);
  analysing = $state<number | undefined>(undefined);
  /** Index of the last command of the current job the firmware has executed. */
  doneCommand = $state(-1);
  layer = $derived(this.analysis ? layerOfCommand(this.analysis.layers, this.doneCommand) : -1);
  /** Estimate (s) of the file being printed, and the actual time once finished. */
  estimateSeconds = $state<number | undefined>(undefined);
  actualSeconds = $state<number | undefined>(undefined);
  job = $derived<JobProgress | undefined>(this.snapshot.job);
  private pending = false;
  private off: (() => void)[] = [];

  constructor(readonly printer: Printer) {
    this.snapshot = printer.snapshot();
    this.off.push(printer.subscribe(() => this.schedule()));
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
      const job = this.printer.job;
      if (job?.state === 'done' && this.actualSeconds === undefined) this.actualSeconds = job.progress().elapsedMs / 1000;
    };
    if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(run);
    else setTimeout(run, 50);
  }

  trackJob(): void {
    const job = this.printer.job;
    if (!job) return;
    this.doneCommand = -1;
    this.actualSeconds = undefined;
    this.off.push(job.onCommandDone((i) => (this.doneCommand = i)));
  }

  dispose(): void {
    for (const o of this.off) o();
  }
}
