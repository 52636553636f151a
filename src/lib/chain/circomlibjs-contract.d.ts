// circomlibjs's Poseidon contract generator (merged into the lead's declaration of the module).
declare module 'circomlibjs' {
  export const poseidonContract: {
    createCode(nInputs: number): string;
    generateABI(nInputs: number): unknown[];
  };
}
