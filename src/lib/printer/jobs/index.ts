/**
 * Print-farm jobs for one printer: a persistent queue (files, copies, order), the print history with estimates
 * corrected from it, macros, console history, the resume journal, and resuming from a layer after a lost link or a
 * power cut. No UI here: the Printers page and the command line call the same functions.
 *
 * ```ts
 * const jobs = new PrinterJobs(printer, { printerId, store: new JobsStore(db), analyze });
 * await jobs.load();
 * await jobs.addFiles([{ name: file.name, blob: file }], 2);
 * await jobs.startNext();
 * ```
 */
export { PrinterJobs } from './farm';
export type { FarmState, FarmEvent, FileAnalysis, CurrentPrint, PrinterJobsOptions } from './farm';
export { JobQueue } from './queue';
export { JobsStore } from './store';
export type { QueueItem, HistoryEntry, Macro, PrintJournal, PrintResult, JournalState } from './records';
export { correctEstimate, printClock, formatDuration } from './estimate';
export type { CorrectedEstimate } from './estimate';
export { macroCommands, makeMacro, runMacro } from './macros';
export { ConsoleHistory } from './console-history';
export { ModalState } from './modal-state';
export type { ModalSnapshot } from './modal-state';
export { JournalRecorder } from './journal';
export type { JournalRecorderOptions } from './journal';
export { planResume, resumeSource, resumedFileIndex, sourceFrom } from './resume';
export type { ResumePlan, ResumeOptions } from './resume';
export { parseJournal, serializeJournal } from './journal-file';
export * from './errors';
