/// <reference lib="webworker" />
// Reads a G-code file off the main thread: streams it (never the whole text in memory), runs the one interpreter and
// hands back the tool paths chunk by chunk as transferred typed arrays, then the layers and the estimate.
import * as Comlink from 'comlink';
import { GcodeAnalyzer, type GcodeAnalysis, type PathChunk } from '../lib/gcode/index';
import { blobSource, readLines } from '../lib/printer/index';
import { getPrinterProfile, machineOf } from '../lib/machines/index';

/** Files above this size are merged more coarsely for display (the analysis itself stays exact). */
const LARGE_FILE = 20 * 1024 * 1024;

const api = {
  async analyze(file: Blob, model: string, onProgress: (fraction: number) => void, onChunk: (chunk: PathChunk) => void): Promise<GcodeAnalysis> {
    const analyzer = new GcodeAnalyzer(machineOf(getPrinterProfile(model)), {
      toleranceMm: file.size > LARGE_FILE ? 0.05 : 0.01,
      // A large part is drawn whole from every n-th layer (about 24 MB of file per layer kept), its top layers in full.
      overviewStride: file.size > LARGE_FILE ? Math.ceil(file.size / (24 * 1024 * 1024)) : 0,
      // Small first chunks draw something at once; later ones grow to this size so that there are few draw calls.
      chunkSize: 65_536,
      firstChunkSize: 2_048,
    });
    // Chunks are posted without waiting for the page to take each one: a page busy drawing must not stall the
    // reading. Their acknowledgements are awaited once at the end, so all of them have arrived before the result
    // does (they travel on another port).
    const delivered: Promise<void>[] = [];
    const send = (chunks: PathChunk[]) => {
      for (const c of chunks) delivered.push(Promise.resolve(onChunk(Comlink.transfer(c, [c.positions.buffer, c.colors.buffer, c.commands.buffer]))));
    };
    let n = 0;
    for await (const line of readLines(blobSource(file))) {
      analyzer.push(line.text);
      if (++n % 2_000 === 0) {
        send(analyzer.takeChunks());
        if (n % 20_000 === 0) void onProgress(line.endOffset / Math.max(1, file.size));
      }
    }
    const { chunks, ...result } = analyzer.result();
    send(chunks);
    await Promise.all(delivered);
    return result;
  },
};

export type GcodeWorkerApi = typeof api;
Comlink.expose(api);
