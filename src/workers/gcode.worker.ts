// Parses a G-code file off the main thread: layers, preview segments, time and filament estimate.
import { GcodeAnalyzer, blobSource, readLines } from '../lib/printer/index';
import { getPrinterProfile } from '../lib/sim/index';

export interface GcodeWorkerRequest {
  file: Blob;
  model: string;
}

self.onmessage = async (event: MessageEvent<GcodeWorkerRequest>) => {
  try {
    const analyzer = new GcodeAnalyzer(getPrinterProfile(event.data.model));
    let n = 0;
    for await (const line of readLines(blobSource(event.data.file))) {
      analyzer.push(line.text);
      if (++n % 200_000 === 0) self.postMessage({ progress: line.endOffset / event.data.file.size });
    }
    const result = analyzer.result();
    self.postMessage({ result }, { transfer: [result.segments.buffer, result.segmentCommand.buffer] });
  } catch (error) {
    self.postMessage({ error: (error as Error).message });
  }
};
