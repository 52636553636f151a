// circomlibjs ships no types; only what twingrain uses is declared.
declare module 'circomlibjs' {
  interface PoseidonField {
    toObject(value: unknown): bigint;
    e(value: bigint | number | string): unknown;
  }
  interface Poseidon {
    (inputs: (bigint | number | string)[]): unknown;
    F: PoseidonField;
  }
  export function buildPoseidon(): Promise<Poseidon>;
}
