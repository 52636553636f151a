// Witness calculation for circom 2 circuits, built once per circuit and reused for every proof. snarkjs's
// wtns.calculate compiles the circuit's WebAssembly and allocates a fresh 2 GiB memory on every call, which cost
// 50–500 ms per proof here; compiling once and re-running `init` on the same instance costs a few milliseconds.
// The circuit WASM's interface (circom 2.x): init, get/set through a shared read-write memory of field limbs,
// input signals addressed by the 64-bit FNV-1a hash of their name.

export interface WitnessCalculator {
  /** Number of field elements in a witness (1, outputs, public inputs, private inputs, intermediates). */
  readonly witnessSize: number;
  /**
   * The full witness as little-endian 32-byte field elements in standard form (what the Groth16 prover takes).
   * Throws an Error naming the failing template when a constraint or assertion does not hold.
   */
  calculate(signals: Record<string, unknown>): Uint8Array;
}

interface CircomExports {
  memory: WebAssembly.Memory;
  getVersion(): number;
  init(sanityCheck: number): void;
  getFieldNumLen32(): number;
  getRawPrime(): void;
  readSharedRWMemory(i: number): number;
  writeSharedRWMemory(i: number, v: number): void;
  getInputSignalSize(hMSB: number, hLSB: number): number;
  setInputSignal(hMSB: number, hLSB: number, i: number): void;
  getInputSize(): number;
  getWitnessSize(): number;
  getWitness(i: number): void;
  getMessageChar(): number;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;

/** FNV-1a, 64 bits, over the name's UTF-16 code units (as circom hashes signal names), split in two 32-bit halves. */
function signalHash(name: string): [number, number] {
  let h = FNV_OFFSET;
  for (let i = 0; i < name.length; i++) {
    h ^= BigInt(name.charCodeAt(i));
    h = (h * FNV_PRIME) & MASK64;
  }
  return [Number(h >> 32n), Number(h & 0xffffffffn)];
}

/** Flattens nested arrays the way circom lays out array signals (row-major). */
function flatten(value: unknown, out: unknown[] = []): unknown[] {
  if (Array.isArray(value)) for (const v of value) flatten(v, out);
  else out.push(value);
  return out;
}

/** Compiles `wasm` once; the returned calculator instantiates it once and reuses the instance for every witness. */
export async function createWitnessCalculator(wasm: Uint8Array | WebAssembly.Module): Promise<WitnessCalculator> {
  const module = wasm instanceof WebAssembly.Module ? wasm : await WebAssembly.compile(wasm as Uint8Array<ArrayBuffer>);
  let message = '';
  let exports: CircomExports | undefined;
  const readMessage = (): string => {
    let s = '';
    for (let c = exports!.getMessageChar(); c !== 0; c = exports!.getMessageChar()) s += String.fromCharCode(c);
    return s;
  };
  const EXCEPTIONS: Record<number, string> = {
    1: 'signal not found',
    2: 'too many signals set',
    3: 'signal already set',
    4: 'assertion failed',
    5: 'not enough memory',
    6: 'input signal array access out of range',
  };
  const instance = await WebAssembly.instantiate(module, {
    runtime: {
      exceptionHandler(code: number) {
        throw new Error(`${EXCEPTIONS[code] ?? `error ${code}`}${message ? `: ${message.trim()}` : ''}`);
      },
      printErrorMessage() {
        message += `${readMessage()} `;
      },
      // circom `log()` output: not part of a proof, dropped.
      writeBufferMessage() {
        readMessage();
      },
      showSharedRWMemory() {},
    },
  });
  exports = instance.exports as unknown as CircomExports;
  const e = exports;
  if (e.getVersion() !== 2) throw new Error(`unsupported circom version ${e.getVersion()} (2 expected)`);
  const n32 = e.getFieldNumLen32();
  e.getRawPrime();
  let prime = 0n;
  for (let j = n32 - 1; j >= 0; j--) prime = (prime << 32n) | BigInt(e.readSharedRWMemory(j) >>> 0);
  const witnessSize = e.getWitnessSize();
  const n8 = n32 * 4;

  const writeField = (v: bigint): void => {
    let x = ((v % prime) + prime) % prime;
    for (let j = 0; j < n32; j++) {
      e.writeSharedRWMemory(j, Number(x & 0xffffffffn));
      x >>= 32n;
    }
  };

  return {
    witnessSize,
    calculate(signals) {
      message = '';
      e.init(0);
      let set = 0;
      for (const [name, value] of Object.entries(signals)) {
        const [hi, lo] = signalHash(name);
        const values = flatten(value);
        const expected = e.getInputSignalSize(hi, lo);
        if (expected < 0) throw new Error(`the circuit has no input signal "${name}"`);
        if (values.length !== expected) throw new Error(`input signal "${name}" takes ${expected} values, got ${values.length}`);
        for (let i = 0; i < values.length; i++) {
          const v = values[i];
          if (typeof v !== 'bigint' && typeof v !== 'string' && typeof v !== 'number') throw new Error(`input signal "${name}"[${i}] is not a number`);
          writeField(BigInt(v));
          e.setInputSignal(hi, lo, i);
          set++;
        }
      }
      if (set < e.getInputSize()) throw new Error(`${e.getInputSize() - set} input values are missing`);
      const out = new Uint8Array(witnessSize * n8);
      const view = new DataView(out.buffer);
      for (let i = 0; i < witnessSize; i++) {
        e.getWitness(i);
        for (let j = 0; j < n32; j++) view.setUint32(i * n8 + j * 4, e.readSharedRWMemory(j), true);
      }
      return out;
    },
  };
}
