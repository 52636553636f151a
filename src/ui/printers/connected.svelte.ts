// The printers connected in this tab, each with its jobs (queue, history, journal in the app database) and the view
// the panel and the dashboard read. The G-code analysis runs once per file, in a worker.
import type { Printer, Transport } from '../../lib/printer/index';
import { JobsStore, PrinterJobs, type FarmEvent, type QueueItem } from '../../lib/printer/jobs/index';
import type { PrinterProfile } from '../../lib/machines/index';
import { db } from '../shell/session.svelte';
import { analyzeInWorker, type ViewerAnalysis } from './gcode-client';
import { PrinterView } from './printer-view.svelte';

export interface ConnectedPrinter {
  id: string;
  /** Stable across reloads: the queue, history and journal belong to it. */
  printerId: string;
  printer: Printer;
  jobs: PrinterJobs;
  view: PrinterView;
  transport: Transport;
  store: JobsStore;
}

const analyses = new WeakMap<Blob, Promise<ViewerAnalysis>>();
const done = new WeakMap<Blob, ViewerAnalysis>();

export function analyzeCached(
  file: Blob,
  model: string,
  onProgress?: (f: number) => void,
  /** Tool paths known so far, while the file is read (the viewer draws at once). */
  onPartial?: (partial: ViewerAnalysis) => void,
): Promise<ViewerAnalysis> {
  let p = analyses.get(file);
  if (!p) {
    p = analyzeInWorker(file, model, onProgress, onPartial).then((a) => (done.set(file, a), a));
    p.catch(() => analyses.delete(file));
    analyses.set(file, p);
  }
  return p;
}

/** The printer's identity for its queue and history: the twin model, and for real ports the device. */
export function printerIdFor(transport: Transport, profile: PrinterProfile): string {
  return transport.kind === 'virtual' ? `virtual:${profile.id}` : `${transport.kind}:${profile.id}:${transport.label.replace(/ @ \d+$/, '')}`;
}

export const connected = $state<{ list: ConnectedPrinter[] }>({ list: [] });

let counter = 0;

export async function addConnected(printer: Printer, transport: Transport, onEnd: (e: FarmEvent, p: ConnectedPrinter) => void): Promise<ConnectedPrinter> {
  const profile = printer.profile;
  const printerId = printerIdFor(transport, profile);
  const store = new JobsStore(await db());
  const jobs = new PrinterJobs(printer, {
    printerId,
    store,
    analyze: (file) => analyzeCached(file, profile.id),
  });
  await jobs.load();
  const view = new PrinterView(printer, jobs, (item: QueueItem) => done.get(item.file));
  const entry: ConnectedPrinter = { id: `p${++counter}`, printerId, printer, jobs, view, transport, store };
  jobs.onEnd((e) => onEnd(e, entry));
  connected.list.push(entry);
  return entry;
}

export function removeConnected(id: string): void {
  const i = connected.list.findIndex((p) => p.id === id);
  if (i >= 0) {
    connected.list[i]!.view.dispose();
    connected.list.splice(i, 1);
  }
}
