// One printer run as a print farm runs it: a queue of files (with copies), each print recorded in the history with
// its estimate and actual time, estimates corrected from that history, the print journaled for a resume, and a
// confirmation ("the bed is clear") before the next file starts by itself.
import type { Printer } from '../printer';
import type { PrintJob } from '../job';
import { blobSource, type LineSource } from '../line-source';
import { JobCancelledError } from '../errors';
import { JobQueue } from './queue';
import type { JobsStore } from './store';
import type { HistoryEntry, PrintJournal, PrintResult, QueueItem } from './records';
import { correctEstimate, type CorrectedEstimate } from './estimate';
import { JournalRecorder } from './journal';
import { planResume, resumeSource, resumedFileIndex, type ResumePlan } from './resume';
import { PrinterBusyError, QueueItemNotFoundError, ResumeUnavailableError } from './errors';

export interface FileAnalysis {
  estimateSeconds: number;
  layers: readonly { firstCommand: number; z: number }[];
}

export type FarmState = 'idle' | 'printing' | 'awaiting-confirmation';

export interface FarmEvent {
  result: PrintResult;
  printerId: string;
  fileName: string;
  /** Why it failed or was cancelled. */
  reason?: string;
  actualSeconds: number;
}

export interface CurrentPrint {
  itemId: string;
  fileName: string;
  fileSize: number;
  startedAt: number;
  estimate: CorrectedEstimate;
  layers: readonly { firstCommand: number; z: number }[];
  job: PrintJob;
  /** The job's command index → the file's (differs for a resumed print). */
  fileIndex: (jobIndex: number) => number | undefined;
  resumedFromLayer?: number;
}

export interface PrinterJobsOptions {
  printerId: string;
  store: JobsStore;
  /** The G-code analysis (a worker in the browser): the estimate and the layer table. */
  analyze: (file: Blob, name: string) => Promise<FileAnalysis>;
  journalIntervalMs?: number;
  now?: () => number;
}

export class PrinterJobs {
  readonly queue: JobQueue;
  state: FarmState = 'idle';
  current: CurrentPrint | undefined;
  history: HistoryEntry[] = [];
  /** The journal of an interrupted print that can be resumed, if any. */
  resumable: PrintJournal | undefined;
  /** The last print's outcome, until the next one starts. */
  last: FarmEvent | undefined;
  private listeners = new Set<() => void>();
  private eventListeners = new Set<(e: FarmEvent) => void>();
  private readonly now: () => number;
  private starting = false;

  constructor(
    readonly printer: Printer,
    private readonly options: PrinterJobsOptions,
  ) {
    this.queue = new JobQueue(options.printerId, options.store);
    this.now = options.now ?? (() => Date.now());
  }

  get printerId(): string {
    return this.options.printerId;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when a print finishes, fails or is cancelled. */
  onEnd(listener: (e: FarmEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  async load(): Promise<void> {
    await this.queue.load();
    this.history = await this.options.store.history(this.printerId);
    const journal = await this.options.store.journal(this.printerId);
    this.resumable = journal && (await this.canResume(journal)) ? journal : undefined;
    this.changed();
  }

  private async canResume(j: PrintJournal): Promise<boolean> {
    if (j.state === 'finished' || j.state === 'cancelled' || j.layer < 0) return false;
    return j.fileRef !== undefined && (await this.options.store.queueItem(j.fileRef)) !== undefined;
  }

  /** Add files to the end of the queue. Nothing starts by itself: the person presses Start. */
  async addFiles(files: { name: string; blob: Blob }[], copies = 1): Promise<QueueItem[]> {
    const added = await this.queue.add(files, copies);
    this.changed();
    return added;
  }

  async remove(id: string): Promise<void> {
    if (this.current?.itemId === id) throw new PrinterBusyError('printing this file');
    await this.queue.remove(id);
    if (this.resumable?.fileRef === id) this.resumable = undefined;
    this.changed();
  }

  async move(id: string, to: number): Promise<void> {
    await this.queue.move(id, to);
    this.changed();
  }

  async setCopies(id: string, copies: number): Promise<void> {
    await this.queue.setCopies(id, copies);
    this.changed();
  }

  /** Record a queued file's estimate once its analysis is done. */
  async setEstimate(id: string, seconds: number): Promise<void> {
    await this.queue.setEstimate(id, seconds);
    this.changed();
  }

  /** The estimate for a file on this printer, corrected from its history. */
  estimateFor(file: { name: string; size: number }, rawSeconds: number): CorrectedEstimate {
    return correctEstimate(rawSeconds, file, this.printerId, this.printer.profile.id, this.history);
  }

  /** Start the first file of the queue. */
  async startNext(): Promise<void> {
    const item = this.queue.first();
    if (!item) return;
    await this.start(item);
  }

  /** The person confirmed the bed is clear: start the next file. */
  async confirmNext(): Promise<void> {
    if (this.state !== 'awaiting-confirmation') return;
    this.state = 'idle';
    await this.startNext();
  }

  /** Do not start the next file now. */
  holdQueue(): void {
    if (this.state === 'awaiting-confirmation') this.state = 'idle';
    this.changed();
  }

  private checkReady(): void {
    if (this.starting || this.current) throw new PrinterBusyError('already printing');
    if (this.printer.status !== 'ready') throw new PrinterBusyError(this.printer.status);
  }

  private async start(item: QueueItem, plan?: ResumePlan): Promise<void> {
    this.checkReady();
    this.starting = true;
    try {
      const analysis = await this.options.analyze(item.file, item.fileName);
      if (item.estimateSeconds === undefined) await this.queue.setEstimate(item.id, analysis.estimateSeconds);
      const file = blobSource(item.file, item.fileName);
      let source: LineSource = file;
      const resumed: ResumePlan | undefined = plan;
      if (resumed) source = resumeSource(file, resumed);
      const estimate = this.estimateFor({ name: item.fileName, size: item.file.size }, analysis.estimateSeconds);
      // A resumed print has only the rest of the file to go.
      const scaled = resumed ? estimate.seconds * (1 - resumed.startOffset / Math.max(1, item.file.size)) : estimate.seconds;
      if (this.printer.status !== 'ready') throw new PrinterBusyError(this.printer.status);
      this.printer.enqueueJob(source, scaled);
      const job = this.printer.job;
      if (!job || job.source !== source) throw new PrinterBusyError(this.printer.status);
      const fileIndex = resumed ? resumedFileIndex(resumed) : (i: number) => i;
      this.current = {
        itemId: item.id,
        fileName: item.fileName,
        fileSize: item.file.size,
        startedAt: this.now(),
        estimate: { ...estimate, seconds: scaled },
        layers: analysis.layers,
        job,
        fileIndex,
        ...(resumed ? { resumedFromLayer: resumed.layer } : {}),
      };
      this.state = 'printing';
      this.last = undefined;
      this.resumable = undefined;
      this.changed();
      void this.follow(this.current, item, resumed);
    } finally {
      this.starting = false;
    }
  }

  private async follow(current: CurrentPrint, item: QueueItem, plan: ResumePlan | undefined): Promise<void> {
    const recorder = new JournalRecorder(this.printer.host, current.job, {
      base: {
        printerId: this.printerId,
        model: this.printer.profile.id,
        fileName: item.fileName,
        fileSize: item.file.size,
        fileRef: item.id,
        startedAt: current.startedAt,
        estimateSeconds: current.estimate.rawSeconds,
        ...(plan ? { resumedFromLayer: plan.layer } : {}),
      },
      layers: current.layers,
      extruders: this.printer.profile.features.extruders,
      fileIndex: current.fileIndex,
      ...(plan ? { initial: plan.state } : {}),
      sink: (j) => this.options.store.putJournal(j),
      temperatures: () => this.printer.temperatures,
      ...(this.options.journalIntervalMs !== undefined ? { intervalMs: this.options.journalIntervalMs } : {}),
      now: this.now,
    });
    let result: PrintResult = 'finished';
    let reason: string | undefined;
    try {
      await current.job.run();
    } catch (error) {
      if (error instanceof JobCancelledError) {
        result = 'cancelled';
        reason = 'cancelled from the printer panel';
      } else {
        result = 'failed';
        reason = (error as Error).message;
      }
    }
    const endedAt = this.now();
    const actualSeconds = current.job.progress().elapsedMs / 1000;
    await recorder.finish(result, reason);
    const entry: HistoryEntry = {
      printerId: this.printerId,
      model: this.printer.profile.id,
      fileName: item.fileName,
      fileSize: item.file.size,
      startedAt: current.startedAt,
      endedAt,
      result,
      ...(reason ? { reason } : {}),
      estimateSeconds: current.estimate.rawSeconds,
      actualSeconds,
      ...(plan ? { resumedFromLayer: plan.layer } : {}),
    };
    try {
      entry.id = await this.options.store.addHistory(entry);
    } catch {
      // The print itself is not lost because its record could not be kept; the list shows it for this session.
    }
    this.history.unshift(entry);
    if (result === 'finished') await this.queue.takeOne(item.id).catch(() => {});
    else if (result === 'failed') {
      const journal = await this.options.store.journal(this.printerId);
      if (journal && (await this.canResume(journal))) this.resumable = journal;
    }
    this.current = undefined;
    this.state = result === 'finished' && this.queue.length > 0 ? 'awaiting-confirmation' : 'idle';
    this.last = { result, printerId: this.printerId, fileName: item.fileName, ...(reason ? { reason } : {}), actualSeconds };
    for (const l of this.eventListeners) l(this.last);
    this.changed();
  }

  /** Cancel the running print (it cools down and parks). */
  async cancel(): Promise<void> {
    await this.current?.job.cancel();
  }

  /**
   * Resume the interrupted print from `layer` (0-based; the journal's layer by default): re-heat, home X/Y, restore Z
   * and E, and continue from the layer's first line. A printer whose session failed (reset, power cut, link gone)
   * starts a fresh session first.
   */
  async resume(layer?: number): Promise<void> {
    const journal = this.resumable;
    if (!journal) throw new ResumeUnavailableError('there is no interrupted print on this printer');
    const item = journal.fileRef ? await this.options.store.queueItem(journal.fileRef) : undefined;
    if (!item) throw new QueueItemNotFoundError();
    if (this.printer.status === 'error' || this.printer.status === 'disconnected' || this.printer.status === 'reconnecting') {
      await this.printer.restartSession();
    }
    const analysis = await this.options.analyze(item.file, item.fileName);
    const chosen = layer ?? journal.layer;
    const plan = await planResume(blobSource(item.file, item.fileName), analysis.layers, chosen, this.printer.profile, {
      currentZ: journal.z,
      fallbackTemperatures: { hotends: journal.hotends, bed: journal.bed },
    });
    await this.start(item, plan);
  }

  /** Forget the interrupted print (its file stays in the queue). */
  async discardResume(): Promise<void> {
    const j = this.resumable;
    if (!j) return;
    this.resumable = undefined;
    await this.options.store.putJournal({ ...j, state: 'cancelled', reason: 'not resumed', updatedAt: this.now() });
    this.changed();
  }
}
