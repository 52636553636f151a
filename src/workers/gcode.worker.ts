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
      // Small first chunks draw something at once; later ones are large so that there are few draw calls.
      chunkSize: 65_536,
    });
    // Each chunk is awaited so that all of them have arrived before the result does (they travel on another port).
    const send = async (chunks: PathChunk[]) => {
      for (const c of chunks) await onChunk(Comlink.transfer(c, [c.positions.buffer, c.colors.buffer, c.commands.buffer]));
    };
    let n = 0;
    for await (const line of readLines(blobSource(file))) {
      analyzer.push(line.text);
      if (++n % 20_000 === 0) {
        await send(analyzer.takeChunks());
        void onProgress(line.endOffset / Math.max(1, file.size));
      }
    }
    const { chunks, ...result } = analyzer.result();
    await send(chunks);
    return result;
  },
};

export type GcodeWorkerApi = typeof api;
Comlink.expose(api);
