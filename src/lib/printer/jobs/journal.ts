// The resume journal: while a job prints, the state at the last line the printer confirmed (line, layer, position,
// extrusion, modes, heater targets, fan) is written to a sink — IndexedDB in the app, a file on the command line.
// A new layer is written at once; within a layer, at most once per interval, so the journal never costs the print
// its pace. After a lost link or a power cut, the journal says which layer to resume from.
import { layerOfCommand } from '../../gcode/index';
import type { MarlinHost } from '../protocol';
import type { PrintJob } from '../job';
import type { TemperatureReading } from '../responses';
import { ModalState, type ModalSnapshot } from './modal-state';
import type { JournalState, PrintJournal } from './records';

export interface JournalRecorderOptions {
  base: Pick<PrintJournal, 'printerId' | 'model' | 'fileName' | 'fileSize' | 'startedAt'> &
    Partial<Pick<PrintJournal, 'fileRef' | 'estimateSeconds' | 'resumedFromLayer'>>;
  /** The file's layers (first command of each), from the G-code analysis. */
  layers: readonly { firstCommand: number }[];
  extruders: number;
  /** Maps the job's command index to the file's (a resumed job starts with its own prelude). Default: the same. */
  fileIndex?: (jobIndex: number) => number | undefined;
  /** The state before the job's first line (a resumed job's restored state). */
  initial?: Partial<ModalSnapshot>;
  sink: (journal: PrintJournal) => Promise<void>;
  /** Actual temperatures, for the record. */
  temperatures?: () => TemperatureReading | undefined;
  intervalMs?: number;
  now?: () => number;
}

export class JournalRecorder {
  private readonly modal: ModalState;
  private readonly sentText = new Map<number, string>();
  private commandIndex: number;
  private layer: number;
  private state: JournalState = 'printing';
  private reason: string | undefined;
  private writing: Promise<void> | undefined;
  private dirty = false;
  private lastWrite = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly off: (() => void)[] = [];
  private readonly now: () => number;
  private readonly interval: number;
  /** The last write's error (a full disk must not stop the print; the UI says it). */
  lastError: unknown;

  constructor(
    host: MarlinHost,
    job: PrintJob,
    private readonly options: JournalRecorderOptions,
  ) {
    this.modal = new ModalState(options.extruders, options.initial);
    this.now = options.now ?? (() => Date.now());
    this.interval = options.intervalMs ?? 1000;
    this.commandIndex = -1;
    this.layer = -1;
    const fileIndex = options.fileIndex ?? ((i: number) => i);
    // Follow every line the printer confirms (the job's and any typed in the console while printing), so the
    // journal holds the state the machine is really in.
    this.off.push(
      host.on('sent', (n, command) => void this.sentText.set(n, command)),
      host.on('confirmed', (n) => {
        const text = this.sentText.get(n);
        this.sentText.delete(n);
        if (text !== undefined) this.modal.apply(text);
      }),
      job.onCommandDone((i) => {
        const f = fileIndex(i);
        if (f === undefined) return;
        this.commandIndex = f;
        const layer = layerOfCommand(options.layers, f);
        const newLayer = layer !== this.layer;
        this.layer = layer;
        this.schedule(newLayer);
      }),
    );
  }

  snapshot(): PrintJournal {
    const t = this.options.temperatures?.();
    return {
      version: 1,
      ...this.options.base,
      ...this.modal.snapshot(),
      updatedAt: this.now(),
      commandIndex: this.commandIndex,
      layer: this.layer,
      layerCount: this.options.layers.length,
      ...(t ? { temperatures: { hotends: t.hotends.map((h) => h.temperature), ...(t.bed ? { bed: t.bed.temperature } : {}) } } : {}),
      state: this.state,
      ...(this.reason ? { reason: this.reason } : {}),
    };
  }

  private schedule(force: boolean): void {
    if (this.writing) {
      this.dirty = true;
      return;
    }
    const wait = this.lastWrite + this.interval - this.now();
    if (!force && wait > 0) {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.schedule(true);
      }, wait);
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = false;
    this.lastWrite = this.now();
    this.writing = this.options
      .sink(this.snapshot())
      .catch((e: unknown) => void (this.lastError = e))
      .finally(() => {
        this.writing = undefined;
        if (this.dirty) this.schedule(true);
      });
  }

  /** Wait until the latest state is written. */
  async flush(): Promise<void> {
    while (this.writing || this.dirty || this.timer) {
      if (!this.writing) this.schedule(true);
      await this.writing;
    }
  }

  /** The job ended: record how, write, and stop following. */
  async finish(state: Exclude<JournalState, 'printing'>, reason?: string): Promise<void> {
    for (const o of this.off) o();
    this.state = state;
    this.reason = reason;
    this.schedule(true);
    await this.flush();
  }

  /** Stop following without a last write (the page is going away). */
  stop(): void {
    for (const o of this.off) o();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
