// One printer's queue of files: add several at once, copies, reorder, remove. Kept in the database with the files
// themselves, so it survives a reload; every change is written before it shows.
import { InvalidCopiesError, QueueItemNotFoundError } from './errors';
import type { QueueItem } from './records';
import type { JobsStore } from './store';

function checkCopies(copies: number): number {
  if (!Number.isInteger(copies) || copies < 1 || copies > 100) throw new InvalidCopiesError(copies);
  return copies;
}

export class JobQueue {
  private items: QueueItem[] = [];

  constructor(
    readonly printerId: string,
    private readonly store: JobsStore,
    private readonly newId: () => string = () => crypto.randomUUID(),
    private readonly now: () => number = () => Date.now(),
  ) {}

  async load(): Promise<QueueItem[]> {
    this.items = (await this.store.queue(this.printerId)).sort((a, b) => a.position - b.position);
    return this.list();
  }

  list(): QueueItem[] {
    return [...this.items];
  }

  get length(): number {
    return this.items.length;
  }

  first(): QueueItem | undefined {
    return this.items[0];
  }

  private async renumber(): Promise<void> {
    this.items.forEach((item, i) => (item.position = i));
    await this.store.putQueue(this.items);
  }

  /** Add files at the end, each to be printed `copies` times. */
  async add(files: { name: string; blob: Blob; estimateSeconds?: number }[], copies = 1): Promise<QueueItem[]> {
    checkCopies(copies);
    const added = files.map(
      (f, i): QueueItem => ({
        id: this.newId(),
        printerId: this.printerId,
        position: this.items.length + i,
        fileName: f.name,
        file: f.blob,
        copies,
        ...(f.estimateSeconds !== undefined ? { estimateSeconds: f.estimateSeconds } : {}),
        createdAt: this.now(),
        state: 'queued',
      }),
    );
    await this.store.putQueue(added);
    this.items.push(...added);
    return added;
  }

  private index(id: string): number {
    const i = this.items.findIndex((q) => q.id === id);
    if (i < 0) throw new QueueItemNotFoundError();
    return i;
  }

  async remove(id: string): Promise<void> {
    const i = this.index(id);
    await this.store.deleteQueueItem(id);
    this.items.splice(i, 1);
    await this.renumber();
  }

  /** Move an item to another place (0 = next to print). */
  async move(id: string, to: number): Promise<void> {
    const from = this.index(id);
    const target = Math.max(0, Math.min(this.items.length - 1, Math.trunc(to)));
    const [item] = this.items.splice(from, 1);
    this.items.splice(target, 0, item!);
    await this.renumber();
  }

  async setCopies(id: string, copies: number): Promise<void> {
    const item = this.items[this.index(id)]!;
    item.copies = checkCopies(copies);
    await this.store.putQueue([item]);
  }

  async setEstimate(id: string, seconds: number): Promise<void> {
    const item = this.items.find((q) => q.id === id);
    if (!item) return;
    item.estimateSeconds = seconds;
    await this.store.putQueue([item]);
  }

  /**
   * One copy of the first item has been started: the item stays (with one copy less) until its last copy, and is
   * removed then. The file is kept elsewhere by the caller as long as a resume may need it.
   */
  async takeOne(id: string): Promise<void> {
    const item = this.items[this.index(id)]!;
    if (item.copies > 1) {
      item.copies--;
      await this.store.putQueue([item]);
    } else {
      await this.remove(id);
    }
  }
}
