// Print one file over a link and measure it: the core of `twingrain printer stream` (virtual printer or real port), so
// other entry points (a resume journal, the benchmark) hook into the same flow.

import { MarlinHost, type MarlinHostOptions } from './protocol';
import { PrintJob, type PrintJobOptions } from './job';
import type { ByteLink } from './transport';
import type { LineSource } from './line-source';

export interface StreamReport {
  /** Transmissions of the file's command lines, resends included. */
  linesSent: number;
  /** File commands executed: counted by the simulated firmware, or confirmed by a real one. */
  linesExecuted: number;
  /** Retransmissions among linesSent. */
  resends: number;
  /** Wall-clock seconds from the first command of the file to the last one executed. */
  seconds: number;
  /** The file's command bytes as framed on the wire (resends excluded) per second, over baud/10. */
  linkUtilization: number;
}

export interface StreamOptions {
  link: ByteLink;
  baud: number;
  source: LineSource;
  host?: MarlinHostOptions;
  job: Omit<PrintJobOptions, 'clock'>;
  /**
   * Where executions are observed: the simulated firmware's log (each numbered line it ran). Without it, lines the
   * firmware confirmed count as executed.
   */
  observeExecuted?: (listener: (n: number | undefined) => void) => () => void;
  /** Called once the job exists, before it runs (progress display, a resume journal). */
  onJob?: (job: PrintJob, host: MarlinHost) => void;
}

export async function streamFile(o: StreamOptions): Promise<StreamReport> {
  const host = new MarlinHost({ baud: o.baud, ...o.host });
  try {
    await host.attach(o.link);
    // Job lines are the numbered lines sent from here on.
    let firstJobLine = Infinity;
    let executed = 0;
    const offSent = host.on('sent', (n) => {
      if (n < firstJobLine) firstJobLine = n;
    });
    const count = (n: number | undefined) => {
      if (n !== undefined && n >= firstJobLine) executed++;
    };
    const offExec = o.observeExecuted ? o.observeExecuted(count) : host.on('confirmed', count);
    const before = { ...host.stats };
    const started = performance.now();
    const job = new PrintJob(host, o.source, o.job);
    o.onJob?.(job, host);
    try {
      await job.run();
    } finally {
      offSent();
      offExec();
    }
    const seconds = (performance.now() - started) / 1000;
    const s = host.stats;
    return {
      linesSent: s.linesSent - before.linesSent,
      linesExecuted: executed,
      resends: s.resends - before.resends,
      seconds: Number(seconds.toFixed(3)),
      linkUtilization: Number(((s.bytesFirstSent - before.bytesFirstSent) / seconds / (o.baud / 10)).toFixed(4)),
    };
  } finally {
    await host.close().catch(() => {});
  }
}
