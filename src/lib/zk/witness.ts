// Witness calculation for circom 2 circuits with circom_runtime's calculator (the one snarkjs's wtns.calculate uses),
// built once per circuit and reused for every proof: snarkjs's wtns.calculate builds a new one — compiling the WASM
// and allocating its memory — on every call, which cost 50–500 ms per proof here; reusing the built calculator costs
// what the witness itself costs (the same as the hand-written calculator this replaced, measured side by side).
import { WitnessCalculatorBuilder } from 'circom_runtime';

export interface WitnessCalculator {
  /** Number of field elements in a witness (1, outputs, public inputs, private inputs, intermediates). */
  readonly witnessSize: number;
  /**
   * The full witness as little-endian 32-byte field elements in standard form (what the Groth16 prover takes).
   * Rejects with an Error naming the failing template when a constraint or assertion does not hold.
   */
  calculate(signals: Record<string, unknown>): Promise<Uint8Array>;
}

/** Builds the calculator of `wasm` once; every witness reuses its instance. */
export async function createWitnessCalculator(wasm: Uint8Array): Promise<WitnessCalculator> {
  // A circom 2 circuit brings its own memory (it imports none); the 2 GiB circom_runtime would reserve for the
  // circom 1 layout by default is never used, so it gets one page.
  const calculator = await WitnessCalculatorBuilder(wasm, { memorySize: 1 });
  if (calculator.circom_version() !== 2) throw new Error(`unsupported circom version ${calculator.circom_version()} (2 expected)`);
  const witnessSize = calculator.witnessSize;
  // One instance, one witness at a time: circom_runtime awaits between writing the inputs and reading the witness, so
  // two proofs started together would read each other's signals. Calls queue behind the one running.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    witnessSize,
    calculate(signals) {
      const run = queue.then(() => calculateOne(signals));
      queue = run.catch(() => undefined);
      return run;
    },
  };

  async function calculateOne(signals: Record<string, unknown>): Promise<Uint8Array> {
    // The .wtns encoding ends with the witness itself: witnessSize elements of n8 bytes, in standard form.
    let wtns: Uint8Array;
    try {
      wtns = await calculator.calculateWTNSBin(signals, false);
    } catch (error) {
      // circom_runtime says "Error: Assert Failed. Error in template X line: n"; keep the one-line form callers word.
      const text = String(error instanceof Error ? error.message : error)
        .replace(/^(Error: )+/, '')
        .replace(/\s+/g, ' ')
        .trim();
      throw new Error(text.replace(/^Assert Failed\.\s*/, 'assertion failed: '));
    }
    const n8 = calculator.n32 * 4;
    return wtns.slice(wtns.length - witnessSize * n8);
  }
}
