// Counts events per key over a sliding window (deposits per peer, refused deposits per α). Memory is bounded: at most
// `maxKeys` keys are tracked, the least recently used one is forgotten first.
export class RateWindow {
  readonly #hits = new Map<string, number[]>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    readonly maxKeys = 10_000,
  ) {}

  #recent(key: string, now: number): number[] {
    const hits = (this.#hits.get(key) ?? []).filter((t) => now - t < this.windowMs);
    this.#hits.delete(key); // re-inserted last: Map order is recency
    if (hits.length > 0) this.#hits.set(key, hits);
    return hits;
  }

  count(key: string, now = Date.now()): number {
    return this.#recent(key, now).length;
  }

  full(key: string, now = Date.now()): boolean {
    return this.count(key, now) >= this.limit;
  }

  add(key: string, now = Date.now()): void {
    const hits = this.#recent(key, now);
    hits.push(now);
    this.#hits.set(key, hits);
    while (this.#hits.size > this.maxKeys) this.#hits.delete(this.#hits.keys().next().value!);
  }

  /** When the oldest hit leaves the window, i.e. when the key may act again. */
  retryAt(key: string, now = Date.now()): number {
    const hits = this.#recent(key, now);
    return hits.length > 0 ? hits[0]! + this.windowMs : now;
  }
}
