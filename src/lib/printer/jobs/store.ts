// The print farm's records in the app's one database (src/lib/store, schema v3). Writes go through the store's
// `write` so a full disk is reported in plain words and nothing half-written is left.
import { write, type TwingrainDb } from '../../store/index';
import type { HistoryEntry, Macro, PrintJournal, QueueItem } from './records';

export class JobsStore {
  constructor(readonly db: TwingrainDb) {}

  async queue(printerId: string): Promise<QueueItem[]> {
    const rows = await this.db.jobs.where('[printerId+position]').between([printerId, -Infinity], [printerId, Infinity]).toArray();
    return rows as unknown as QueueItem[];
  }

  putQueue(items: QueueItem[]): Promise<void> {
    return write(async () => {
      await this.db.jobs.bulkPut(items as unknown as (Record<string, unknown> & { id: string })[]);
    });
  }

  deleteQueueItem(id: string): Promise<void> {
    return write(() => this.db.jobs.delete(id));
  }

  async queueItem(id: string): Promise<QueueItem | undefined> {
    return (await this.db.jobs.get(id)) as unknown as QueueItem | undefined;
  }

  addHistory(entry: HistoryEntry): Promise<number> {
    const { id: _id, ...row } = entry;
    void _id;
    return write(() => this.db.printHistory.add(row as unknown as Record<string, unknown> & { printerId: string }));
  }

  /** Newest first; all printers when no id is given. */
  async history(printerId?: string, limit = 200): Promise<HistoryEntry[]> {
    const rows = printerId
      ? await this.db.printHistory.where('printerId').equals(printerId).reverse().sortBy('startedAt')
      : await this.db.printHistory.orderBy('startedAt').reverse().limit(limit).toArray();
    return (rows as unknown as HistoryEntry[]).slice(0, limit);
  }

  async historyForModel(model: string, limit = 200): Promise<HistoryEntry[]> {
    const rows = await this.db.printHistory.where('model').equals(model).reverse().sortBy('startedAt');
    return (rows as unknown as HistoryEntry[]).slice(0, limit);
  }

  async macros(printerId: string): Promise<Macro[]> {
    return (await this.db.macros.where('printerId').equals(printerId).sortBy('name')) as unknown as Macro[];
  }

  putMacro(macro: Macro): Promise<void> {
    return write(async () => {
      await this.db.macros.put(macro as unknown as Record<string, unknown> & { id: string; printerId: string });
    });
  }

  deleteMacro(id: string): Promise<void> {
    return write(() => this.db.macros.delete(id));
  }

  async journal(printerId: string): Promise<PrintJournal | undefined> {
    return (await this.db.printJournals.get(printerId)) as unknown as PrintJournal | undefined;
  }

  putJournal(journal: PrintJournal): Promise<void> {
    return write(async () => {
      await this.db.printJournals.put(journal as unknown as Record<string, unknown> & { printerId: string });
    });
  }

  async consoleHistory(printerId: string): Promise<string[]> {
    const row = await this.db.settings.get(`console:${printerId}`);
    return Array.isArray(row?.value) ? (row.value as unknown[]).filter((v): v is string => typeof v === 'string') : [];
  }

  putConsoleHistory(printerId: string, commands: string[]): Promise<void> {
    return write(async () => {
      await this.db.settings.put({ key: `console:${printerId}`, value: commands });
    });
  }
}
