// G-code files are read as byte streams and split into lines on the fly, so a 100 MB file never sits in memory.

export interface LineSource {
  readonly name: string;
  /** Size in bytes (for progress). */
  readonly size: number;
  /** A fresh stream of the file's bytes. */
  open(): AsyncIterable<Uint8Array>;
}

export interface SourceLine {
  /** 1-based line number in the file. */
  lineNumber: number;
  text: string;
  /** Byte offset just past this line. */
  endOffset: number;
}

/** A Blob or File as a line source (browser File objects, and Blob in Node). */
export function blobSource(blob: Blob, name = (blob as File).name ?? 'file.gcode'): LineSource {
  return {
    name,
    size: blob.size,
    open: () => streamChunks(blob.stream()),
  };
}

/** A G-code text held in memory (console macros, tests). */
export function textSource(text: string, name = 'text.gcode'): LineSource {
  const bytes = new TextEncoder().encode(text);
  return {
    name,
    size: bytes.length,
    async *open() {
      for (let i = 0; i < bytes.length; i += 65536) yield bytes.subarray(i, i + 65536);
    },
  };
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      if (value) yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

/** Split a byte stream into lines. Bytes are read as latin1 so that a stray byte cannot corrupt its neighbours. */
export async function* readLines(source: LineSource): AsyncIterable<SourceLine> {
  let carry = '';
  let offset = 0;
  let lineNumber = 0;
  let carryStart = 0;
  for await (const chunk of source.open()) {
    let text = carry;
    // String.fromCharCode over subarrays keeps this linear without a TextDecoder per line.
    for (let i = 0; i < chunk.length; i += 8192) {
      text += String.fromCharCode.apply(null, chunk.subarray(i, i + 8192) as unknown as number[]);
    }
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      lineNumber++;
      const end = carryStart + nl + 1;
      yield { lineNumber, text: text.slice(start, nl).replace(/\r$/, ''), endOffset: end };
      start = nl + 1;
    }
    offset += chunk.length;
    carry = text.slice(start);
    carryStart = offset - carry.length;
  }
  if (carry.length > 0) {
    lineNumber++;
    yield { lineNumber, text: carry.replace(/\r$/, ''), endOffset: offset };
  }
}
