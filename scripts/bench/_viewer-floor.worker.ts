/// <reference lib="webworker" />
// The viewer benchmark's floor, bundled by the benchmark and run in headless Chromium: the same file read and parsed
// by the same code and options as src/workers/gcode.worker.ts, with the tool-path chunks dropped instead of sent to
// a page that draws them. What the viewer can never beat on this machine.
import { GcodeAnalyzer } from '../../src/lib/gcode/index';
import { blobSource, readLines } from '../../src/lib/printer/index';
import { getPrinterProfile, machineOf } from '../../src/lib/machines/index';

const scope = self as unknown as DedicatedWorkerGlobalScope;
scope.onmessage = async (e: MessageEvent<{ file: File; model: string; readOnly: boolean }>) => {
  const { file, model, readOnly } = e.data;
  const t0 = performance.now();
  let segments = 0;
  let lines = 0;
  if (readOnly) {
    for await (const _ of readLines(blobSource(file))) lines++;
  } else {
    const analyzer = new GcodeAnalyzer(machineOf(getPrinterProfile(model)), {
      toleranceMm: file.size > 20 * 1024 * 1024 ? 0.05 : 0.01,
      chunkSize: 65_536,
      onChunk: (c) => (segments += c.count),
    });
    for await (const line of readLines(blobSource(file))) {
      analyzer.push(line.text);
      lines++;
    }
    analyzer.result();
  }
  scope.postMessage({ seconds: (performance.now() - t0) / 1000, segments, lines });
};
