// Live-view measurements (frame rate, position-report-to-frame latency, part growth), readable by the e2e test and
// the benchmark through window.__twingrainPrinterMetrics.
export interface ViewMetrics {
  frames: number;
  firstFrameAt: number;
  lastFrameAt: number;
  latencies: number[];
  lastPosition: { x: number; y: number; z: number } | undefined;
  positionsApplied: number;
  partSegments: number;
}

type Registry = Record<string, ViewMetrics>;

function registry(): Registry {
  const g = globalThis as unknown as { __twingrainPrinterMetrics?: Registry };
  return (g.__twingrainPrinterMetrics ??= {});
}

export function metricsFor(id: string) {
  const m: ViewMetrics = (registry()[id] = {
    frames: 0,
    firstFrameAt: 0,
    lastFrameAt: 0,
    latencies: [],
    lastPosition: undefined,
    positionsApplied: 0,
    partSegments: 0,
  });
  return {
    frame(now: number) {
      if (!m.firstFrameAt) m.firstFrameAt = now;
      m.lastFrameAt = now;
      m.frames++;
    },
    positionApplied(reportedAt: number, now: number, p: { x: number; y: number; z: number }) {
      m.latencies.push(now - reportedAt);
      if (m.latencies.length > 1000) m.latencies.shift();
      m.lastPosition = { x: p.x, y: p.y, z: p.z };
      m.positionsApplied++;
    },
    partSegments(n: number) {
      m.partSegments = n;
    },
  };
}

/**
 * The commands a virtual printer executed, in order, readable by the e2e tests through
 * window.__twingrainExecuted[id] (what ran twice after a resume, what never ran). Virtual printers only.
 */
export function recordExecuted(id: string, onExecute: (listener: (c: { command: string }) => void) => () => void): () => void {
  const g = globalThis as unknown as { __twingrainExecuted?: Record<string, string[]> };
  const log: string[] = ((g.__twingrainExecuted ??= {})[id] = []);
  return onExecute((c) => {
    log.push(c.command);
    if (log.length > 500_000) log.splice(0, log.length - 500_000);
  });
}
