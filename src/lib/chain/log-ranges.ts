// Event logs over a block range, in ranges the RPC node accepts. Nodes cap a getLogs answer (anvil at 10 MiB, public
// RPCs at some thousand logs): a refused range is halved, and the smaller span kept for the ranges after it (events
// are about as dense), so the node builds each oversized answer once, not once per range.

const TOO_LARGE = /size|too large|too big|too many|limit|exceed|more than/i;

export interface InLogRangesParameters<T> {
  fromBlock: number;
  toBlock: number;
  /** Blocks per request at first. */
  span: number;
  /** One request over [from, to]. */
  read: (from: number, to: number) => Promise<T>;
  /** Each range's answer, in block order, before the next range is read (so memory holds one range). */
  take: (answer: T) => void;
  /** The error to throw when the node fails for any other reason than the range's size. */
  failed: (cause: unknown) => Error;
}

export async function inLogRanges<T>(p: InLogRangesParameters<T>): Promise<void> {
  let span = Math.max(1, p.span);
  for (let start = p.fromBlock; start <= p.toBlock; ) {
    const end = Math.min(p.toBlock, start + span - 1);
    let answer: T;
    try {
      answer = await p.read(start, end);
    } catch (cause) {
      if (end > start && TOO_LARGE.test((cause as Error).message)) {
        span = Math.max(1, Math.floor((end - start + 1) / 2));
        continue;
      }
      throw p.failed(cause);
    }
    p.take(answer);
    start = end + 1;
  }
}
