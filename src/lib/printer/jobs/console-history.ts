// Console history as terminals have it: ↑ walks back through sent commands, ↓ forward to an empty line; repeats of the
// last command are kept once.

export class ConsoleHistory {
  private entries: string[];
  private at: number;

  constructor(
    initial: string[] = [],
    private readonly limit = 100,
  ) {
    this.entries = initial.slice(-limit);
    this.at = this.entries.length;
  }

  /** Remember a sent command; returns the list to persist. */
  push(command: string): string[] {
    const c = command.trim();
    if (c && this.entries[this.entries.length - 1] !== c) {
      this.entries.push(c);
      if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    }
    this.at = this.entries.length;
    return this.list();
  }

  /** The previous command (↑), or the oldest one when at the start. */
  up(): string {
    if (this.entries.length === 0) return '';
    this.at = Math.max(0, this.at - 1);
    return this.entries[this.at]!;
  }

  /** The next command (↓), or '' past the newest. */
  down(): string {
    this.at = Math.min(this.entries.length, this.at + 1);
    return this.entries[this.at] ?? '';
  }

  list(): string[] {
    return [...this.entries];
  }
}
