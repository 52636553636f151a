// snarkjs ships no types; only what twingrain's prover uses is declared.
declare module 'snarkjs' {
  export interface Groth16Proof {
    pi_a: string[];
    pi_b: string[][];
    pi_c: string[];
    protocol: string;
    curve: string;
  }
  type ProverSource = string | Uint8Array | { type: 'mem'; data: Uint8Array };
  export const groth16: {
    fullProve(
      input: Record<string, unknown>,
      wasm: ProverSource,
      zkey: ProverSource,
      logger?: unknown,
    ): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    prove(zkey: ProverSource, witness: ProverSource, logger?: unknown): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
    verify(vkey: unknown, publicSignals: (string | bigint)[], proof: Groth16Proof, logger?: unknown): Promise<boolean>;
  };
  /** ffjavascript's curve engine as snarkjs builds it (shared thread pool); typed where used (groth16.ts). */
  export const curves: {
    getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<unknown>;
  };
  export const wtns: {
    calculate(input: Record<string, unknown>, wasm: ProverSource, out: { type: 'mem'; data?: Uint8Array }): Promise<void>;
  };
}

// ffjavascript ships no types either; it is pinned beside snarkjs because groth16.ts uses its engine (internals.test.ts).
declare module 'ffjavascript' {
  export const Scalar: { e(value: number | bigint | string): bigint };
  /** The BN254 engine (one per realm, kept on globalThis.curve_bn128); plugins add functions to its WASM module. */
  export function buildBn128(singleThread?: boolean, plugins?: (moduleBuilder: unknown) => void): Promise<unknown>;
}

// circom_runtime ships no types; what witness.ts uses of its circom 2 calculator.
declare module 'circom_runtime' {
  export function WitnessCalculatorBuilder(
    code: Uint8Array,
    options: { memorySize?: number },
  ): Promise<{
    witnessSize: number;
    n32: number;
    circom_version(): number;
    calculateWTNSBin(input: Record<string, unknown>, sanityCheck: boolean): Promise<Uint8Array>;
  }>;
}
